import type { CreateChoices, CreatePlanInfo } from '../../api';
import { bitmapStorageBytes, bitmapBits } from '../../format/bitmap';
import { dataIndexOf, layoutName, parityDisk, validateGeometry, type Geometry } from '../../format/layout';
import { superblockSizeBytes } from '../../format/superblock';
import { planCreate, type CreateOptions } from '../../md/create';
import type { HandlerTable } from './types';

/** The wizard's choices in mdadm --create's terms; "auto" leaves the bitmap to mdadm 4.2's size rule. */
export function createOptionsOf(choices: CreateChoices): CreateOptions {
  return {
    level: choices.level,
    raidDevices: choices.raidDevices,
    spareDevices: choices.spareDevices,
    layout: choices.level === 5 ? choices.layout : undefined,
    chunkKib: choices.chunkKib,
    memberBytes: choices.memberBytes,
    bitmap: choices.bitmap === 'auto' ? undefined : choices.bitmap,
    assumeClean: choices.assumeClean,
    metadata: choices.metadata,
    name: choices.name,
  };
}

/** What mdadm would decide, from core/md's own planner: the wizard never second-guesses md's rules. */
export function planInfo(choices: CreateChoices): CreatePlanInfo {
  const plan = planCreate(createOptionsOf(choices));
  const sb = plan.superblocks[0];
  const bitmapBytes = plan.bitmap ? bitmapStorageBytes(bitmapBits(plan.bitmap.super)) : 0;
  return {
    layoutName: layoutName(choices.level, sb.layout),
    dataOffsetSectors: plan.dataOffsetSectors,
    componentSectors: plan.componentSectors,
    arraySizeKib: (plan.componentSectors / 2) * (choices.raidDevices - 1),
    bitmapChunkBytes: plan.bitmap ? plan.bitmap.super.chunksize : null,
    initialSync: plan.spareTrickImage >= 0 ? 'recover' : sb.resyncOffset === 0n ? 'resync' : 'none',
    nominalBytes: choices.memberBytes * (choices.raidDevices + choices.spareDevices),
    metadataBytesPerImage: superblockSizeBytes(sb.maxDev) + bitmapBytes,
  };
}

export const layoutHandlers: HandlerTable = {
  'layout.preview': ({ level, raidDisks, layout, chunkKib, rows }) => {
    const g: Geometry = { level, raidDisks, algorithm: level === 4 ? 5 : layout, chunkSectors: chunkKib * 2 };
    validateGeometry(g);
    const dataDisks = raidDisks - 1;
    return {
      name: layoutName(level, g.algorithm),
      rows: Array.from({ length: rows }, (_, stripe) => ({
        stripe,
        pdIdx: parityDisk(g, stripe),
        cells: Array.from({ length: raidDisks }, (_, disk) => {
          const dd = dataIndexOf(g, stripe, disk);
          return { disk, dd, chunk: dd < 0 ? null : stripe * dataDisks + dd };
        }),
      })),
    };
  },
  'array.plan': (choices) => planInfo(choices),
};
