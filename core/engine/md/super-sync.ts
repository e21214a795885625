/**
 * md_update_sb and super_1_sync (md-spec §1.8, §4.6): what each member's superblock says after an
 * update, how the event counter moves, and which members are written. Faulty members are never
 * written again, so their events freeze and assembly later sees them as stale.
 */
import { DeviceError } from '../../format/blockdev';
import { FEATURE, MAX_SECTOR, ROLE_FAULTY, ROLE_SPARE, writeSuperblock, type Superblock1 } from '../../format/superblock';
import { assert, toSafeNumber } from '../../util/assert';
import type { Rdev } from './rdev';

/** The array facts a superblock records; Mddev provides them. */
export interface SbArrayFacts {
  events: bigint;
  /** Clean: resync_offset records recovery_cp; dirty arrays always write 0. */
  inSync: boolean;
  /** Sectors; Infinity = MaxSector. */
  recoveryCp: number;
  raidDisks: number;
  level: number;
  layout: number;
  chunkSectors: number;
  devSectors: number;
  /** Signed sectors from the superblock to the internal bitmap, or null without one. */
  bitmapOffsetSectors: number | null;
  rdevs: readonly Rdev[];
}

export function toSbSector(sectors: number): bigint {
  return sectors === Number.POSITIVE_INFINITY ? MAX_SECTOR : BigInt(sectors);
}

/** dev_roles per §1.4: every entry spare, then each bound member's role. Removed members revert to spare. */
export function devRolesOf(facts: SbArrayFacts, maxDev: number): number[] {
  let size = maxDev;
  for (const rdev of facts.rdevs) size = Math.max(size, rdev.devNumber + 1);
  const roles = new Array<number>(size).fill(ROLE_SPARE);
  for (const rdev of facts.rdevs) {
    if (rdev.faulty) roles[rdev.devNumber] = ROLE_FAULTY;
    else if (rdev.raidDisk >= 0) roles[rdev.devNumber] = rdev.raidDisk;
  }
  return roles;
}

/** super_1_sync: this member's superblock after an update, everything md does not own carried over. */
export function super1Sync(facts: SbArrayFacts, rdev: Rdev, utimeSeconds: number): Superblock1 {
  const prev = rdev.sb;
  let featureMap = 0;
  let bitmapOffset = prev.bitmapOffset;
  if (facts.bitmapOffsetSectors !== null) {
    featureMap |= FEATURE.BITMAP_OFFSET;
    bitmapOffset = facts.bitmapOffsetSectors;
  }
  let recoveryOffset = 0n;
  if (rdev.raidDisk >= 0 && !rdev.inSync && !rdev.faulty) {
    featureMap |= FEATURE.RECOVERY_OFFSET;
    recoveryOffset = toSbSector(rdev.recoveryOffsetSectors);
    if (rdev.savedRaidDisk >= 0 && facts.bitmapOffsetSectors !== null) featureMap |= FEATURE.RECOVERY_BITMAP;
  }
  // Set while the list is non-empty, so an empty log is never read at assembly.
  if (rdev.badblocks.count > 0) featureMap |= FEATURE.BAD_BLOCKS;
  const devRoles = devRolesOf(facts, prev.maxDev);
  const sb: Superblock1 = {
    ...prev,
    featureMap,
    level: facts.level,
    layout: facts.layout,
    size: BigInt(facts.devSectors),
    chunksize: facts.chunkSectors,
    raidDisks: facts.raidDisks,
    bitmapOffset,
    recoveryOffset,
    cntCorrectedRead: rdev.correctedErrors,
    utime: BigInt(utimeSeconds),
    events: facts.events,
    resyncOffset: facts.inSync ? toSbSector(facts.recoveryCp) : 0n,
    maxDev: devRoles.length,
    devRoles,
  };
  assert(sb.devRoles.length === sb.maxDev, 'dev_roles covers exactly max_dev entries');
  return sb;
}

/** How md_update_sb moves the event counter (md-spec §4.6). */
export interface EventsDecision {
  events: bigint;
  canDecreaseEvents: boolean;
  /** A pure clean<->dirty transition on a healthy array: spares one event behind may be skipped. */
  nospares: boolean;
}

export function nextEvents(input: {
  events: bigint;
  canDecreaseEvents: boolean;
  changeDevs: boolean;
  changeClean: boolean;
  forceChange: boolean;
  degraded: number;
  inSync: boolean;
  recoveryCp: number;
}): EventsDecision {
  const nospares = input.changeClean && !input.changeDevs && !input.forceChange && input.degraded === 0;
  const undo = nospares && input.inSync && input.recoveryCp === Number.POSITIVE_INFINITY && input.canDecreaseEvents && input.events !== 1n;
  if (undo) return { events: input.events - 1n, canDecreaseEvents: false, nospares };
  return { events: input.events + 1n, canDecreaseEvents: nospares, nospares };
}

/**
 * Writes each member that needs it; returns how many superblocks were written and which members failed
 * the write (super_written's error: md fails them, as a member that cannot record its state cannot stay).
 */
export function writeSuperblocks(facts: SbArrayFacts, nospares: boolean, utimeSeconds: number): { written: number; failed: Rdev[] } {
  let written = 0;
  const failed: Rdev[] = [];
  for (const rdev of facts.rdevs) {
    if (rdev.faulty) continue;
    if (rdev.sbEvents === facts.events) continue;
    if (nospares && rdev.raidDisk < 0 && rdev.sbEvents + 1n === facts.events) continue;
    const sb = super1Sync(facts, rdev, utimeSeconds);
    try {
      writeBadBlockLog(rdev, sb);
      writeSuperblock(rdev.dev, sb);
    } catch (err) {
      if (!(err instanceof DeviceError)) throw err;
      failed.push(rdev);
      continue;
    }
    rdev.sb = sb;
    rdev.sbEvents = sb.events;
    rdev.badblocks.ackAll();
    written++;
  }
  return { written, failed };
}

/** super_1_sync's log page, written before the superblock that flags it; only when the list changed. */
function writeBadBlockLog(rdev: Rdev, sb: Superblock1): void {
  const bb = rdev.badblocks;
  if (!bb.changed || bb.disabled) return;
  const offsetSectors = toSafeNumber(sb.superOffset, 'super_offset') + sb.bblogOffset;
  rdev.dev.write(bb.toLog(sb.bblogSize, sb.bblogShift), offsetSectors * 512);
  bb.changed = false;
}
