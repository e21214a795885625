/**
 * A 16-bytes-at-a-time XOR for blocks that live in one WebAssembly memory (an "arena"): ~15x the
 * JavaScript word loop, which is what lets a degraded RAID5 read keep up with the disks. The module is
 * hand-assembled (one function, `xor2(dst, a, b, len)`: dst = a ^ b over len bytes, len a multiple of 16)
 * so mdlab needs no toolchain or dependency for it.
 */
import { assert } from './assert';

const XOR2_BODY = [
  0x01, 0x01, 0x7f, // one i32 local: i
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x04, 0x20, 0x03, 0x4f, 0x0d, 0x01, // if i >= len: break
  0x20, 0x00, 0x20, 0x04, 0x6a, // store address dst + i
  0x20, 0x01, 0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00, // v128.load a + i
  0x20, 0x02, 0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00, // v128.load b + i
  0xfd, 0x51, // v128.xor
  0xfd, 0x0b, 0x00, 0x00, // v128.store
  0x20, 0x04, 0x41, 0x10, 0x6a, 0x21, 0x04, // i += 16
  0x0c, 0x00, // continue
  0x0b, 0x0b, 0x0b, // end loop, block, function
];

function section(id: number, bytes: number[]): number[] {
  assert(bytes.length < 128, 'section size fits one LEB128 byte');
  return [id, bytes.length, ...bytes];
}

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 i32 i32 i32) -> ()
  ...section(3, [0x01, 0x00]), // one function of that type
  ...section(5, [0x01, 0x00, 0x00]), // one memory, 0 pages to start
  ...section(7, [0x02, 0x04, 0x78, 0x6f, 0x72, 0x32, 0x00, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00]), // exports xor2, mem
  ...section(10, [0x01, XOR2_BODY.length, ...XOR2_BODY]),
]);

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
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function simdModule(): object | null {
  if (compiled === undefined) compiled = wasm?.validate(MODULE_BYTES) ? new wasm.Module(MODULE_BYTES) : null;
  return compiled;
}

const WASM_PAGE_BYTES = 65536;

/**
 * A fixed-size region of WebAssembly memory handed out as Uint8Array views; XOR of views inside it runs
 * in SIMD. Sized once: growing would detach the views already handed out.
 */
export class XorArena {
  private readonly xor2Fn: ((dst: number, a: number, b: number, len: number) => void) | null;
  private readonly memory: ArrayBuffer;
  private used = 0;

  constructor(readonly sizeBytes: number) {
    const module = simdModule();
    if (module) {
      const instance = new wasm!.Instance(module);
      const mem = instance.exports.mem as WasmMemory;
      mem.grow(Math.ceil(sizeBytes / WASM_PAGE_BYTES));
      this.memory = mem.buffer;
      this.xor2Fn = instance.exports.xor2 as (dst: number, a: number, b: number, len: number) => void;
    } else {
      this.memory = new ArrayBuffer(sizeBytes);
      this.xor2Fn = null;
    }
  }

  /** A new view of `bytes` from the arena, 16-byte aligned. */
  allocate(bytes: number): Uint8Array {
    const start = Math.ceil(this.used / 16) * 16;
    assert(start + bytes <= this.sizeBytes, 'arena has room for the allocation');
    this.used = start + bytes;
    return new Uint8Array(this.memory, start, bytes);
  }

  /** dst = a ^ b; all three are arena views of equal length (dst may alias a or b). */
  xor2(dst: Uint8Array, a: Uint8Array, b: Uint8Array): void {
    assert(dst.byteLength === a.byteLength && a.byteLength === b.byteLength, 'xor of equal-length blocks');
    assert(dst.buffer === this.memory && a.buffer === this.memory && b.buffer === this.memory, 'xor operands live in the arena');
    const len = dst.byteLength;
    const simdLen = this.xor2Fn ? len - (len % 16) : 0;
    if (simdLen > 0) this.xor2Fn!(dst.byteOffset, a.byteOffset, b.byteOffset, simdLen);
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
}
