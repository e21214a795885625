/**
 * StripeHead (`struct stripe_head`): one 4 KiB-deep slice across every member at the same member
 * sector, with a page per member (`dev[i]`). Pages are views into a slab (slab.ts) taken when the
 * stripe is created, so handling and I/O never allocate per block.
 */
import type { SyncKind } from '../types';
import type { BioPart } from './bio';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS } from './flags';
import type { StripeSlab } from './slab';
import type { StripeList } from './stripe-list';
import { STRIPE_BYTES } from './stripe-bytes';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

export { STRIPE_BYTES, STRIPE_SECTORS } from './stripe-bytes';

/** `struct r5dev`: one member's block in the stripe. */
export class R5Dev {
  flags = 0;
  /** Readers waiting for this block. */
  toread: BioPart | null = null;
  /** Writers whose data is not yet in the page. */
  towrite: BioPart | null = null;
  /** Writers whose data is in the page, waiting for the member write to finish. */
  written: BioPart | null = null;
  towriteBytes = 0;

  constructor(
    readonly page: Buffer,
    /** The page's offset in its slab's arena (what the XOR kernels and run merging use). */
    readonly pageOffset: number,
  ) {}

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  reset(): void {
    this.flags = 0;
    this.towriteBytes = 0;
    this.toread = null;
    this.towrite = null;
    this.written = null;
  }
}

export class StripeHead {
  /** Member sector of the stripe (a multiple of 8); -1 while unused. */
  sector = -1;
  pdIdx = 0;
  state = 0;
  /** What the sync that requested this stripe is doing. */
  syncKind: SyncKind | null = null;
  /** Member I/Os submitted and not yet completed; the stripe stays off every list meanwhile. */
  ioPending = 0;
  /** Its rcw biodrain and parity wait for the end of the raid5d pass (ops.ts): the pages are not final. */
  opsPending = false;
  readonly dev: R5Dev[];
  /** Slot in the slab: stripes in consecutive slots have each member's pages back to back. */
  readonly slot: number;

  /** Intrusive list links (`sh->lru`): a stripe is on at most one list. */
  list: StripeList | null = null;
  prev: StripeHead | null = null;
  next: StripeHead | null = null;
  /** Next stripe in its hash bucket (stripe-hash.ts). */
  hashNext: StripeHead | null = null;

  constructor(
    readonly disks: number,
    /** Where the pages live; parity arithmetic runs in its arena. */
    readonly slab: StripeSlab,
  ) {
    this.slot = slab.takeSlot();
    this.dev = [];
    for (let i = 0; i < disks; i++) {
      const offset = slab.pageOffset(this.slot, i);
      this.dev.push(new R5Dev(slab.view(offset, STRIPE_BYTES), offset));
    }
  }

  test(bit: number): boolean {
    return (this.state & bit) !== 0;
  }

  set(bit: number): void {
    this.state |= bit;
  }

  clear(bit: number): void {
    this.state &= ~bit;
  }

  /** init_stripe: take the stripe for a new sector; the previous contents are forgotten. */
  init(sector: number, pdIdx: number): void {
    this.sector = sector;
    this.pdIdx = pdIdx;
    this.state = 0;
    this.syncKind = null;
    this.ioPending = 0;
    this.opsPending = false;
    for (const dev of this.dev) dev.reset();
  }

  /** Nothing waits on the stripe: it may go back to the inactive list. */
  get quiescent(): boolean {
    if (this.ioPending > 0 || this.state & (STRIPE.SYNCING | STRIPE.SYNC_REQUESTED | STRIPE.HANDLE)) return false;
    for (const dev of this.dev) {
      if (dev.toread !== null || dev.towrite !== null || dev.written !== null || dev.flags & R5.LOCKED) return false;
    }
    return true;
  }
}
