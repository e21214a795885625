/**
 * RAID4/5 addressing (spec §3.1–3.2): where an array sector lives, where each row's parity lives, and
 * back. The names follow raid5_compute_sector / raid5_compute_blocknr: a "stripe" here is a row of
 * chunks, `dd` the data index within the row, `pdIdx` the parity disk.
 */
import { assert } from '../util/assert';

export const ALGORITHM = {
  LEFT_ASYMMETRIC: 0,
  RIGHT_ASYMMETRIC: 1,
  LEFT_SYMMETRIC: 2,
  RIGHT_SYMMETRIC: 3,
  PARITY_0: 4,
  PARITY_N: 5,
} as const;

export interface Geometry {
  level: 4 | 5;
  raidDisks: number;
  /** On-disk layout number; RAID4 always places parity last whatever it says. */
  algorithm: number;
  chunkSectors: number;
}

/** A geometry md would refuse; the message is one sentence naming md's rule. */
export class GeometryError extends Error {
  override name = 'GeometryError';
  readonly code = 'BAD_GEOMETRY';
}

/** What a 1.x superblock can describe at most, and so what md can assemble. */
const MAX_RAID_DISKS = 1920;
const PAGE_SECTORS = 8;

export function validateGeometry(g: Geometry): void {
  if (g.level !== 4 && g.level !== 5) {
    throw new GeometryError(`RAID level ${String(g.level)} is not supported: mdlab models md's raid4 and raid5 personalities.`);
  }
  if (!Number.isInteger(g.raidDisks) || g.raidDisks < 2) {
    throw new GeometryError(`raid${g.level} needs at least 2 raid-devices, got ${g.raidDisks}.`);
  }
  if (g.raidDisks > MAX_RAID_DISKS) {
    throw new GeometryError(`md v1 metadata describes at most ${MAX_RAID_DISKS} devices, got ${g.raidDisks}.`);
  }
  if (g.level === 5 && !(Number.isInteger(g.algorithm) && g.algorithm >= 0 && g.algorithm <= 5)) {
    throw new GeometryError(`raid5 layout ${g.algorithm} is not one of md's RAID5 algorithms (0-5).`);
  }
  const c = g.chunkSectors;
  if (!Number.isInteger(c) || c <= 0 || (c & (c - 1)) !== 0 || c % PAGE_SECTORS !== 0 || c > 0x4000_0000) {
    throw new GeometryError(`invalid chunk size ${c * 512} bytes: md needs a power of two of at least 4K (one page).`);
  }
}

/** Parity disk of a row (pd_idx). */
export function parityDisk(g: Geometry, stripe: number): number {
  const n = g.raidDisks;
  if (g.level === 4) return n - 1;
  switch (g.algorithm) {
    case ALGORITHM.LEFT_ASYMMETRIC:
    case ALGORITHM.LEFT_SYMMETRIC:
      return n - 1 - (stripe % n);
    case ALGORITHM.RIGHT_ASYMMETRIC:
    case ALGORITHM.RIGHT_SYMMETRIC:
      return stripe % n;
    case ALGORITHM.PARITY_0:
      return 0;
    case ALGORITHM.PARITY_N:
      return n - 1;
  }
  throw new GeometryError(`raid5 layout ${g.algorithm} is not one of md's RAID5 algorithms (0-5).`);
}

function isSymmetric(g: Geometry): boolean {
  return g.level === 5 && (g.algorithm === ALGORITHM.LEFT_SYMMETRIC || g.algorithm === ALGORITHM.RIGHT_SYMMETRIC);
}

/** Member holding data index dd of a row. */
export function dataDisk(g: Geometry, stripe: number, dd: number): number {
  const n = g.raidDisks;
  assert(dd >= 0 && dd < n - 1, 'data index within the row');
  const pd = parityDisk(g, stripe);
  if (isSymmetric(g)) return (pd + 1 + dd) % n;
  if (g.level === 5 && g.algorithm === ALGORITHM.PARITY_0) return dd + 1;
  if (g.level === 4 || g.algorithm === ALGORITHM.PARITY_N) return dd;
  return dd < pd ? dd : dd + 1;
}

/** Data index of a member within a row, or -1 where it holds the parity. */
export function dataIndexOf(g: Geometry, stripe: number, disk: number): number {
  const n = g.raidDisks;
  assert(disk >= 0 && disk < n, 'disk within the array');
  const pd = parityDisk(g, stripe);
  if (disk === pd) return -1;
  if (isSymmetric(g)) return (disk - pd - 1 + n) % n;
  if (g.level === 5 && g.algorithm === ALGORITHM.PARITY_0) return disk - 1;
  if (g.level === 4 || g.algorithm === ALGORITHM.PARITY_N) return disk;
  return disk > pd ? disk - 1 : disk;
}

export interface SectorLocation {
  disk: number;
  /** Sector within the member's data area (add data_offset for the image sector). */
  devSector: number;
  stripe: number;
  dd: number;
  pdIdx: number;
}

/** raid5_compute_sector: array sector -> member and sector in its data area, written into `into` when given (hot callers reuse one). */
export function mapArraySector(g: Geometry, arraySector: number, into?: SectorLocation): SectorLocation {
  const c = g.chunkSectors;
  const dataDisks = g.raidDisks - 1;
  const chunkOffset = arraySector % c;
  const chunkNumber = (arraySector - chunkOffset) / c;
  const dd = chunkNumber % dataDisks;
  const stripe = (chunkNumber - dd) / dataDisks;
  const pdIdx = parityDisk(g, stripe);
  const disk = dataDisk(g, stripe, dd);
  const devSector = stripe * c + chunkOffset;
  if (into === undefined) return { disk, devSector, stripe, dd, pdIdx };
  into.disk = disk;
  into.devSector = devSector;
  into.stripe = stripe;
  into.dd = dd;
  into.pdIdx = pdIdx;
  return into;
}

/** raid5_compute_blocknr: member sector -> array sector, or -1 where the member holds parity. */
export function arraySectorOf(g: Geometry, disk: number, devSector: number): number {
  const c = g.chunkSectors;
  const chunkOffset = devSector % c;
  const stripe = (devSector - chunkOffset) / c;
  const dd = dataIndexOf(g, stripe, disk);
  if (dd < 0) return -1;
  return (stripe * (g.raidDisks - 1) + dd) * c + chunkOffset;
}

const RAID5_LAYOUT_NAMES = ['left-asymmetric', 'right-asymmetric', 'left-symmetric', 'right-symmetric', 'parity-first', 'parity-last'];

/** mdadm's names and aliases for RAID5 layouts. */
const LAYOUT_ALIASES: Record<string, number> = {
  la: 0,
  ra: 1,
  ls: 2,
  rs: 3,
  default: 2,
  'ddf-zero-restart': 1,
  'ddf-n-restart': 0,
  'ddf-n-continue': 2,
};

/** mdadm's name of a layout (RAID4 has no layout choice: parity is always last). */
export function layoutName(level: number, algorithm: number): string {
  if (level === 4) return 'parity-last';
  return RAID5_LAYOUT_NAMES[algorithm] ?? `-unknown-`;
}

/** Parses a RAID5 layout name, alias or number as mdadm's --layout does. */
export function parseLayout(name: string): number {
  const key = name.trim().toLowerCase();
  const byName = RAID5_LAYOUT_NAMES.indexOf(key);
  if (byName >= 0) return byName;
  if (key in LAYOUT_ALIASES) return LAYOUT_ALIASES[key];
  if (/^[0-5]$/.test(key)) return Number(key);
  throw new GeometryError(`layout ${name} not understood for raid5.`);
}
