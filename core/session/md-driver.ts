/**
 * The session driver over the real engine: MdArray with the RAID5 personality, every member behind a
 * FaultyDevice, time from a Clock. With a VirtualClock (the default) a run is a pure function of the
 * images, the seed and the journal, which is what makes replay exact.
 */
import type { ArraySnapshot } from '../api/snapshot';
import { MdArray } from '../engine/array';
import { type Clock, VirtualClock } from '../engine/clock';
import { createRaid5Personality } from '../engine/raid5';
import { FaultyDevice } from '../faults/faulty-device';
import { FileBlockDevice } from '../format/blockdev';
import { SessionError } from './errors';
import type { ArrayDriver, LiveArray } from './driver';
import type { Step } from './journal';
import { performStep, type StepHost } from './step-runner';

class MdLiveArray implements StepHost {
  private current: MdArray | null = null;
  readonly devices = new Map<string, FaultyDevice>();

  constructor(
    readonly imagePaths: readonly string[],
    private readonly clock: Clock,
  ) {}

  array(): MdArray {
    if (!this.current) throw new SessionError('CLOSED', 'The array is stopped; assemble it first.');
    return this.current;
  }

  assemble(): void {
    if (this.current && !this.current.mddev.stopped) return;
    this.devices.clear();
    this.current = MdArray.assemble(this.imagePaths, {
      clock: this.clock,
      personality: createRaid5Personality,
      openDevice: (imagePath) => {
        const dev = new FaultyDevice(FileBlockDevice.open(imagePath, { readOnly: false }), { clock: () => this.clock.nowMs() });
        this.devices.set(imagePath, dev);
        return dev;
      },
    });
  }

  stop(): void {
    this.current?.stop();
  }

  async perform(step: Step): Promise<void> {
    performStep(this, step);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  snapshot(): ArraySnapshot {
    return this.array().snapshot();
  }

  /** Lets logical time reach `ms` while md keeps working (replay places steps at their recorded times). */
  advanceTo(ms: number): void {
    const now = this.clock.nowMs();
    if (ms > now && this.current && !this.current.mddev.stopped) this.current.sleepSync(ms - now);
    else this.clock.advanceTo(ms);
  }

  async stopArray(): Promise<void> {
    this.stop();
  }
}

export class MdArrayDriver implements ArrayDriver {
  constructor(private readonly makeClock: (startMs: number) => Clock = (startMs) => new VirtualClock(startMs)) {}

  async assemble(imagePaths: readonly string[], options: { seed: number; startMs?: number }): Promise<LiveArray & { advanceTo(ms: number): void }> {
    const live = new MdLiveArray(imagePaths, this.makeClock(options.startMs ?? 0));
    live.assemble();
    return {
      perform: (step) => live.perform(step),
      nowMs: () => live.nowMs(),
      snapshot: () => live.snapshot(),
      stop: () => live.stopArray(),
      advanceTo: (ms) => live.advanceTo(ms),
    };
  }
}
