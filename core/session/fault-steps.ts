/**
 * The fault steps of scenarios, sessions and labs (inject, clear) performed on the FaultyDevice under each
 * member, plugged into the scenario runner through its extraSteps hook. Members are named as every step
 * names them: by index in creation order (disk<i>.img) or by image name.
 */
import * as path from 'node:path';
import type { Clock } from '../engine/clock';
import type { MdArrayOptions } from '../engine/array';
import { FaultyDevice } from '../faults/faulty-device';
import { FileBlockDevice } from '../format/blockdev';
import type { ExtraStepHandler } from '../scenario/runner';

export interface FaultedMembers {
  /** For the runner's `engine` option: opens every member behind a FaultyDevice. */
  engine: Pick<MdArrayOptions, 'openDevice'>;
  extraSteps: ExtraStepHandler;
  devices: ReadonlyMap<string, FaultyDevice>;
}

export function faultedMembers(arrayDir: string, clock: Clock): FaultedMembers {
  const devices = new Map<string, FaultyDevice>();
  const deviceOf = (member: unknown): FaultyDevice => {
    const image = typeof member === 'number' ? `disk${member}.img` : String(member);
    const dev = devices.get(path.resolve(arrayDir, image));
    if (!dev) throw new Error(`member ${JSON.stringify(member)} is not open in the array`);
    return dev;
  };
  const extraSteps: ExtraStepHandler = (verb, value) => {
    const v = (value ?? {}) as { member?: unknown; fault?: unknown; id?: unknown };
    if (verb === 'inject') {
      deviceOf(v.member).inject(v.fault as Parameters<FaultyDevice['inject']>[0]);
      return true;
    }
    if (verb === 'clear') {
      const dev = deviceOf(v.member);
      if (typeof v.id === 'number') dev.clear(v.id);
      else dev.clearAll();
      return true;
    }
    // power-cut and crash need the engine to report member writes to the power-cut domain; until it
    // does, the runner's "needs the fault layer" failure is the honest answer.
    return false;
  };
  const engine = {
    openDevice: (imagePath: string) => {
      const dev = new FaultyDevice(FileBlockDevice.open(imagePath, { readOnly: false }), { clock: () => clock.nowMs() });
      devices.set(path.resolve(imagePath), dev);
      return dev;
    },
  };
  return { engine, extraSteps, devices };
}
