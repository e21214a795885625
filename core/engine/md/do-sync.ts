/**
 * md_do_sync as a resumable state machine (md-spec §4.3). The kernel runs it in its own thread that
 * blocks inside sync_request when the stripe cache is full, sleeps to respect speed_max and waits for
 * its I/O to drain at checkpoints. Here the md loop calls step() between raid5d passes; each of those
 * blocking points becomes a return with a reason, and the next step() continues where it stopped.
 */
import { assert } from '../../util/assert';
import type { SyncKind } from '../types';
import type { Mddev } from './mddev';
import { MAX_SECTOR_NUM } from './rdev';
import { SYNC_CHECK_SECTORS, SyncSpeed, throttle } from './sync-speed';

/** md checkpoints at least this often even when progress is slow (UPDATE_FREQUENCY). */
export const CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;
export const STRIPE_SECTORS = 8;
/** sync_requests issued between clock reads: a stripe takes microseconds, a clock read nearly as long. */
const REQUESTS_PER_CLOCK_READ = 16;

export type SyncStepResult =
  | 'progress' // issued sync requests; call again after the daemon has run
  | 'cache-full' // sync_request returned 0: the daemon must free stripes first
  | 'draining' // waiting for in-flight sync I/O (checkpoint or end)
  | 'paused' // j reached sync_max
  | 'sleeping' // throttled until sleepUntilMs
  | 'done'; // DONE set: md_check_recovery reaps it

type Phase = 'loop' | 'checkpoint' | 'ending' | 'done';

export class SyncThread {
  readonly kind: SyncKind;
  /** Next per-member sector to request (md's j). */
  j: number;
  readonly maxSectors: number;
  readonly startSectors: number;
  /** Sectors of sync I/O issued, skipped ranges excluded (io_sectors). */
  ioSectors = 0;
  sleepUntilMs: number | null = null;
  readonly speed: SyncSpeed;
  private phase: Phase = 'loop';
  private lastCheckSectors = 0;
  private updateTimeMs: number;
  private otherIoSeen: number;

  constructor(private readonly mddev: Mddev) {
    this.kind = mddev.syncKind();
    const now = mddev.clock.nowMs();
    if (this.kind === 'recover') {
      let start = mddev.devSectors;
      for (const rdev of mddev.rdevs) if (rdev.recovering) start = Math.min(start, rdev.recoveryOffsetSectors);
      this.j = start;
    } else if (this.kind === 'check' || this.kind === 'repair') {
      this.j = mddev.resyncMin;
    } else {
      // With a bitmap the resync starts at 0 and the bitmap skips what is clean.
      this.j = mddev.bitmap !== null ? 0 : Math.min(mddev.recoveryCp, mddev.devSectors);
    }
    this.maxSectors = mddev.devSectors;
    this.startSectors = this.j;
    this.speed = new SyncSpeed(now, 0);
    this.updateTimeMs = now;
    this.otherIoSeen = mddev.otherIoSectors;
    if (this.kind !== 'recover') mddev.mismatches = 0;
    mddev.currResync = this.j;
    mddev.currResyncCompleted = this.j;
    mddev.log(`md: ${this.desc} of RAID array ${mddev.name}`);
    mddev.traceEmit('md_do_sync', `start ${this.desc} at sector ${this.j} of ${this.maxSectors}`);
  }

  /** The word md prints: "data-check" for check, "requested-resync" for repair. */
  get desc(): string {
    return { check: 'data-check', repair: 'requested-resync', resync: 'resync', recover: 'recovery' }[this.kind];
  }

