/**
 * XOR kernels for blocks that live in one WebAssembly memory (an "arena"), 16 bytes at a time: ~15x the
 * JavaScript word loop, which is what lets a resync or a degraded read keep up with the disks. The module
 * is xor-simd.wat beside this file, assembled once and embedded, so mdlab needs no toolchain for it.
 *
 * Besides xor2 (dst = a ^ b) it has two kernels over "regions": count equal-length blocks spaced
 * strideBytes apart, which is how a stripe slab lays out one stripe's member pages. Folding every member
 * in one pass over the data reads each byte once and writes only the result (or nothing, for a check),
 * where chained xor2 calls re-read and re-write an intermediate block per member.
 */
import { assert } from './assert';

/** xor-simd.wat assembled: exports mem, xor2(dst, a, b, len), xorv(dst, base, stride, n, skip, len), nzv(base, stride, n, len). */
const MODULE_BASE64 =
  'AGFzbQEAAAABGQNgBH9/f38AYAZ/f39/f38AYAR/f39/AX8DBAMAAQIFAwEAAAcbBANtZW0CAAR4b3IyAAAEeG9ydgABA256dgACCt4DAzcBAX8CQANAIAQgA08NASAAIARqIAEgBGr9AAQAIAIgBGr9AAQA/VH9CwQAIARBEGohBAwACwsL9AECA38EewJAA0AgBiAFTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQn9DAAAAAAAAAAAAAAAAAAAAAAhCv0MAAAAAAAAAAAAAAAAAAAAACEL/QwAAAAAAAAAAAAAAAAAAAAAIQwgASAGaiEIQQAhBwJAA0AgByADTw0BIAcgBEcEQCAJIAj9AAQA/VEhCSAKIAj9AAQQ/VEhCiALIAj9AAQg/VEhCyAMIAj9AAQw/VEhDAsgCCACaiEIIAdBAWohBwwACwsgACAGaiEIIAggCf0LBAAgCCAK/QsEECAIIAv9CwQgIAggDP0LBDAgBkHAAGohBgwACwsLrQECA38FewJAA0AgBCADTw0BIAAgBGohBiAG/QAEACEHIAb9AAQQIQggBv0ABCAhCSAG/QAEMCEKQQEhBQJAA0AgBSACTw0BIAYgAWohBiAHIAb9AAQA/VEhByAIIAb9AAQQ/VEhCCAJIAb9AAQg/VEhCSAKIAb9AAQw/VEhCiAFQQFqIQUMAAsLIAsgByAI/VAgCSAK/VD9UP1QIQsgBEHAAGohBAwACwsgC/1TCw==';

/** The slice of the WebAssembly API used here (tsconfig's libs do not declare it for Node). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  grow(pages: number): number;
  readonly buffer: ArrayBuffer;
}
interface Kernels {
  xor2(dst: number, a: number, b: number, len: number): void;
  xorv(dst: number, base: number, stride: number, n: number, skip: number, len: number): void;
  nzv(base: number, stride: number, n: number, len: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = new Uint8Array(Buffer.from(MODULE_BASE64, 'base64'));
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

const WASM_PAGE_BYTES = 65536;
/** The region kernels work 64 bytes per step (four 16-byte lanes in flight). */
export const REGION_ALIGN_BYTES = 64;

/**
 * A fixed-size region of WebAssembly memory handed out as Uint8Array views; XOR of views inside it runs
 * in SIMD. Sized once: growing would detach the views already handed out.
 */
export class XorArena {
  private readonly kernels: Kernels | null;
  /** The arena's bytes; every view handed out is a window of it. */
  readonly memory: ArrayBuffer;
  private used = 0;

  constructor(readonly sizeBytes: number) {
    const module = simdModule();
    if (module) {
      const instance = new wasm!.Instance(module);
      const mem = instance.exports.mem as WasmMemory;
      mem.grow(Math.ceil(sizeBytes / WASM_PAGE_BYTES));
      this.memory = mem.buffer;
      this.kernels = instance.exports as unknown as Kernels;
    } else {
      this.memory = new ArrayBuffer(sizeBytes);
      this.kernels = null;
    }
  }

