/**
 * Where the engine's time comes from. md measures sync speed, safemode and bitmap daemon periods in
 * jiffies; mdlab measures them on a Clock so a seeded run (scenarios, tests) sees the same times
 * every run, while the app follows the wall clock.
 */
import { assert } from '../util/assert';

export interface Clock {
  /** Monotonic milliseconds. */
  nowMs(): number;
  /**
   * True when the clock only moves when told to (advanceTo): the md loop then jumps straight to the
   * next timer instead of waiting for it, which is what makes seeded runs fast and repeatable.
   */
  readonly virtual: boolean;
  /** Only for virtual clocks: move time forward to `ms` (never backwards). */
  advanceTo(ms: number): void;
}

export class RealClock implements Clock {
  readonly virtual = false;
  private readonly originMs = performance.now();

  nowMs(): number {
    return performance.now() - this.originMs;
  }

  advanceTo(_ms: number): void {
    // Wall time cannot be pushed; the caller sleeps instead.
  }
}

export class VirtualClock implements Clock {
  readonly virtual = true;

  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  advanceTo(ms: number): void {
    assert(Number.isFinite(ms), 'virtual time must stay finite');
    if (ms > this.currentMs) this.currentMs = ms;
  }

  advanceBy(ms: number): void {
    assert(ms >= 0, 'virtual time never runs backwards');
    this.currentMs += ms;
  }
}
