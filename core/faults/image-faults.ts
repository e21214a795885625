/**
 * The fault layer of an engine that opens its members itself, image by image (MdArray's openDevice):
 * the scenario runner and the lab host. One FaultyDevice per image for the life of the array — md
 * closing and reopening an image (remove, re-add) finds the same faults under it, as a dm target stays
 * under a disk — with one power-cut domain and one timeline over them, members numbered by image
 * (N of diskN.img), whatever order md opens them in.
 */
import type { BlockDevice } from '../format/blockdev';
import { assert } from '../util/assert';
import { FaultyDevice } from './faulty-device';
import { PowerCutDomain } from './power-cut';
import { FaultError } from './spec';
import { FaultTimeline, type SyncProgress } from './timeline';

export interface ImageFaultLayerOptions {
  seed: number;
  /** Engine logical time in ms. */
  clock: () => number;
  /** Opens an image the way the engine would without faults. */
  open: (imagePath: string) => BlockDevice;
  /** The member number of an image (N of diskN.img). */
  memberOf: (imagePath: string) => number;
  /** The running sync, for progress triggers (late-bound: the engine starts after the layer). */
  progress?: () => SyncProgress | null;
  /** See TimelineOptions.haltOnPowerCut. */
  haltOnPowerCut?: boolean;
}

/** The hooks md's member I/O calls (structurally MemberIoHooks of core/engine/types, minus the pass hook). */
export interface PowerCutHooks {
  nowMs(): number;
  writeSubmitted(rdev: { dev: BlockDevice }, offsetBytes: number, lengthBytes: number, nowMs: number): number;
  writeCompleted(token: number): void;
}

export class ImageFaultLayer {
  readonly timeline: FaultTimeline;
  readonly powerCut: PowerCutDomain;
  /** By member number; sparse until md has opened every image. Shared with the domain, which reads it live. */
  private readonly devices: FaultyDevice[] = [];
  private readonly byPath = new Map<string, FaultyDevice>();

  constructor(private readonly options: ImageFaultLayerOptions) {
    this.powerCut = new PowerCutDomain({ seed: options.seed, members: this.devices });
    this.timeline = new FaultTimeline({
      seed: options.seed,
      clock: options.clock,
      members: [],
      progress: options.progress,
      powerCut: this.powerCut,
      haltOnPowerCut: options.haltOnPowerCut,
    });
  }

  /** Give this to MdArray as `openDevice`. */
  readonly openDevice = (imagePath: string): FaultyDevice => {
    const known = this.byPath.get(imagePath);
    if (known !== undefined) {
      if (known.isClosed) known.reopen();
      return known;
    }
    const member = this.options.memberOf(imagePath);
    const dev = new FaultyDevice(this.options.open(imagePath), { clock: this.options.clock, reopen: () => this.options.open(imagePath) });
    this.devices[member] = dev;
    this.byPath.set(imagePath, dev);
    this.timeline.attach(member, dev);
    return dev;
  };

  /** Give this to MdArray as `memberIo`: every member write is an undo record until it completes. */
  memberIo(): PowerCutHooks {
    return {
      nowMs: () => this.options.clock(),
      writeSubmitted: (rdev, offsetBytes, lengthBytes, nowMs) => this.powerCut.submit(this.memberIndexOf(rdev.dev), offsetBytes, lengthBytes, nowMs),
      writeCompleted: (token) => this.powerCut.complete(token),
    };
  }

  /** The member's device; FaultError when md has never opened that image. */
  device(member: number): FaultyDevice {
    const dev = this.devices[member];
    if (dev === undefined) throw new FaultError(`disk${member}.img is not open in the array.`);
    return dev;
  }

  /** Member numbers md has opened, ascending. */
  members(): number[] {
    return this.devices.flatMap((dev, member) => (dev === undefined ? [] : [member]));
  }

  private memberIndexOf(dev: BlockDevice): number {
    const member = this.devices.indexOf(dev as FaultyDevice);
    assert(member >= 0, `${dev.name} is under this fault layer`);
    return member;
  }
}
