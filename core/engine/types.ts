/**
 * The seam between md's generic core (core/engine/md/: Mddev, Rdev, md_check_recovery, md_do_sync,
 * superblock updates, the write-intent bitmap) and the RAID4/5 personality (core/engine/raid5/:
 * R5Conf, the stripe cache, handle_stripe, raid5d). It is the same seam as `struct md_personality`
 * in the kernel, so each side can be read, built and tested on its own.
 */
import type { BlockDevice } from '../format/blockdev';

/** An array-level I/O, as a `struct bio` reaching md: sector-aligned, any length. */
export interface Bio {
  readonly op: 'read' | 'write';
  /** First array sector. */
  readonly sector: number;
  /** Read: filled by the engine. Write: the data. Length is a multiple of 512. */
  readonly data: Uint8Array;
  /** Called once, when every stripe the bio touched has finished with it. */
  endIo(error: MdIoError | null): void;
}

/** What a reader sees when md cannot return correct data (a second failure, a failed array). */
export class MdIoError extends Error {
  override name = 'MdIoError';
  constructor(message: string, readonly sector: number) {
    super(message);
  }
}

/** Per-member state bits, named as `enum flag_bits` in md.h. */
export type RdevFlag =
  | 'Faulty'
  | 'In_sync'
  | 'Bitmap_sync'
  | 'WriteMostly'
  | 'Blocked'
  | 'WriteErrorSeen'
  | 'WantReplacement'
  | 'Replacement'
  | 'ExternalBbl';

/** What the personality needs to know about one member (`struct md_rdev`). Owned by the md core. */
export interface RdevView {
  readonly dev: BlockDevice;
  /** Index into dev_roles[]: permanent, not the slot. */
  readonly devNumber: number;
  /** Slot in the array, or -1 for none (spare, removed). */
  raidDisk: number;
  /**
   * The slot it held before it left, -1 for none (`saved_raid_disk`): raid5_add_disk puts a re-added
   * member back there, and any other slot means the bitmap cannot describe it (a full recovery).
   */
  readonly savedRaidDisk?: number;
  readonly flags: Set<RdevFlag>;
  readonly dataOffsetSectors: number;
  /** Sectors below this are valid on a member that is not In_sync (recovery in progress). */
  recoveryOffsetSectors: number;
  /** Sectors of read errors corrected by rewrite (sysfs `errors`, sb cnt_corrected_read). */
  correctedErrors: number;
  /** Consecutive read errors; raid5 fails the member when it exceeds the stripe cache size. */
  readErrors: number;
  /** Bytes moved, for the UI's per-member rates. */
  readBytes: number;
  writtenBytes: number;
  /** md_rdev.badblocks (spec §4.10-4.11): absolute member sectors md will not trust or could not write. */
  readonly badblocks: BadBlockList;
}

/** The bad-block list as the personality uses it (rdev_set_badblocks / is_badblock / rdev_clear_badblocks). */
export interface BadBlockList {
  readonly count: number;
  check(startSector: number, sectors: number): boolean;
  /** false when the log cannot take the range (none, or full): the caller fails the member instead. */
  set(startSector: number, sectors: number, acknowledged: boolean): boolean;
  clear(startSector: number, sectors: number): boolean;
}

/** The sync kinds of md_do_sync, as sysfs `sync_action` names them. */
export type SyncKind = 'resync' | 'recover' | 'check' | 'repair';

/** What the personality may ask of the md core (md.c's exported helpers). */
export interface MddevView {
  readonly raidDisks: number;
  readonly level: 4 | 5;
  readonly layout: number;
  readonly chunkSectors: number;
  /** Per-member sectors used by the array (sb `size`). */
  readonly devSectors: number;
  readonly rdevs: readonly RdevView[];
  readonly trace: TraceSink;
  /** md_error: a member failed (I/O error or too many read errors). */
  mdError(rdev: RdevView, reason: string): void;
  /** The array's name for kernel log lines ("md/raid:NAME: ..."). */
  readonly name: string;
  /** printk: a kernel log line the personality writes (read error corrected, bad block recorded, ...). */
  log(line: string): void;
  /**
   * rdev_set_badblocks: record member sectors (relative to data_offset) as bad, unacknowledged until
   * the next superblock write. false when the member's log cannot take them: the caller fails it.
   */
  rdevSetBadblocks(rdev: RdevView, sector: number, sectors: number): boolean;
  /** rdev_clear_badblocks: a write over those sectors succeeded ("made good"). */
  rdevClearBadblocks(rdev: RdevView, sector: number, sectors: number): void;
  /** md_done_sync: sync I/O for `sectors` finished; ok=false interrupts the sync. */
  mdDoneSync(sectors: number, ok: boolean): void;
  /** Add to mismatch_cnt (sectors), as handle_parity_checks5 does. */
  addMismatches(sectors: number): void;
  /** md_write_start / md_write_end: dirty marking around array writes. */
  mdWriteStart(): void;
  mdWriteEnd(): void;
  readonly bitmap: WriteIntentBitmap | null;
  /** md_check_recovery: raid5d calls it first on every pass, as in the kernel. */
  mdCheckRecovery(): void;
  /** Optional: the fault layer's hooks around member I/O (logical time, power-cut undo records). */
  readonly memberIo?: MemberIoHooks | null;
  /** Optional: md's clock (real or virtual), which daemon()'s ioDeadlineMs is measured on. */
  readonly clock?: { nowMs(): number };
}

