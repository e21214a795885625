/**
 * The session driver over the real engine: core/scenario's ScenarioSteps (the one implementation of every
 * step, faults included) assembling the session's own images, under a Clock. With a VirtualClock (the
 * default) a run is a pure function of the images, the seed and the journal, which is what makes replay exact.
 */
import * as path from 'node:path';
import type { ArraySnapshot } from '../api/snapshot';
import { type Clock, VirtualClock } from '../engine/clock';
import { ScenarioSteps } from '../scenario/runner';
import type { Scenario } from '../scenario/schema';
import type { ArrayDriver, LiveArray } from './driver';
import { SessionError } from './errors';

export interface MdLiveArray extends LiveArray {
  /** Lets logical time reach `ms` while md keeps working (steps happen at their recorded times). */
  advanceTo(ms: number): void;
}

export class MdArrayDriver implements ArrayDriver {
  constructor(private readonly makeClock: (startMs: number) => Clock = (startMs) => new VirtualClock(startMs)) {}

  async assemble(imagePaths: readonly string[], options: { seed: number; startMs?: number }): Promise<MdLiveArray> {
    const clock = this.makeClock(options.startMs ?? 0);
    const folder = path.dirname(imagePaths[0]);
    // The runner needs a scenario only for what `create` and random patterns would use; sessions never create here.
    const scenario: Scenario = { name: 'session', seed: options.seed, array: { dir: '.', level: 5, 'raid-devices': imagePaths.length, size: 1 }, steps: [{ assemble: null }] };
    const steps = new ScenarioSteps(scenario, { baseDir: folder, arrayDir: folder, clock });
    steps.perform({ assemble: null });
    const array = () => {
      const current = steps.current;
      if (current === null) throw new SessionError('CLOSED', 'The array is not running; assemble it first.');
      return current;
    };
    return {
      perform: async (step) => steps.perform(step),
      nowMs: () => clock.nowMs(),
      snapshot: (): ArraySnapshot => array().snapshot(),
      stop: async () => {
        if (steps.current && !steps.current.mddev.stopped) steps.current.stop();
      },
      advanceTo: (ms) => {
        const current = steps.current;
        const now = clock.nowMs();
        if (ms > now && current && !current.mddev.stopped) current.sleepSync(ms - now);
        else clock.advanceTo(ms);
      },
    };
  }
}
