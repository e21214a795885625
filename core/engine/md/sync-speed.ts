/**
 * md_do_sync's speed bookkeeping (md-spec §4.3): a window of SYNC_MARKS marks taken every
 * SYNC_MARK_STEP, the speed measured since the oldest mark, and the min/max throttle decision.
 * Pure arithmetic over the clock so it can be tested against a virtual clock.
 */
export const SYNC_MARKS = 10;
export const SYNC_MARK_STEP_MS = 3000;
/** md re-checks the speed every 32 pages (256 sectors) of sync I/O. */
export const SYNC_CHECK_SECTORS = 256;
/** How long md_do_sync sleeps when it runs faster than speed_max. */
export const SYNC_MAX_SLEEP_MS = 500;
/** Our stand-in for "wait until in-flight sync I/O drains" while other I/O competes for the members. */
export const SYNC_CONTENDED_SLEEP_MS = 100;

export class SyncSpeed {
  private readonly markMs = new Array<number>(SYNC_MARKS);
  private readonly markSectors = new Array<number>(SYNC_MARKS);
  private last = 0;
  /** Oldest mark still in the window, as resync_mark / resync_mark_cnt. */
  resyncMarkMs: number;
  resyncMarkSectors: number;

  constructor(nowMs: number, ioSectors: number) {
    this.markMs.fill(nowMs);
    this.markSectors.fill(ioSectors);
    this.resyncMarkMs = nowMs;
    this.resyncMarkSectors = ioSectors;
  }

  /** Take a new mark when the step has passed; the oldest one becomes the reference. */
  mark(nowMs: number, ioSectors: number): void {
    if (nowMs < this.markMs[this.last] + SYNC_MARK_STEP_MS) return;
    const next = (this.last + 1) % SYNC_MARKS;
    this.resyncMarkMs = this.markMs[next];
    this.resyncMarkSectors = this.markSectors[next];
    this.markMs[next] = nowMs;
    this.markSectors[next] = ioSectors;
    this.last = next;
  }

  /** currspeed of md_do_sync, KiB/s: whole seconds plus one, so a fresh window never divides by zero. */
  currentKibPerSec(nowMs: number, ioSectors: number): number {
    const seconds = Math.floor((nowMs - this.resyncMarkMs) / 1000) + 1;
    return Math.floor((ioSectors - this.resyncMarkSectors) / 2 / seconds) + 1;
  }

  /** sysfs sync_speed: sectors since the mark over the time since it (KiB/s). */
  displayKibPerSec(nowMs: number, ioSectors: number): number {
    const seconds = Math.max(1, Math.floor((nowMs - this.resyncMarkMs) / 1000));
    return Math.floor((ioSectors - this.resyncMarkSectors) / 2 / seconds);
  }
}

export type ThrottleDecision = { kind: 'go' } | { kind: 'sleep'; ms: number; reason: string };

/**
 * md's throttle: never below speed_min; above speed_max sleep; between the two, give way to other
 * I/O on the members (md waits for its own I/O to drain, which pulls the speed down towards min).
 */
export function throttle(currentKibPerSec: number, minKibPerSec: number, maxKibPerSec: number, otherIo: boolean): ThrottleDecision {
  if (currentKibPerSec <= minKibPerSec) return { kind: 'go' };
  if (currentKibPerSec > maxKibPerSec) return { kind: 'sleep', ms: SYNC_MAX_SLEEP_MS, reason: `speed ${currentKibPerSec}K/sec above speed_max ${maxKibPerSec}` };
  if (otherIo) return { kind: 'sleep', ms: SYNC_CONTENDED_SLEEP_MS, reason: `other I/O on the members, speed ${currentKibPerSec}K/sec above speed_min ${minKibPerSec}` };
  return { kind: 'go' };
}
