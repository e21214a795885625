/**
 * Stripe pages live in slabs: one WebAssembly memory per group of stripes (core/util/xor-simd's
 * XorArena), so parity arithmetic runs 16 bytes at a time and every page is a zero-copy iovec for
 * readv/writev. Slabs are made as the cache grows and kept: memory stays bounded by the largest
 * stripe_cache_size the array has had.
 *
 * The layout is member-major: member i's page of the stripe in slot s sits at
 * (i * STRIPES_PER_SLAB + s) * STRIPE_BYTES. So one stripe's pages are evenly spaced (one SIMD pass
 * folds every member: parity.ts), and stripes in consecutive slots have each member's pages back to
 * back (a run of them is one buffer for member I/O and bio copies: io.ts).
 */
import { assert } from '../../util/assert';
import { XorArena } from '../../util/xor-simd';
import { STRIPE_BYTES } from './stripe-bytes';
import type { StripeHead } from './stripe-head';

/**
 * The default stripe_cache_size fits one slab, so the hot parity XOR calls one WebAssembly instance's
 * export: with a slab per 32 stripes that call site saw eight instances and went through V8's generic
 * JS-to-wasm wrapper. Untouched arena pages cost address space only, not memory.
 */
export const STRIPES_PER_SLAB = 256;

export class StripeSlab {
  readonly arena: XorArena;
  /** Bytes from a stripe's page of member i to its page of member i + 1. */
  readonly memberStrideBytes = STRIPES_PER_SLAB * STRIPE_BYTES;
  /** One spare page per slab (the engine is single-threaded). */
  readonly scratch: Buffer;
  /** The stripe in each slot handed out (conf.ts fills it). */
  readonly stripes: StripeHead[] = [];
  private handedOut = 0;

  constructor(readonly disks: number) {
    this.arena = new XorArena((STRIPES_PER_SLAB * disks + 1) * STRIPE_BYTES);
    const pages = this.arena.allocate(STRIPES_PER_SLAB * disks * STRIPE_BYTES, STRIPE_BYTES);
    assert(pages.byteOffset === 0, 'the pages start the arena, so page offsets are arena offsets');
    this.scratch = this.view(STRIPES_PER_SLAB * disks * STRIPE_BYTES, STRIPE_BYTES);
  }

  get full(): boolean {
    return this.handedOut === STRIPES_PER_SLAB;
  }

  /** The next free slot. */
  takeSlot(): number {
    assert(!this.full, 'a full slab hands out no slot');
    return this.handedOut++;
  }

  /** Arena offset of member i's page in slot s. */
  pageOffset(slot: number, i: number): number {
    return (i * STRIPES_PER_SLAB + slot) * STRIPE_BYTES;
  }

  /**
   * A Buffer over arena bytes: equals() compares with memcmp, and a Buffer is what readv/writev take.
   * Runs of consecutive slots are views of this kind too.
   */
  view(offsetBytes: number, lengthBytes: number): Buffer {
    return Buffer.from(this.arena.memory, offsetBytes, lengthBytes);
  }
}
