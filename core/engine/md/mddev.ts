/**
 * Mddev (`struct mddev`): one running array's generic md state and the md thread loop. It implements
 * MddevView for the RAID4/5 personality and owns everything the kernel keeps in md.c: events,
 * recovery_cp, clean/dirty and safemode, the recovery flag bits, the sync thread, member changes.
 */
import { assert } from '../../util/assert';
import type { Clock } from '../clock';
import type { TraceRing } from '../trace';
import type { MemberIoHooks, Personality, RdevView, SyncKind, TraceEvent } from '../types';
import type { MdBitmap } from './bitmap';
import { mdCheckRecovery } from './check-recovery';
import type { SyncThread } from './do-sync';
import {
  SAFEMODE_DELAY_MS,
  SPEED_LIMIT_MAX_KIB_PER_SEC,
  SPEED_LIMIT_MIN_KIB_PER_SEC,
  type RecoveryFlag,
  type SbChangeFlag,
} from './flags';
import { MAX_SECTOR_NUM, Rdev } from './rdev';
import { nextEvents, writeSuperblocks, type SbArrayFacts } from './super-sync';

export type LastSyncAction = 'none' | 'resync' | 'recovery' | 'check' | 'repair';

export interface MddevConfig {
  /** Kernel device name, "md0". */
  name: string;
  level: 4 | 5;
  layout: number;
  chunkSectors: number;
  raidDisks: number;
  devSectors: number;
  events: bigint;
  recoveryCp: number;
  clock: Clock;
  trace: TraceRing;
  /** Signed sectors from the superblock to the internal bitmap; null without one. */
  bitmapOffsetSectors: number | null;
}

/** md thread passes per run() slice: keeps slices short under a virtual clock, where time stands still. */
const MAX_PASSES_PER_RUN = 32;
/** The part of a run() slice in which raid5d may start member I/O (see run()). */
const MEMBER_IO_SHARE_OF_SLICE = 0.125;

/** Kernel log lines kept for the UI and the CLI (bounded like dmesg's ring). */
const LOG_LIMIT = 512;

export class Mddev {
  readonly name: string;
  readonly level: 4 | 5;
  readonly layout: number;
  readonly chunkSectors: number;
  readonly raidDisks: number;
  readonly devSectors: number;
  readonly clock: Clock;
  readonly trace: TraceRing;
  readonly bitmapOffsetSectors: number | null;
  rdevs: Rdev[] = [];
  pers: Personality | null = null;
  bitmap: MdBitmap | null = null;
  /** The fault layer's hooks around member I/O (power-cut undo records, logical completion time), when it has one. */
  memberIo: MemberIoHooks | null = null;

  events: bigint;
  canDecreaseEvents = false;
  /** Sectors below which parity is known good; MaxSector (Infinity) when the array is in sync. */
  recoveryCp: number;
  /** Clean: no write in flight since the last safemode transition. */
  inSync = true;
  readOnly = false;
  /** MD_BROKEN: more members lost than RAID5 survives. */
  broken = false;
  stopped = false;
  readonly recovery = new Set<RecoveryFlag>();
  readonly sbFlags = new Set<SbChangeFlag>();

  writesPending = 0;
  safemodeDelayMs = SAFEMODE_DELAY_MS;
  private safemodeDeadlineMs: number | null = null;

  syncThread: SyncThread | null = null;
  /** Sync sectors issued but not yet completed (recovery_active). */
  recoveryActive = 0;
  currResync = 0;
  currResyncCompleted = 0;
  resyncMin = 0;
  resyncMax = MAX_SECTOR_NUM;
  mismatches = 0;
  lastSyncAction: LastSyncAction = 'none';
  /** Per-array overrides of the sysctl speed limits (sysfs sync_speed_min/max); null = "system". */
  speedLimitMinLocal: number | null = null;
  speedLimitMaxLocal: number | null = null;
  /** Array I/O other than sync, in sectors: md_do_sync yields to it (is_mddev_idle). */
  otherIoSectors = 0;
  private nextBindSeq = 1;
  private readonly logLines: string[] = [];
  /** Lines ever logged; with `logs` (the newest ones) a reader can tell which it has not seen. */
  logSeq = 0;

  constructor(config: MddevConfig) {
    this.name = config.name;
    this.level = config.level;
    this.layout = config.layout;
    this.chunkSectors = config.chunkSectors;
    this.raidDisks = config.raidDisks;
    this.devSectors = config.devSectors;
    this.events = config.events;
    this.recoveryCp = config.recoveryCp;
    this.clock = config.clock;
    this.trace = config.trace;
    this.bitmapOffsetSectors = config.bitmapOffsetSectors;
    assert(this.devSectors % this.chunkSectors === 0, 'component size is a whole number of chunks');
  }

