/**
 * Keeps what a report needs from the engine's event stream: sync progress samples, log lines and the last
 * state snapshot. Bounded like everything in mdlab: progress is thinned (every other sample dropped) when
 * full, so a week-long resync still fits, and the log keeps its newest lines.
 */
import type { EngineEvent } from '../api/events';
import type { ArraySnapshot } from '../api/snapshot';

export interface ProgressSample {
  timeMs: number;
  action: string;
  doneSectors: number;
  totalSectors: number;
  speedKibPerSec: number;
}

export interface LogLine {
  timeMs: number;
  level: string;
  message: string;
}

export const PROGRESS_SAMPLES_MAX = 2048;
export const LOG_LINES_MAX = 2000;

export class EventRecorder {
  readonly progress: ProgressSample[] = [];
  readonly log: LogLine[] = [];
  lastSnapshot: ArraySnapshot | null = null;
  /** Logical time of the last progress event, used to place snapshots and log lines without their own. */
  private lastTimeMs = 0;

  constructor(private readonly clock: () => number = () => this.lastTimeMs) {}

  readonly listener = (event: EngineEvent): void => {
    switch (event.type) {
      case 'progress':
        this.lastTimeMs = this.clock();
        this.progress.push({ timeMs: this.lastTimeMs, action: event.action, doneSectors: event.doneSectors, totalSectors: event.totalSectors, speedKibPerSec: event.speedKibPerSec });
        if (this.progress.length > PROGRESS_SAMPLES_MAX) thinInPlace(this.progress);
        break;
      case 'log':
        this.log.push({ timeMs: event.timeMs, level: event.level, message: event.message });
        if (this.log.length > LOG_LINES_MAX) this.log.splice(0, this.log.length - LOG_LINES_MAX);
        break;
      case 'state':
        this.lastSnapshot = event.snapshot;
        break;
      default:
        break;
    }
  };
}

/** Drops every other sample, keeping the first and the last, so the curve keeps its shape. */
function thinInPlace<T>(samples: T[]): void {
  const last = samples[samples.length - 1];
  let w = 0;
  for (let r = 0; r < samples.length; r += 2) samples[w++] = samples[r];
  samples.length = w;
  if (samples[w - 1] !== last) samples.push(last);
}
