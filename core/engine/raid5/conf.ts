/**
 * R5Conf (`struct r5conf`): the personality's private state — geometry, which member sits in each slot,
 * and the stripe cache with its hash by sector and its lists. Stripes are allocated lazily up to
 * max_nr_stripes (stripe_cache_size), so memory is bounded by the cache whatever the member size.
 */
import { parityDisk, type Geometry } from '../../format/layout';
import { assert } from '../../util/assert';
import type { MddevView, RdevView } from '../types';
import type { BioTracker } from './bio';
import { STRIPE as STRIPE_BITS } from './flags';
import { StripeSlab } from './slab';
import { StripeHead, STRIPE_BYTES, STRIPE_SECTORS } from './stripe-head';
import { StripeHash } from './stripe-hash';
import { StripeList } from './stripe-list';

const STRIPE = STRIPE_BITS;

export const NR_STRIPES = 256;
export const MIN_STRIPES = 17;
export const MAX_STRIPES = 32768;
/** raid5's IO_THRESHOLD: delayed stripes are activated only while fewer pre-reads than this run. */
export const IO_THRESHOLD = 1;
/** handle_active_stripes' batch (MAX_STRIPE_BATCH). */
export const MAX_STRIPE_BATCH = 8;
/**
 * Member bytes one raid5d pass may touch: the unplug performs its I/O synchronously, so this bounds how
 * long one pass holds the engine host (a 16-member array would otherwise read 16 MiB per pass and blow the
 * 16 ms slice), while 2 MiB still merges into runs of 128 KiB (16 members) to 512 KiB (4) per member.
 */
export const PASS_IO_BYTES = 2 * 1024 * 1024;

export class R5Conf {
  readonly geometry: Geometry;
  readonly disks: number;
  readonly maxDegraded = 1;
  /** Per-member sectors served, rounded down to whole chunks as the kernel does at start. */
  readonly devSectors: number;
  readonly arraySectors: number;
  /** Stripes one raid5d pass handles: PASS_IO_BYTES of member blocks, and never less than a batch. */
  readonly passStripes: number;
  /** Stripes sync_request has handed to raid5d whose md_done_sync has not come yet. */
  syncStripesInFlight = 0;

  maxNrStripes = NR_STRIPES;
  private allocated = 0;
  private slab: StripeSlab | null = null;
  private readonly hash = new StripeHash();
  readonly inactive = new StripeList('inactive');
  readonly handleList = new StripeList('handle');
  readonly holdList = new StripeList('hold');
  readonly delayedList = new StripeList('delayed');
  readonly bitmapList = new StripeList('bitmap');

  /** conf->disks[i].rdev: the member in each slot, refreshed from the md core's rdevs. */
  readonly slots: (RdevView | null)[];
  /** Per slot, cached at each refresh (analyse runs per stripe): 1 when the member is In_sync and not Faulty. */
  readonly slotInSync: Uint8Array;
  /** Per slot: 1 when there is a member that is not Faulty (it may still be recovering). */
  readonly slotUsable: Uint8Array;
  /** Slots without an In_sync member at the last refresh (raid5_calc_degraded; sync_request asks per stripe). */
  degradedSlots = 0;
  prereadActiveStripes = 0;
  pendingFullWrites = 0;
  bypassCount = 0;
  /** preread_bypass_threshold (sysfs), default 1. */
  bypassThreshold = 1;
  lastHold: StripeHead | null = null;
  /** The stripe getActiveStripe took last (a hint for the next one's slot). */
  private lastTaken: StripeHead | null = null;
  /** The last sync_request skipped its range without I/O (the kernel's `*skipped`). */
  lastSyncSkipped = false;
  /** A member was added that the bitmap cannot describe: recovery must ignore the bitmap. */
  fullsync = false;
  /** Bios split only partly because the cache was full or a block was busy (FIFO). */
  readonly deferred: BioTracker[] = [];
  /** Bios finished during a pass; ended after it so callbacks never re-enter handleStripe. */
  readonly returnBios: BioTracker[] = [];
  /** The batch raid5d is handling (handle_active_stripes' `batch`), kept so each pass allocates nothing. */
  readonly batch: StripeHead[] = new Array<StripeHead>(MAX_STRIPE_BATCH);
  /** Stripes whose rcw biodrain and parity wait for the end of the raid5d pass (ops.ts). */
  readonly pendingOps: StripeHead[] = [];

  constructor(readonly mddev: MddevView) {
    this.geometry = { level: mddev.level, raidDisks: mddev.raidDisks, algorithm: mddev.layout, chunkSectors: mddev.chunkSectors };
    this.disks = mddev.raidDisks;
    this.devSectors = mddev.devSectors - (mddev.devSectors % mddev.chunkSectors);
    this.arraySectors = this.devSectors * (this.disks - 1);
    this.passStripes = Math.max(MAX_STRIPE_BATCH, Math.floor(PASS_IO_BYTES / (this.disks * STRIPE_BYTES)));
    this.slots = new Array<RdevView | null>(this.disks).fill(null);
    this.slotInSync = new Uint8Array(this.disks);
    this.slotUsable = new Uint8Array(this.disks);
    this.refreshSlots();
  }

