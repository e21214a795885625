/**
 * Stripe pages live in slabs: one WebAssembly memory per group of stripes (core/util/xor-simd's
 * XorArena), so parity arithmetic runs 16 bytes at a time and every page is a zero-copy iovec for
 * readv/writev. Slabs are made as the cache grows and kept: memory stays bounded by the largest
 * stripe_cache_size the array has had.
 */
import { XorArena } from '../../util/xor-simd';
import { STRIPE_BYTES } from './stripe-bytes';

/**
 * The default stripe_cache_size fits one slab, so the hot parity XOR calls one WebAssembly instance's
 * export: with a slab per 32 stripes that call site saw eight instances and went through V8's generic
 * JS-to-wasm wrapper. Untouched arena pages cost address space only, not memory.
 */
export const STRIPES_PER_SLAB = 256;

export class StripeSlab {
  readonly arena: XorArena;
  /** One spare page per slab for parity checks (the engine is single-threaded). */
  readonly scratch: Buffer;
  private handedOut = 0;

  constructor(readonly disks: number) {
    this.arena = new XorArena((STRIPES_PER_SLAB * disks + 1) * STRIPE_BYTES);
    this.scratch = this.page();
  }

  get full(): boolean {
    return this.handedOut === STRIPES_PER_SLAB;
  }

  /** The pages of one more stripe. */
  takeStripe(): Buffer[] {
    this.handedOut++;
    const pages: Buffer[] = [];
    for (let i = 0; i < this.disks; i++) pages.push(this.page());
    return pages;
  }

  private page(): Buffer {
    const view = this.arena.allocate(STRIPE_BYTES);
    // A Buffer over the same bytes: equals() compares pages with memcmp.
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
}
