/** The built-in guided labs, in the order a course would take them. */
import { bitmapReAdd } from './builtin/bitmap-re-add';
import { bitrotCheckRepair } from './builtin/bitrot-check-repair';
import { degradedRead } from './builtin/degraded-read';
import { interruptedResync } from './builtin/interrupted-resync';
import { rebuildSpare } from './builtin/rebuild-spare';
import { writeHole } from './builtin/write-hole';
import { type Lab, LabSchema } from './types';

export const BUILTIN_LABS: readonly Lab[] = Object.freeze(
  [degradedRead, rebuildSpare, interruptedResync, bitmapReAdd, bitrotCheckRepair, writeHole].map((lab) => LabSchema.parse(lab)),
);

export function findLab(name: string): Lab | null {
  return BUILTIN_LABS.find((lab) => lab.name === name) ?? null;
}

export type { Lab, LabStep, LabText } from './types';