  /** The md core moves members between slots; take its word for who is where. */
  refreshSlots(): void {
    this.slots.fill(null);
    for (const rdev of this.mddev.rdevs) {
      if (rdev.raidDisk < 0 || rdev.raidDisk >= this.disks) continue;
      // While the md core swaps a failed member out, the working one is the slot's member.
      const current = this.slots[rdev.raidDisk];
      if (current === null || (current.flags.has('Faulty') && !rdev.flags.has('Faulty'))) this.slots[rdev.raidDisk] = rdev;
    }
    for (let i = 0; i < this.disks; i++) {
      const rdev = this.slots[i];
      const usable = rdev !== null && !rdev.flags.has('Faulty');
      this.slotUsable[i] = usable ? 1 : 0;
      this.slotInSync[i] = usable && rdev.flags.has('In_sync') ? 1 : 0;
    }
    this.degradedSlots = 0;
    for (let i = 0; i < this.disks; i++) this.degradedSlots += 1 - this.slotInSync[i];
  }

  /** Slots with no member to send I/O to (empty or Faulty). */
  unusableSlots(): number {
    let unusable = 0;
    for (let i = 0; i < this.disks; i++) unusable += 1 - this.slotUsable[i];
    return unusable;
  }

  /** raid5_remove_disk's half: the slot is empty from now on (the md core then resets raidDisk). */
  clearSlot(i: number): void {
    this.degradedSlots += this.slotInSync[i];
    this.slots[i] = null;
    this.slotUsable[i] = 0;
    this.slotInSync[i] = 0;
  }

  /** The member to send I/O for slot i to, or null when the slot is empty or its member failed. */
  usableRdev(i: number): RdevView | null {
    return this.slotUsable[i] === 1 ? this.slots[i] : null;
  }

  /** Whether slot i's member holds valid data for the stripe at `sector` (In_sync, or recovered past it). */
  memberInSync(i: number, sector: number): boolean {
    if (this.slotInSync[i] === 1) return true;
    return this.slotUsable[i] === 1 && sector + STRIPE_SECTORS <= this.slots[i]!.recoveryOffsetSectors;
  }

  get activeStripes(): number {
    return this.hash.size;
  }

  /**
   * raid5_get_active_stripe: the stripe for `sector`, taken off whatever list it was on so the caller
   * can add work before releasing it; null when the cache is full (the kernel would sleep).
   */
  getActiveStripe(sector: number): StripeHead | null {
    if (sector % STRIPE_SECTORS !== 0 || sector >= this.devSectors) assert(false, `stripe sector ${sector} is aligned and inside the member`);
    let sh = this.hash.find(sector);
    if (sh !== null) {
      sh.list?.remove(sh);
      return sh;
    }
    sh = this.takeFreeStripe(sector);
    if (sh === null) {
      if (this.allocated >= this.maxNrStripes) return null;
      if (this.slab === null || this.slab.full) this.slab = new StripeSlab(this.disks);
      sh = new StripeHead(this.disks, this.slab);
      this.slab.stripes[sh.slot] = sh;
      this.allocated++;
    }
    sh.init(sector, parityDisk(this.geometry, Math.floor(sector / this.geometry.chunkSectors)));
    this.hash.insert(sh);
    this.lastTaken = sh;
    return sh;
  }

  /**
   * get_free_stripe, preferring the free stripe in the slot after the one that took the previous
   * sector: a sequential stream (a sync, a large write) then sits in consecutive slots, and its member
   * pages are back to back for merged I/O. Free stripes hold nothing, so which one is taken changes no
   * outcome.
   */
  private takeFreeStripe(sector: number): StripeHead | null {
    const last = this.lastTaken;
    if (last !== null && last.sector === sector - STRIPE_SECTORS) {
      const next = last.slab.stripes[last.slot + 1];
      if (next !== undefined && next.list === this.inactive) {
        this.inactive.remove(next);
        return next;
      }
    }
    return this.inactive.popHead();
  }

  /** do_release_stripe: put the stripe on the list its state asks for, or back in the free pool. */
  releaseStripe(sh: StripeHead): void {
    if (sh.list !== null) assert(false, `released stripe ${sh.sector} is on no list`);
    if (sh.ioPending > 0) return;
    if (sh.test(STRIPE.HANDLE)) {
      if (sh.test(STRIPE.DELAYED) && !sh.test(STRIPE.PREREAD_ACTIVE)) this.delayedList.pushTail(sh);
      else if (sh.test(STRIPE.BIT_DELAY)) this.bitmapList.pushTail(sh);
      else {
        sh.clear(STRIPE.DELAYED);
        this.handleList.pushTail(sh);
      }
      return;
    }
    if (sh.test(STRIPE.PREREAD_ACTIVE)) {
      sh.clear(STRIPE.PREREAD_ACTIVE);
      this.prereadActiveStripes--;
    }
    if (!sh.quiescent) assert(false, `stripe ${sh.sector} released without HANDLE still has work`);
    this.hash.remove(sh);
    sh.sector = -1;
    if (this.allocated > this.maxNrStripes) this.allocated--;
    else this.inactive.pushTail(sh);
  }

  /** stripe_cache_size: shrinking frees idle stripes now and busy ones as they are released. */
  setMaxNrStripes(stripes: number): void {
    if (!(Number.isInteger(stripes) && stripes >= MIN_STRIPES && stripes <= MAX_STRIPES)) assert(false, `stripe_cache_size ${stripes} within ${MIN_STRIPES}..${MAX_STRIPES}`);
    this.maxNrStripes = stripes;
    while (this.allocated > stripes && this.inactive.popHead() !== null) this.allocated--;
  }

  /** Nothing cached is doing anything and no bio waits. */
  get idle(): boolean {
    return this.hash.size === 0 && this.deferred.length === 0 && this.returnBios.length === 0;
  }
}
