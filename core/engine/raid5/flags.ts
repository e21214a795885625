/**
 * The state bits of raid5.c, kept as bit masks in one number per stripe and per member block so that
 * analyse/handle can test and set them without allocating. Names are the kernel's, so a trace reads
 * like the kernel's own debugging output.
 *
 * Hot modules rebind them locally (`const R5 = R5_BITS`): under vitest and tsx every read through a
 * module namespace is a getter call, which cost a fifth of a resync's CPU time.
 */

/** `enum stripe_state`: what the stripe as a whole is waiting for or doing. */
export const STRIPE = {
  /** Being handled right now; never seen by the lists. */
  ACTIVE: 1 << 0,
  /** Needs another handleStripe pass. */
  HANDLE: 1 << 1,
  /** md_do_sync asked for this stripe; turns into SYNCING on the next pass. */
  SYNC_REQUESTED: 1 << 2,
  SYNCING: 1 << 3,
  /** Parity verified (or rewritten) for the running sync. */
  INSYNC: 1 << 4,
  /** Wants pre-reads for a write; parked so more writes can join and make it a full-stripe write. */
  DELAYED: 1 << 5,
  /** Allowed to issue those pre-reads. */
  PREREAD_ACTIVE: 1 << 6,
  /** A write skipped a missing member: the bitmap must keep the region dirty. */
  DEGRADED: 1 << 7,
  /** Holds new bitmap bits that must reach the members before its writes. */
  BIT_DELAY: 1 << 8,
  /** Every data block is being overwritten (counted in pending_full_writes). */
  FULL_WRITE: 1 << 9,
} as const;

/** `enum r5dev_flags`: the state of one member's 4 KiB block in a stripe. */
export const R5 = {
  /** The page holds the block's current contents. */
  UPTODATE: 1 << 0,
  /** I/O is queued or in flight for the block; nothing else may touch the page. */
  LOCKED: 1 << 1,
  Wantread: 1 << 2,
  Wantwrite: 1 << 3,
  /** The member is usable for this block (In_sync, or recovered past it). Set by analyse. */
  Insync: 1 << 4,
  /** Pending writes cover the whole block, so the old contents are not needed for it. */
  OVERWRITE: 1 << 5,
  /** The block was rebuilt from the others (kept for the trace; computing is synchronous here). */
  Wantcompute: 1 << 6,
  /** Reading failed twice: treat as missing, rebuild, rewrite (spec §4.10). */
  ReadError: 1 << 7,
  /** The rebuilt block was written back; the next read of it verifies the correction. */
  ReWrite: 1 << 8,
  /** Read this block alone, not merged with its neighbours (the retry after a failed merged read). */
  ReadNoMerge: 1 << 9,
  /** The last write of this block failed. */
  WriteError: 1 << 10,
} as const;

/** Names by bit pattern, built once per pattern: a sampled trace names a few patterns over and over. */
class FlagNamer {
  private readonly entries: [string, number][];
  private readonly known = new Map<number, readonly string[]>();

  constructor(table: Record<string, number>, prefix: string) {
    this.entries = Object.entries(table).map(([name, mask]) => [prefix + name, mask]);
  }

  /** A fresh array (callers append to it). */
  names(bits: number): string[] {
    let names = this.known.get(bits);
    if (names === undefined) {
      names = this.entries.filter(([, mask]) => bits & mask).map(([name]) => name);
      // Patterns are few; the bound only guards against a caller passing arbitrary numbers.
      if (this.known.size < 4096) this.known.set(bits, names);
    }
    return names.slice();
  }
}

const STRIPE_NAMER = new FlagNamer(STRIPE, 'STRIPE_');
const R5_NAMER = new FlagNamer(R5, 'R5_');

export function stripeStateNames(state: number): string[] {
  return STRIPE_NAMER.names(state);
}

export function devFlagNames(flags: number): string[] {
  return R5_NAMER.names(flags);
}