  /** A new view of `bytes` from the arena, aligned to `alignBytes` (16 unless asked). */
  allocate(bytes: number, alignBytes = 16): Uint8Array {
    const start = Math.ceil(this.used / alignBytes) * alignBytes;
    assert(start + bytes <= this.sizeBytes, 'arena has room for the allocation');
    this.used = start + bytes;
    return new Uint8Array(this.memory, start, bytes);
  }

  /** dst = a ^ b; all three are arena views of equal length (dst may alias a or b). */
  xor2(dst: Uint8Array, a: Uint8Array, b: Uint8Array): void {
    assert(dst.byteLength === a.byteLength && a.byteLength === b.byteLength, 'xor of equal-length blocks');
    assert(dst.buffer === this.memory && a.buffer === this.memory && b.buffer === this.memory, 'xor operands live in the arena');
    const len = dst.byteLength;
    const simdLen = this.kernels ? len - (len % 16) : 0;
    if (simdLen > 0) this.kernels!.xor2(dst.byteOffset, a.byteOffset, b.byteOffset, simdLen);
    for (let i = simdLen; i < len; i++) dst[i] = a[i] ^ b[i];
  }

  /** dst = sources[0] ^ sources[1] ^ ...; one source is a copy (a 2-member RAID5 is a mirror). */
  xorBlocks(dst: Uint8Array, sources: readonly Uint8Array[]): void {
    assert(sources.length >= 1, 'xor of at least one block');
    if (sources.length === 1) {
      dst.set(sources[0]);
      return;
    }
    this.xor2(dst, sources[0], sources[1]);
    for (let k = 2; k < sources.length; k++) this.xor2(dst, dst, sources[k]);
  }

  /**
   * Bytes [dstOffset, +lengthBytes) = XOR of the `count` regions at baseOffset + k * strideBytes, every k
   * but `skip` (-1 skips none). dst may be the skipped region itself (rebuilding it in place).
   */
  xorRegions(dstOffset: number, baseOffset: number, strideBytes: number, count: number, skip: number, lengthBytes: number): void {
    this.assertRegions(baseOffset, strideBytes, count, lengthBytes);
    assert(dstOffset >= 0 && dstOffset + lengthBytes <= this.sizeBytes, 'xor destination lives in the arena');
    if (this.kernels) {
      this.kernels.xorv(dstOffset, baseOffset, strideBytes, count, skip, lengthBytes);
      return;
    }
    const bytes = new Uint8Array(this.memory);
    for (let i = 0; i < lengthBytes; i++) {
      let acc = 0;
      for (let k = 0; k < count; k++) if (k !== skip) acc ^= bytes[baseOffset + k * strideBytes + i];
      bytes[dstOffset + i] = acc;
    }
  }

  /** Whether the XOR of the `count` regions at baseOffset + k * strideBytes is all zero bytes (a consistent stripe). */
  regionsXorToZero(baseOffset: number, strideBytes: number, count: number, lengthBytes: number): boolean {
    this.assertRegions(baseOffset, strideBytes, count, lengthBytes);
    if (this.kernels) return this.kernels.nzv(baseOffset, strideBytes, count, lengthBytes) === 0;
    const bytes = new Uint8Array(this.memory);
    for (let i = 0; i < lengthBytes; i++) {
      let acc = 0;
      for (let k = 0; k < count; k++) acc ^= bytes[baseOffset + k * strideBytes + i];
      if (acc !== 0) return false;
    }
    return true;
  }

  private assertRegions(baseOffset: number, strideBytes: number, count: number, lengthBytes: number): void {
    // Integer checks only: this runs once per stripe.
    if (!(lengthBytes > 0 && lengthBytes % REGION_ALIGN_BYTES === 0 && count >= 1 && baseOffset >= 0 && strideBytes >= lengthBytes)) {
      assert(false, `xor regions: ${count} x ${lengthBytes} bytes every ${strideBytes} from ${baseOffset}`);
    }
    if (baseOffset + (count - 1) * strideBytes + lengthBytes > this.sizeBytes) assert(false, 'xor regions live in the arena');
  }
}