  step(deadlineMs: number): SyncStepResult {
    const m = this.mddev;
    const clock = m.clock;
    if (this.phase === 'done') return 'done';
    if (this.sleepUntilMs !== null) {
      // An interrupt (md_error, idle, stop) ends the throttle sleep: the thread must wind down now.
      if (clock.nowMs() < this.sleepUntilMs && !m.recovery.has('INTR')) return 'sleeping';
      this.sleepUntilMs = null;
    }
    let issued = false;
    let nowMs = clock.nowMs();
    let untilClockRead = REQUESTS_PER_CLOCK_READ;
    while (this.phase === 'loop') {
      if (m.recovery.has('INTR') || this.j >= this.maxSectors) {
        this.phase = 'ending';
        break;
      }
      if (--untilClockRead === 0) {
        nowMs = clock.nowMs();
        untilClockRead = REQUESTS_PER_CLOCK_READ;
      }
      if (this.checkpointDue(nowMs)) {
        this.phase = 'checkpoint';
        break;
      }
      if (this.j >= m.resyncMax) return issued ? 'progress' : 'paused';
      const sectors = m.pers!.syncRequest(this.j, this.kind);
      if (sectors === 0) return issued ? 'progress' : 'cache-full';
      issued = true;
      assert(sectors > 0, 'sync_request accounts for a positive number of sectors');
      const skipped = m.pers!.lastSyncSkipped ?? sectors !== STRIPE_SECTORS;
      if (!skipped) {
        this.ioSectors += sectors;
        m.recoveryActive += sectors;
      }
      this.j = Math.min(this.j + sectors, this.maxSectors);
      m.currResync = this.j;
      // wants() once (it counts the step), and the words only when the step is kept.
      if (skipped && m.trace.wants('md_do_sync')) m.trace.emit({ fn: 'md_do_sync', action: `skip ${sectors} sectors at ${this.j - sectors}` });
      if (this.lastCheckSectors + SYNC_CHECK_SECTORS > this.ioSectors || this.j >= this.maxSectors) {
        if (nowMs >= deadlineMs) return 'progress';
        continue;
      }
      this.lastCheckSectors = this.ioSectors;
      const now = clock.nowMs();
      this.speed.mark(now, this.ioSectors - m.recoveryActive);
      const decision = throttle(
        this.speed.currentKibPerSec(now, this.ioSectors - m.recoveryActive),
        m.speedLimitMin,
        m.speedLimitMax,
        this.otherIoSince(),
      );
      if (decision.kind === 'sleep') {
        this.sleepUntilMs = now + decision.ms;
        m.traceEmit('md_do_sync', `throttle: ${decision.reason}, sleep ${decision.ms} ms`);
        return 'sleeping';
      }
      if (now >= deadlineMs) return 'progress';
    }
    if (this.phase === 'checkpoint') {
      if (m.recoveryActive > 0) return issued ? 'progress' : 'draining';
      this.checkpoint();
      this.phase = 'loop';
      return 'progress';
    }
    if (this.phase === 'ending') {
      if (m.recoveryActive > 0) return issued ? 'progress' : 'draining';
      this.finish();
      this.phase = 'done';
    }
    return 'done';
  }

  private otherIoSince(): boolean {
    const seen = this.mddev.otherIoSectors;
    const changed = seen !== this.otherIoSeen;
    this.otherIoSeen = seen;
    return changed;
  }

  /** Every 1/16 of the device, every 5 minutes, or half-way to sync_max (md-spec §4.3). */
  private checkpointDue(nowMs: number): boolean {
    const m = this.mddev;
    const completed = m.currResyncCompleted;
    if (m.currResync > completed && m.currResync - completed > this.maxSectors / 16) return true;
    if (nowMs >= this.updateTimeMs + CHECKPOINT_INTERVAL_MS && this.j > completed) return true;
    return m.resyncMax !== MAX_SECTOR_NUM && this.j > completed && (this.j - completed) * 2 >= m.resyncMax - completed;
  }

  private checkpoint(): void {
    const m = this.mddev;
    m.currResyncCompleted = this.j;
    if (m.recovery.has('SYNC') && this.j > m.recoveryCp) m.recoveryCp = this.j;
    this.updateTimeMs = m.clock.nowMs();
    m.sbFlags.add('CHANGE_CLEAN');
    m.bitmap?.condEndSync(this.j);
    m.traceEmit('md_do_sync', `checkpoint at sector ${this.j}`);
  }

  /** The end of md_do_sync: record where it got to, forget sync_min/max if it completed, set DONE. */
  private finish(): void {
    const m = this.mddev;
    const interrupted = m.recovery.has('INTR');
    if (!m.recovery.has('CHECK')) {
      if (m.recovery.has('SYNC')) {
        if (!interrupted) m.recoveryCp = MAX_SECTOR_NUM;
        else if (m.currResync >= m.recoveryCp) m.recoveryCp = m.recovery.has('ERROR') ? m.currResyncCompleted : m.currResync;
      } else {
        const reached = interrupted ? m.currResync : MAX_SECTOR_NUM;
        for (const rdev of m.rdevs) {
          if (rdev.recovering && rdev.recoveryOffsetSectors < reached) rdev.recoveryOffsetSectors = reached;
        }
      }
    }
    m.currResyncCompleted = interrupted ? m.currResync : this.maxSectors;
    if (!interrupted) {
      if (m.recovery.has('REQUESTED')) m.resyncMin = 0;
      m.resyncMax = MAX_SECTOR_NUM;
    } else if (m.recovery.has('REQUESTED')) {
      m.resyncMin = m.currResyncCompleted;
    }
    m.bitmap?.closeSync(interrupted ? m.currResync : this.maxSectors);
    m.sbFlags.add('CHANGE_PENDING');
    m.sbFlags.add('CHANGE_DEVS');
    m.recovery.add('DONE');
    m.log(`md: ${m.name}: ${this.desc} ${interrupted ? 'interrupted' : 'done'}.`);
    m.traceEmit('md_do_sync', `${interrupted ? 'interrupted' : 'done'} at sector ${m.currResync}`);
  }
}
