/**
 * The fault layer of one array, assembled: a FaultyDevice under every member, the power-cut domain over
 * them and the timeline driving both, all from one seed and one clock. The engine host builds this once
 * per running array and hands `devices` to the engine as its members.
 */
import type { BlockDevice } from '../format/blockdev';
import { type FaultView, FaultyDevice, type IoCounters } from './faulty-device';
import { PowerCutDomain, type PowerCutReport } from './power-cut';
import { FaultTimeline, type FaultJournal, type RefusedStep, type ScheduledView, type SyncProgress } from './timeline';

export interface FaultLayerOptions {
  seed: number;
  /** Engine logical time in ms. */
  clock: () => number;
  /** The opened member images, by member index. */
  members: readonly BlockDevice[];
  /** How to reopen member i's image (unplug / replug); without it unplug is final. */
  reopen?: (member: number) => BlockDevice;
  progress?: () => SyncProgress | null;
  /** Chance that a write in flight at a power cut reached the platter anyway (default 0). */
  survivalProbability?: number;
  /** Replay this journal instead of starting an empty timeline (its seed wins). */
  replay?: FaultJournal;
}

/** What the UI shows of the fault layer: plain data, safe to send over the contract. */
export interface FaultLayerSnapshot {
  seed: number;
  members: {
    index: number;
    image: string;
    unplugged: boolean;
    poweredOff: boolean;
    counters: IoCounters;
    faults: FaultView[];
  }[];
  pending: ScheduledView[];
  refused: RefusedStep[];
  powerCut: PowerCutReport | null;
  journalLength: number;
}

export class FaultLayer {
  readonly devices: FaultyDevice[];
  readonly powerCut: PowerCutDomain;
  readonly timeline: FaultTimeline;

  constructor(options: FaultLayerOptions) {
    const seed = options.replay?.seed ?? options.seed;
    this.devices = options.members.map((image, i) => {
      const reopen = options.reopen;
      return new FaultyDevice(image, { clock: options.clock, reopen: reopen ? () => reopen(i) : undefined });
    });
    this.powerCut = new PowerCutDomain({ seed, members: this.devices, survivalProbability: options.survivalProbability });
    const timelineOptions = { clock: options.clock, members: this.devices, progress: options.progress, powerCut: this.powerCut };
    this.timeline = options.replay
      ? FaultTimeline.replay(options.replay, timelineOptions)
      : new FaultTimeline({ ...timelineOptions, seed });
  }

  snapshot(): FaultLayerSnapshot {
    return {
      seed: this.timeline.seed,
      members: this.devices.map((d, index) => ({
        index,
        image: d.name,
        unplugged: d.isUnplugged,
        poweredOff: d.isPoweredOff,
        counters: { ...d.counters },
        faults: d.faults(),
      })),
      pending: this.timeline.pending(),
      refused: [...this.timeline.refused()],
      powerCut: this.powerCut.report,
      journalLength: this.timeline.journalLength,
    };
  }

  close(): void {
    for (const d of this.devices) d.close();
  }
}