  // ---- members ----

  bind(rdev: Rdev): void {
    assert(!this.rdevs.includes(rdev), 'a member is bound once');
    assert(!this.rdevs.some((r) => r.devNumber === rdev.devNumber), `dev_number ${rdev.devNumber} is unique in the array`);
    rdev.bindSeq = this.nextBindSeq++;
    this.rdevs.push(rdev);
  }

  unbind(rdev: Rdev): void {
    assert(rdev.raidDisk < 0, 'only a member without a slot is unbound');
    this.rdevs = this.rdevs.filter((r) => r !== rdev);
    rdev.dev.close();
  }

  degraded(): number {
    if (this.pers !== null) return this.pers.degraded();
    let working = 0;
    for (const rdev of this.rdevs) if (rdev.raidDisk >= 0 && rdev.inSync) working++;
    return this.raidDisks - working;
  }

  // ---- MddevView ----

  mdError(view: RdevView, reason: string): void {
    const rdev = this.rdevOf(view);
    if (rdev.faulty) return;
    const wasRunning = this.recovery.has('RUNNING');
    if (this.pers !== null) this.pers.errorHandler(rdev);
    rdev.flags.add('Faulty');
    rdev.flags.delete('In_sync');
    const degraded = this.degraded();
    this.log(`md/raid:${this.name}: Disk failure on ${rdev.name}, disabling device.`);
    if (degraded > 1) {
      this.broken = true;
      this.log(`md/raid:${this.name}: Cannot continue operation (${degraded}/${this.raidDisks} failed).`);
    } else {
      this.log(`md/raid:${this.name}: Operation continuing on ${this.raidDisks - degraded} devices.`);
    }
    if (degraded > 0 && !this.broken) this.warnWriteHole(rdev);
    if (wasRunning) this.recovery.add('INTR');
    this.recovery.add('NEEDED');
    this.sbFlags.add('CHANGE_DEVS');
    this.traceEmit('md_error', `${rdev.name} Faulty (${reason}); degraded ${degraded}${this.broken ? ', array failed' : ''}`, rdev.index);
  }

  /**
   * The RAID5 write hole (spec §4.12): after an unclean shutdown parity above the resync checkpoint may not
   * match its data, and from now on lost blocks are rebuilt from it. md says nothing here; mdlab says why a
   * later read can return bytes that were never written there.
   */
  private warnWriteHole(rdev: Rdev): void {
    const resyncing = this.syncThread !== null && this.recovery.has('SYNC') && !this.recovery.has('REQUESTED');
    const checkpoint = resyncing ? Math.max(this.recoveryCp, this.currResyncCompleted) : this.recoveryCp;
    if (checkpoint >= this.devSectors) return;
    this.log(
      `md/raid:${this.name}: write hole: ${rdev.name} lost while parity above sector ${checkpoint} is not yet resynced after an unclean shutdown; blocks rebuilt from it may be wrong (data corruption possible).`,
    );
    this.traceEmit('md_error', `write hole: degraded with parity unsynced above sector ${checkpoint}`, rdev.index);
  }

  rdevSetBadblocks(view: RdevView, sector: number, sectors: number): boolean {
    const rdev = this.rdevOf(view);
    if (!rdev.badblocks.set(rdev.dataOffsetSectors + sector, sectors, false)) return false;
    // The range is unacknowledged until a superblock carrying it is on disk.
    this.sbFlags.add('CHANGE_CLEAN');
    this.sbFlags.add('CHANGE_PENDING');
    this.traceEmit('md_error', `${rdev.name}: bad block recorded, ${sectors} sectors at ${rdev.dataOffsetSectors + sector}`, rdev.index);
    return true;
  }

  rdevClearBadblocks(view: RdevView, sector: number, sectors: number): void {
    const rdev = this.rdevOf(view);
    if (!rdev.badblocks.clear(rdev.dataOffsetSectors + sector, sectors)) return;
    this.sbFlags.add('CHANGE_CLEAN');
    this.traceEmit('md_error', `${rdev.name}: bad block made good, ${sectors} sectors at ${rdev.dataOffsetSectors + sector}`, rdev.index);
  }