/**
 * The fault layer's hooks around member I/O (docs/ARCHITECTURE.md, "Fault layer"). Member I/O is
 * synchronous, but its completion (bi_end_io) runs on a later raid5d pass, no earlier than the
 * member's completionTimeMs — so a power cut between the two finds the write in flight.
 */
export interface MemberIoHooks {
  /** Logical time in ms (the engine's Clock). */
  nowMs(): number;
  /** Start of every raid5d pass, before completions are reaped (where FaultTimeline.poll belongs). */
  pass?(): void;
  /** Right before a member write is issued (PowerCutDomain.submit); the token comes back in writeCompleted. */
  writeSubmitted?(rdev: RdevView, offsetBytes: number, lengthBytes: number, nowMs: number): number;
  /** The write's completion ran, success or error (PowerCutDomain.complete). */
  writeCompleted?(token: number): void;
}

/** The write-intent bitmap as the personality drives it (md-bitmap.c's entry points). */
export interface WriteIntentBitmap {
  /** bitmap_startwrite: must be called before data or parity of the range reaches any member. */
  startWrite(offsetSectors: number, sectors: number): void;
  /** bitmap_endwrite. `degraded` keeps the bits NEEDED so a later recovery covers them. */
  endWrite(offsetSectors: number, sectors: number, success: boolean, degraded: boolean): void;
  /** bitmap_unplug: write dirty bitmap pages to every member; raid5 holds writes until this. */
  unplug(): void;
  /** bitmap_start_sync: does the region at `offsetSectors` need syncing, and how far does the answer hold. */
  startSync(offsetSectors: number, degraded: boolean): { needSync: boolean; sectors: number };
  endSync(offsetSectors: number): void;
}

/** `struct md_personality`, narrowed to what RAID4/5 uses. Made by `createRaid5Personality(mddev)` in raid5/. */
export interface Personality {
  readonly name: 'raid4' | 'raid5';
  /** Array sectors served (md's array size). */
  readonly arraySectors: number;
  /** make_request: split the bio over stripes; it completes later, from daemon(). */
  makeRequest(bio: Bio): void;
  /**
   * sync_request for per-member sector `sectorNr`. Returns the sectors this call accounted for
   * (8 for one stripe, more when a bitmap-clean range or a degraded SYNC is skipped), or 0 when the
   * stripe cache is full and md_do_sync should come back after the daemon has run.
   */
  syncRequest(sectorNr: number, kind: SyncKind): number;
  /**
   * True when the last syncRequest skipped its range (bitmap-clean, or a SYNC on a degraded array):
   * no I/O was issued and md_done_sync will not be called for it (the kernel's `*skipped = 1`).
   * Optional: without it md treats any return other than one stripe (8 sectors) as a skip, which is
   * ambiguous only with a 4 KiB bitmap chunk.
   */
  readonly lastSyncSkipped?: boolean;
  /** raid5_error: the personality's reaction to md_error (degraded count, Faulty). */
  errorHandler(rdev: RdevView): void;
  hotAddDisk(rdev: RdevView): boolean;
  hotRemoveDisk(rdev: RdevView): boolean;
  /** raid5_spare_active: members whose recovery finished become In_sync; returns how many. */
  spareActive(): number;
  /** Number of slots without an In_sync member. */
  degraded(): number;
  /**
   * One raid5d pass: handle stripes, issue merged member I/O. Returns whether it did any work. Member I/O
   * is synchronous, so past `ioDeadlineMs` (the md clock's time) the pass starts at most one more member
   * I/O and leaves the rest queued (plugged) for the next pass: one slow read cannot stretch a slice.
   */
  daemon(ioDeadlineMs?: number): boolean;
  /** True when no stripe is active and no member I/O is in flight. */
  idle(): boolean;
  /**
   * Optional: the earliest logical time (ms) an in-flight member I/O may complete, null when none.
   * When nothing else is runnable the md loop sleeps (or advances a virtual clock) to it.
   */
  nextIoCompletionMs?(): number | null;
  setStripeCacheSize(stripes: number): void;
  status(): PersonalityStatus;
}

export interface PersonalityStatus {
  stripeCacheSize: number;
  stripeCacheActive: number;
  /** Stripes handled in the last daemon pass, with the flags they showed. */
  recentStripes: readonly { sector: number; flags: readonly string[] }[];
}

/** One step of the kernel machinery, for the trace timeline. */
export interface TraceEvent {
  /** Engine logical time in milliseconds. */
  timeMs: number;
  fn:
    | 'raid5d'
    | 'md_check_recovery'
    | 'md_do_sync'
    | 'sync_request'
    | 'handle_stripe'
    | 'md_update_sb'
    | 'md_error'
    | 'bitmap_daemon';
  /** Stripe sector (per member) when the step concerns one stripe. */
  sector?: number;
  /** Member index when the step concerns one member. */
  member?: number;
  /** State bits seen on entry (e.g. STRIPE_HANDLE, R5_Wantread on a member). */
  flags?: readonly string[];
  /** Decision or action taken, in a few words ("compute missing block from parity", "start recovery"). */
  action: string;
}

/** Where trace steps go; the md core owns the bounded ring buffer and its sampling controls. */
export interface TraceSink {
  /** Cheap test so hot paths skip building events nobody will keep. */
  wants(fn: TraceEvent['fn']): boolean;
  emit(event: Omit<TraceEvent, 'timeMs'>): void;
}
