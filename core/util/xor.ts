/**
 * XOR of equal-length blocks, the whole of RAID5's parity arithmetic. 32-bit word loops over Int32Array
 * views run several times faster than byte loops in V8, and fusing several sources into one pass saves
 * the loads and stores of re-reading the destination; unaligned views fall back to bytes.
 */
import { assert } from './assert';

function words(bytes: Uint8Array): Int32Array | null {
  if (bytes.byteOffset % 4 !== 0 || bytes.byteLength % 4 !== 0) return null;
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** dst ^= src. */
export function xorInto(dst: Uint8Array, src: Uint8Array): void {
  assert(dst.byteLength === src.byteLength, 'xor of equal-length blocks');
  const d = words(dst);
  const s = words(src);
  if (d && s) {
    for (let i = 0; i < d.length; i++) d[i] ^= s[i];
    return;
  }
  for (let i = 0; i < dst.length; i++) dst[i] ^= src[i];
}

function xor2(d: Int32Array, a: Int32Array, b: Int32Array): void {
  for (let i = 0; i < d.length; i++) d[i] = a[i] ^ b[i];
}

function xor3(d: Int32Array, a: Int32Array, b: Int32Array, c: Int32Array): void {
  for (let i = 0; i < d.length; i++) d[i] = a[i] ^ b[i] ^ c[i];
}

function xor4(d: Int32Array, a: Int32Array, b: Int32Array, c: Int32Array, e: Int32Array): void {
  for (let i = 0; i < d.length; i++) d[i] = a[i] ^ b[i] ^ c[i] ^ e[i];
}

/**
 * dst = sources[0] ^ sources[1] ^ ...; dst may alias sources[0] only. Sources are consumed up to four
 * at a time: the first group writes dst, later groups fold into it (dst itself is one of the four).
 */
export function xorBlocks(dst: Uint8Array, sources: readonly Uint8Array[]): void {
  assert(sources.length > 0, 'xor of at least one block');
  for (const s of sources) assert(s.byteLength === dst.byteLength, 'xor of equal-length blocks');
  const d = words(dst);
  const w = sources.map(words);
  if (!d || w.some((x) => x === null)) {
    if (dst !== sources[0]) dst.set(sources[0]);
    for (let k = 1; k < sources.length; k++) xorInto(dst, sources[k]);
    return;
  }
  const v = w as Int32Array[];
  let k: number;
  if (v.length === 1) {
    if (dst !== sources[0]) dst.set(sources[0]);
    k = 1;
  } else if (v.length === 2) {
    xor2(d, v[0], v[1]);
    k = 2;
  } else if (v.length === 3) {
    xor3(d, v[0], v[1], v[2]);
    k = 3;
  } else {
    xor4(d, v[0], v[1], v[2], v[3]);
    k = 4;
  }
  for (; k < v.length; ) {
    const left = v.length - k;
    if (left >= 3) {
      xor4(d, d, v[k], v[k + 1], v[k + 2]);
      k += 3;
    } else if (left === 2) {
      xor3(d, d, v[k], v[k + 1]);
      k += 2;
    } else {
      xor2(d, d, v[k]);
      k += 1;
    }
  }
}

/** True when the block is all zero bytes (the XOR of a consistent stripe with its parity). */
export function isZero(bytes: Uint8Array): boolean {
  const w = words(bytes);
  if (w) {
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
