/**
 * How long a member I/O takes, in the engine's LOGICAL time. Member I/O is synchronous (the bytes move at
 * once), so dm-delay's latency and a bandwidth cap cannot block anything; instead each I/O is given a
 * completion time, and the engine's in-flight queue retires the I/O (bi_end_io) only when its clock has
 * reached it. With no timing fault every I/O completes at the moment it is issued.
 *
 * Model: a capped disk moves one transfer at a time (a transfer starts when the previous one ends), while
 * latency is added after the transfer and overlaps other I/O, as dm-delay's per-bio timer does.
 */
import { assert } from '../util/assert';

export interface IoTime {
  /** Logical ms from issue to completion. */
  costMs: number;
  /** Logical time at which the engine may complete the I/O. */
  completeAtMs: number;
}

export class DiskTiming {
  /** When the capped disk finishes the transfers already queued on it. */
  private busyUntilMs = 0;

  charge(nowMs: number, lengthBytes: number, latencyMs: number, bandwidthKibPerSec: number | null): IoTime {
    assert(latencyMs >= 0, 'latency is never negative');
    let doneMs = nowMs;
    if (bandwidthKibPerSec !== null) {
      const startMs = Math.max(nowMs, this.busyUntilMs);
      doneMs = startMs + (lengthBytes / (bandwidthKibPerSec * 1024)) * 1000;
      this.busyUntilMs = doneMs;
    }
    const completeAtMs = doneMs + latencyMs;
    assert(completeAtMs >= nowMs, 'an I/O never completes before it is issued');
    return { costMs: completeAtMs - nowMs, completeAtMs };
  }
}
