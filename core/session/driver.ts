/**
 * What a session needs from a running array. The session layer records and replays; the engine runs.
 * Keeping this seam narrow lets a session be opened without an engine (inspection, reports, export) and
 * lets the engine facade (core/engine/array.ts) or the scenario runner plug in as the driver.
 */
import type { ArraySnapshot } from '../api/snapshot';
import type { Step } from './journal';

export interface LiveArray {
  /** Performs one scenario step (an action or a fault) on the running array. */
  perform(step: Step): Promise<void>;
  /** Engine logical time in ms, stamped on journal entries. */
  nowMs(): number;
  snapshot(): ArraySnapshot;
  /** md's STOP_ARRAY: superblocks written, member files flushed and closed. */
  stop(): Promise<void>;
}

export interface ArrayDriver {
  /** Assembles and starts the array from these images (the images are the truth). */
  /** `startMs`: logical time to start at, so a reopened session's journal keeps counting up. */
  assemble(imagePaths: readonly string[], options: { seed: number; startMs?: number }): Promise<LiveArray>;
}