  mdDoneSync(sectors: number, ok: boolean): void {
    this.recoveryActive -= sectors;
    assert(this.recoveryActive >= 0, 'md_done_sync never completes more than was issued');
    if (!ok) {
      this.recovery.add('INTR');
      this.recovery.add('ERROR');
      this.recovery.add('NEEDED');
    }
  }

  addMismatches(sectors: number): void {
    this.mismatches += sectors;
  }

  /** md_write_start: the first write after idle marks the array dirty on disk before any data moves. */
  mdWriteStart(): void {
    assert(!this.readOnly, 'no writes reach a read-only array');
    this.writesPending++;
    this.safemodeDeadlineMs = null;
    if (this.inSync) {
      this.inSync = false;
      this.sbFlags.add('CHANGE_CLEAN');
      this.sbFlags.add('CHANGE_PENDING');
      this.updateSb(false);
    }
  }

  mdWriteEnd(): void {
    this.writesPending--;
    assert(this.writesPending >= 0, 'md_write_end pairs with md_write_start');
    if (this.writesPending === 0 && this.safemodeDelayMs > 0) this.safemodeDeadlineMs = this.clock.nowMs() + this.safemodeDelayMs;
  }

  mdCheckRecovery(): void {
    mdCheckRecovery(this);
  }

  // ---- clean / dirty ----

  safemodeDue(): boolean {
    return !this.inSync && this.writesPending === 0 && this.safemodeDeadlineMs !== null && this.clock.nowMs() >= this.safemodeDeadlineMs;
  }

  setInSync(): void {
    if (this.inSync || this.writesPending > 0) return;
    this.inSync = true;
    this.safemodeDeadlineMs = null;
    this.sbFlags.add('CHANGE_CLEAN');
  }

  /** md_update_sb: move events, write every member that needs it, clear the change flags. */
  updateSb(forceChange: boolean): void {
    if (this.readOnly) return;
    if (this.recovery.has('RUNNING') && this.recovery.has('RECOVER')) {
      for (const rdev of this.rdevs) {
        if (rdev.recovering && this.currResyncCompleted > rdev.recoveryOffsetSectors) rdev.recoveryOffsetSectors = this.currResyncCompleted;
      }
    }
    const decision = nextEvents({
      events: this.events,
      canDecreaseEvents: this.canDecreaseEvents,
      changeDevs: this.sbFlags.has('CHANGE_DEVS'),
      changeClean: this.sbFlags.has('CHANGE_CLEAN'),
      forceChange,
      degraded: this.degraded(),
      inSync: this.inSync,
      recoveryCp: this.recoveryCp,
    });
    this.events = decision.events;
    this.canDecreaseEvents = decision.canDecreaseEvents;
    this.sbFlags.clear();
    this.bitmap?.updateSb(this.events);
    const { written, failed } = writeSuperblocks(this.sbFacts(), decision.nospares, Math.floor(Date.now() / 1000));
    for (const rdev of this.rdevs) if (!rdev.faulty) rdev.flags.delete('Blocked');
    this.traceEmit('md_update_sb', `events ${this.events}, ${this.inSync ? 'clean' : 'active'}, ${written} superblock(s) written`);
    // super_written: a member whose superblock cannot be written is failed; the next update records that.
    for (const rdev of failed) {
      this.log(`md: super_written gets error=-5 (${rdev.name})`);
      this.mdError(rdev, 'superblock write failed');
    }
  }

  sbFacts(): SbArrayFacts {
    return {
      events: this.events,
      inSync: this.inSync,
      recoveryCp: this.recoveryCp,
      raidDisks: this.raidDisks,
      level: this.level,
      layout: this.layout,
      chunkSectors: this.chunkSectors,
      devSectors: this.devSectors,
      bitmapOffsetSectors: this.bitmapOffsetSectors,
      rdevs: this.rdevs,
    };
  }

  // ---- sync ----

  get speedLimitMin(): number {
    return this.speedLimitMinLocal ?? SPEED_LIMIT_MIN_KIB_PER_SEC;
  }

  get speedLimitMax(): number {
    return this.speedLimitMaxLocal ?? SPEED_LIMIT_MAX_KIB_PER_SEC;
  }

  syncKind(): SyncKind {
    if (this.recovery.has('RECOVER')) return 'recover';
    if (this.recovery.has('CHECK')) return 'check';
    if (this.recovery.has('REQUESTED')) return 'repair';
    return 'resync';
  }

  // ---- the md thread loop ----

