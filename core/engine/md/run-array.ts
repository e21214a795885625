/**
 * Starting an array from its member images (do_md_run after mdadm --assemble): core/md/assemble.ts
 * decides who belongs and whether md would start; this binds the chosen members in mdadm's order,
 * loads the bitmap and hands the Mddev to the personality.
 */
import * as path from 'node:path';
import { type BlockDevice, FileBlockDevice } from '../../format/blockdev';
import { FEATURE, MAX_SECTOR, readSuperblock, type Superblock1 } from '../../format/superblock';
import { decideAssembly, type AssemblyDecision } from '../../md/assemble';
import { MdRefusal } from '../../md/errors';
import { toSafeNumber } from '../../util/assert';
import type { Clock } from '../clock';
import type { TraceRing } from '../trace';
import type { MddevView, Personality } from '../types';
import { MdBitmap, readBitmapArea } from './bitmap';
import { Mddev } from './mddev';
import { MAX_SECTOR_NUM, Rdev } from './rdev';

export type PersonalityFactory = (mddev: MddevView) => Personality;

export interface RunArrayOptions {
  run?: boolean;
  /** mdadm --assemble --force (see AssembleOptions.force). */
  force?: boolean;
  name?: string;
  clock: Clock;
  trace: TraceRing;
  createPersonality: PersonalityFactory | null;
  /**
   * mdadm --create binds members in the order given, the spare-trick member last; --assemble binds
   * slots in order and the freshest member last. mdstat lists the most recently bound first.
   */
  createdWithSpareTrickImage?: number;
  /** Opens a member; the fault layer wraps devices here. */
  openDevice?: (imagePath: string) => BlockDevice;
}

interface Candidate {
  image: string;
  sb: Superblock1;
  dev: BlockDevice;
  index: number;
  imagePath: string;
}

export function openImage(imagePath: string): BlockDevice {
  return FileBlockDevice.open(imagePath, { readOnly: false });
}

export function sectorOrMax(value: bigint, what: string): number {
  return value === MAX_SECTOR ? MAX_SECTOR_NUM : toSafeNumber(value, what);
}

export function runArray(imagePaths: readonly string[], options: RunArrayOptions): { mddev: Mddev; decision: AssemblyDecision<Candidate> } {
  const open = options.openDevice ?? openImage;
  const candidates: Candidate[] = [];
  try {
    imagePaths.forEach((imagePath, index) => {
      const dev = open(imagePath);
      try {
        const { sb } = readSuperblock(dev);
        candidates.push({ image: path.basename(imagePath), sb, dev, index, imagePath });
      } catch (err) {
        dev.close();
        throw new MdRefusal(`No md superblock detected on ${imagePath}.`, { cause: err });
      }
    });
  } catch (err) {
    for (const c of candidates) c.dev.close();
    throw err;
  }
  const name = options.name ?? 'md0';
  const assemble = { run: options.run ?? true, arrayName: name };
  const decision = decideAssembly(candidates, { ...assemble, force: options.force });
  if (!decision.start) {
    for (const c of candidates) c.dev.close();
    const needsForce = !options.force && decideAssembly(candidates, { ...assemble, force: true }).start;
    throw new MdRefusal(decision.refusal ?? `${name} cannot be started.`, { needsForce });
  }
  const ref = decision.reference.sb;
  const mddev = new Mddev({
    name,
    level: ref.level as 4 | 5,
    layout: ref.layout,
    chunkSectors: ref.chunksize,
    raidDisks: ref.raidDisks,
    devSectors: toSafeNumber(ref.size, 'size'),
    events: ref.events,
    recoveryCp: decision.forcedClean ? MAX_SECTOR_NUM : sectorOrMax(ref.resyncOffset, 'resync_offset'),
    clock: options.clock,
    trace: options.trace,
    bitmapOffsetSectors: (ref.featureMap & FEATURE.BITMAP_OFFSET) !== 0 ? ref.bitmapOffset : null,
  });
  const used = new Set<Candidate>();
  const rdevOf = (c: Candidate): Rdev => {
    used.add(c);
    return new Rdev(c.dev, c.sb, c.index, c.imagePath);
  };
  // mdadm adds slots in order, spares after them and the freshest member last (first in mdstat).
  const bindLast: Rdev[] = [];
  decision.slots.forEach((c, slot) => {
    if (c === null) return;
    const rdev = rdevOf(c);
    rdev.raidDisk = slot;
    rdev.flags.add('In_sync');
    if (c === decision.reference) bindLast.push(rdev);
    else mddev.bind(rdev);
  });
  for (const r of decision.recovering) {
    const rdev = rdevOf(r.member);
    rdev.raidDisk = r.slot;
    rdev.recoveryOffsetSectors = r.recoveryOffsetSectors;
    mddev.bind(rdev);
  }
  for (const c of decision.spares) mddev.bind(rdevOf(c));
  for (const rdev of bindLast) mddev.bind(rdev);
  if (options.createdWithSpareTrickImage !== undefined) {
    const trick = options.createdWithSpareTrickImage;
    const order = [...mddev.rdevs].sort((a, b) => (a.index === trick ? Infinity : a.index) - (b.index === trick ? Infinity : b.index));
    order.forEach((rdev, i) => (rdev.bindSeq = i + 1));
  }
  for (const c of candidates) if (!used.has(c)) c.dev.close();
  for (const line of decision.messages) mddev.log(line);

  if (mddev.bitmapOffsetSectors !== null) {
    const source = mddev.rdevs.find((r) => r.inSync) ?? mddev.rdevs[0];
    mddev.bitmap = new MdBitmap(mddev, readBitmapArea(source, mddev.bitmapOffsetSectors), mddev.bitmapOffsetSectors);
  }
  if (options.createPersonality !== null) mddev.pers = options.createPersonality(mddev);
  // mdadm writes what it forced before the kernel runs the array: here md's first pass writes the superblocks.
  if (decision.forcedEvents.length > 0 || decision.forcedClean) mddev.sbFlags.add('CHANGE_DEVS');
  mddev.recovery.add('NEEDED');
  mddev.traceEmit('md_check_recovery', `run: ${mddev.rdevs.length} member(s), degraded ${mddev.degraded()}, ${mddev.recoveryCp === MAX_SECTOR_NUM ? 'clean' : `resync from ${mddev.recoveryCp}`}`);
  return { mddev, decision };
}