  /**
   * Runs the md thread (raid5d, which starts with md_check_recovery) and slices of the sync thread
   * until there is nothing to do or the budget is spent. Returns whether work remains and when the
   * next timer (sync throttle, safemode, bitmap daemon) is due.
   */
  run(budgetMs: number, maxPasses = MAX_PASSES_PER_RUN): { busy: boolean; nextWakeMs: number | null } {
    const deadlineMs = this.clock.nowMs() + budgetMs;
    // Member I/O is synchronous and one read of sparse holes can take 10+ ms (the kernel zero-fills its
    // readahead window), so raid5d starts member I/O only early in the slice; the rest handles stripes.
    const ioDeadlineMs = this.clock.nowMs() + budgetMs * MEMBER_IO_SHARE_OF_SLICE;
    // A virtual clock does not move while md works, so passes bound the slice as well as time.
    for (let pass = 1; ; pass++) {
      // raid5d starts every pass with md_check_recovery; without a personality md calls it alone.
      let worked = false;
      if (this.pers !== null) worked = this.pers.daemon(ioDeadlineMs);
      else this.mdCheckRecovery();
      const thread = this.syncThread;
      if (thread !== null && !this.recovery.has('DONE')) {
        const step = thread.step(deadlineMs);
        if (step === 'progress') worked = true;
        if (step === 'done') worked = true;
      }
      if (this.bitmap?.daemonDue(this.clock.nowMs())) {
        this.bitmap.daemonWork(this.clock.nowMs());
        worked = true;
      }
      if (this.checkRecoveryHasWork()) {
        this.mdCheckRecovery();
        worked = true;
      }
      if (!worked || this.clock.nowMs() >= deadlineMs || pass >= maxPasses) {
        // Member I/O that completes later (a delay fault) is a wait, not work: under a virtual clock time must jump to it.
        const ioWakeMs = this.pers?.nextIoCompletionMs?.() ?? null;
        const waitingOnIo = !worked && ioWakeMs !== null && ioWakeMs > this.clock.nowMs();
        return { busy: worked || (!waitingOnIo && !this.quiescent()), nextWakeMs: this.nextWakeMs() };
      }
    }
  }

  /**
   * Whether md_check_recovery would act now. NEEDED waits while a sync runs (it is looked at after the
   * reap), and a read-only array writes no superblocks, so neither keeps the md thread spinning.
   */
  checkRecoveryHasWork(): boolean {
    if (this.recovery.has('DONE') || this.safemodeDue()) return true;
    if (this.sbFlags.size > 0 && !this.readOnly) return true;
    return this.recovery.has('NEEDED') && !this.recovery.has('RUNNING');
  }

  /** Nothing in flight and nothing that would change without a timer firing. */
  quiescent(): boolean {
    if (this.pers !== null && !this.pers.idle()) return false;
    if (this.checkRecoveryHasWork()) return false;
    const t = this.syncThread;
    return t === null || t.sleepUntilMs !== null || this.j_pausedAtMax();
  }

  private j_pausedAtMax(): boolean {
    const t = this.syncThread;
    return t !== null && t.j >= this.resyncMax && this.recoveryActive === 0;
  }

  nextWakeMs(): number | null {
    const candidates: number[] = [];
    if (this.syncThread?.sleepUntilMs != null) candidates.push(this.syncThread.sleepUntilMs);
    if (this.safemodeDeadlineMs !== null && !this.inSync && this.writesPending === 0) candidates.push(this.safemodeDeadlineMs);
    const bitmapWake = this.bitmap?.nextWakeMs() ?? null;
    if (bitmapWake !== null) candidates.push(bitmapWake);
    const ioWake = this.pers?.nextIoCompletionMs?.() ?? null;
    if (ioWake !== null) candidates.push(ioWake);
    return candidates.length === 0 ? null : Math.min(...candidates);
  }

  // ---- observability ----

  log(line: string): void {
    this.logSeq++;
    this.logLines.push(line);
    if (this.logLines.length > LOG_LIMIT) this.logLines.splice(0, this.logLines.length - LOG_LIMIT);
  }

  get logs(): readonly string[] {
    return this.logLines;
  }

  traceEmit(fn: TraceEvent['fn'], action: string, member?: number): void {
    if (!this.trace.wants(fn)) return;
    this.trace.emit(member === undefined ? { fn, action } : { fn, action, member });
  }

  rdevOf(view: RdevView): Rdev {
    const rdev = this.rdevs.find((r) => r === view);
    assert(rdev !== undefined, 'the personality only reports members md bound');
    return rdev;
  }
}
