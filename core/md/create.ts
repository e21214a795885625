/**
 * `mdadm --create` as mdadm 4.2 does it for metadata 1.2 (spec §1.9, §2.4): the same data offset, bitmap
 * placement, bad-block log, max_dev, set_name and the RAID4/5 "spare trick", so the images mdlab makes
 * are the images mdadm would have written. planCreate decides everything without I/O; writeCreatedArray
 * only makes the sparse files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileBlockDevice } from '../format/blockdev';
import { BITMAP_MAGIC, bitmapBits, bitmapStorageBytes, type OnDiskBitmap, serializeBitmap } from '../format/bitmap';
import { GeometryError, validateGeometry } from '../format/layout';
import { FEATURE, MAX_SECTOR, MD_SB_MAGIC, ROLE_SPARE, type Superblock1, superblockSizeBytes, writeSuperblock } from '../format/superblock';
import { assert } from '../util/assert';
import { randomUuid } from '../util/uuid';
import { MdRefusal } from './errors';

export interface CreateOptions {
  level: 4 | 5;
  raidDevices: number;
  spareDevices?: number;
  /** RAID5 algorithm number; RAID4 takes none. */
  layout?: number;
  chunkKib?: number;
  /** Size of each member image. */
  memberBytes: number;
  /** Undefined: mdadm 4.2's choice (internal above 100 GiB per member). */
  bitmap?: 'internal' | 'none';
  assumeClean?: boolean;
  /** mdadm --force: no spare trick, so the array starts with a full parity resync. */
  force?: boolean;
  /** Defaults to "0", the name mdadm derives from /dev/md0. */
  name?: string;
  /** Defaults to this machine's host name, as mdadm's does. "<none>" or "" leaves the name bare. */
  homehost?: string;
  metadata?: '1.2';
  nowSeconds?: number;
  setUuid?: Uint8Array;
  /** Source of per-device UUIDs (tests make them deterministic). */
  deviceUuid?: (index: number) => Uint8Array;
}

export interface CreatePlan {
  memberBytes: number;
  /** One per image, in image order: raid devices first, then spares. */
  superblocks: Superblock1[];
  /** The bitmap replicated on every member, or null. */
  bitmap: OnDiskBitmap | null;
  dataOffsetSectors: number;
  componentSectors: number;
  /** Index of the image that starts as a spare and is rebuilt into the last slot, or -1. */
  spareTrickImage: number;
}

export const DEFAULT_CHUNK_KIB = 512;
const SUPER_OFFSET_SECTORS = 8;
const BBLOG_SECTORS = 8;
const DEFAULT_BITMAP_CHUNK_BYTES = 64 * 1024 * 1024;
const AUTO_BITMAP_ABOVE_KIB = 100 * 1024 * 1024;

/** Space mdadm keeps for a bitmap between superblock and data (choose_bm_space), in sectors. */
export function chooseBmSpaceSectors(devSectors: number): number {
  if (devSectors < 128) return 0;
  if (devSectors - 128 >= 200 * 1024 * 1024 * 2) return 256;
  if (devSectors - 8 > 8 * 1024 * 1024 * 2) return 128;
  return 8;
}

/** mdadm 4.2's default 1.2 data offset: superblock, bitmap room and ~0.1% headroom, rounded to 1 MiB. */
export function defaultDataOffsetSectors(devSectors: number, chunkKib: number): number {
  let headroomSectors = 262144;
  // Shrink the headroom towards 0.1% of the device, but never below four chunks.
  while (headroomSectors * 1024 > devSectors && (chunkKib === 0 || headroomSectors / 2 >= 4 * chunkKib)) {
    headroomSectors /= 2;
  }
  const needed = 24 + chooseBmSpaceSectors(devSectors) + headroomSectors;
  return Math.ceil(needed / 2048) * 2048;
}

/** Bitmap chunk when none is requested: the smallest that fits the room, but at least 64 MiB. */
export function defaultBitmapChunkBytes(componentSectors: number): number {
  const roomSectors = Math.min(chooseBmSpaceSectors(componentSectors), 256);
  const maxBits = (roomSectors * 512 - 256) * 8;
  // choose_bm_space leaves no room at all below 128 sectors: there is no chunk size that would fit.
  if (maxBits <= 0) {
    throw new MdRefusal(`an internal bitmap needs members of at least 128 sectors of data, not ${componentSectors}.`);
  }
  let minChunkBytes = 4096;
  let bits = Math.floor((componentSectors * 512) / minChunkBytes) + 1;
  while (bits > maxBits) {
    minChunkBytes *= 2;
    bits = Math.floor((bits + 1) / 2);
  }
  return Math.max(minChunkBytes, DEFAULT_BITMAP_CHUNK_BYTES);
}

/** set_name: "homehost:name" when it fits in 32 bytes and name is not already qualified. */
export function setNameFor(homehost: string, name: string): string {
  if (homehost === '' || homehost === '<none>' || name.includes(':')) return name;
  return homehost.length + 1 + name.length < 32 ? `${homehost}:${name}` : name;
}

/** max_dev: the roles table fills the superblock's last 512-byte block. */
export function maxDevFor(devices: number): number {
  return (Math.ceil((256 + 2 * devices) / 512) * 512 - 256) / 2;
}

export function imageName(index: number): string {
  return `disk${index}.img`;
}

function refuseUnlessValid(opts: CreateOptions): void {
  if (opts.metadata !== undefined && opts.metadata !== '1.2') {
    throw new MdRefusal(`mdlab creates metadata 1.2 only (mdadm's default), not ${String(opts.metadata)}.`);
  }
  if (opts.level === 4 && opts.layout !== undefined) throw new MdRefusal('layout not meaningful for raid4 arrays.');
  const spares = opts.spareDevices ?? 0;
  if (!Number.isInteger(spares) || spares < 0) throw new MdRefusal(`--spare-devices must be 0 or more, got ${spares}.`);
  const chunkKib = opts.chunkKib ?? DEFAULT_CHUNK_KIB;
  try {
    validateGeometry({ level: opts.level, raidDisks: opts.raidDevices, algorithm: opts.layout ?? 2, chunkSectors: chunkKib * 2 });
  } catch (err) {
    if (err instanceof GeometryError) throw new MdRefusal(err.message);
    throw err;
  }
  const name = opts.name ?? '0';
  if (Buffer.byteLength(name) > 32) throw new MdRefusal(`array name "${name}" is longer than the 32 bytes md keeps.`);
}

/** Decides every field of every superblock, as mdadm 4.2 would for these options. No I/O. */
export function planCreate(opts: CreateOptions): CreatePlan {
  refuseUnlessValid(opts);
  const spares = opts.spareDevices ?? 0;
  const n = opts.raidDevices;
  const total = n + spares;
  const chunkKib = opts.chunkKib ?? DEFAULT_CHUNK_KIB;
  const devSectors = Math.floor(opts.memberBytes / 512);

  const dataOffsetSectors = defaultDataOffsetSectors(devSectors, chunkKib);
  const availSectors = devSectors - dataOffsetSectors;
  const componentKib = Math.floor(Math.max(availSectors, 0) / 2 / chunkKib) * chunkKib;
  if (componentKib <= 0) {
    throw new MdRefusal(
      `${imageName(0)} is too small: ${opts.memberBytes} bytes leave no ${chunkKib}K chunk after the ${dataOffsetSectors}-sector data offset.`,
    );
  }
  const componentSectors = componentKib * 2;

  // The spare trick: RAID4/5 rebuilds the last slot from parity (fast) instead of resyncing all parity.
  const spareTrick = !opts.force && !opts.assumeClean;
  const spareTrickImage = spareTrick ? n - 1 : -1;
  const clean = spareTrick || opts.assumeClean === true;

  const wantBitmap = opts.bitmap === 'internal' || (opts.bitmap === undefined && componentKib > AUTO_BITMAP_ABOVE_KIB);
  const bitmapChunkBytes = wantBitmap ? defaultBitmapChunkBytes(componentSectors) : 0;
  const bitmapSectors = wantBitmap ? bitmapStorageBytes(bitmapBits({ syncSize: BigInt(componentSectors), chunksize: bitmapChunkBytes })) / 512 : 0;
  const bmSpaceSectors = wantBitmap ? bitmapSectors : chooseBmSpaceSectors(devSectors);
  if (wantBitmap && SUPER_OFFSET_SECTORS + 8 + bitmapSectors > dataOffsetSectors) {
    throw new MdRefusal(`the internal bitmap (${bitmapSectors} sectors) does not fit before the data offset.`);
  }
  let bblogOffset = 8 + bmSpaceSectors;
  if (SUPER_OFFSET_SECTORS + bblogOffset + BBLOG_SECTORS > dataOffsetSectors) {
    bblogOffset = dataOffsetSectors - BBLOG_SECTORS - SUPER_OFFSET_SECTORS;
  }

  const setUuid = opts.setUuid ?? randomUuid();
  const now = BigInt(opts.nowSeconds ?? Math.floor(Date.now() / 1000));
  const maxDev = maxDevFor(spareTrick ? total + 1 : total);
  const devRoles = new Array<number>(maxDev).fill(ROLE_SPARE);
  for (let slot = 0; slot < n; slot++) if (slot !== spareTrickImage) devRoles[slot] = slot;

  const superblocks = Array.from({ length: total }, (_, i): Superblock1 => ({
    magic: MD_SB_MAGIC,
    majorVersion: 1,
    featureMap: wantBitmap ? FEATURE.BITMAP_OFFSET : 0,
    setUuid,
    setName: setNameFor(opts.homehost ?? os.hostname(), opts.name ?? '0'),
    ctime: now,
    level: opts.level,
    layout: opts.level === 4 ? 0 : (opts.layout ?? 2),
    size: BigInt(componentSectors),
    chunksize: chunkKib * 2,
    raidDisks: n,
    bitmapOffset: wantBitmap ? 8 : 0,
    newLevel: 0,
    reshapePosition: 0n,
    deltaDisks: 0,
    newLayout: 0,
    newChunk: 0,
    newOffset: 0,
    dataOffset: BigInt(dataOffsetSectors),
    dataSize: BigInt(availSectors),
    superOffset: BigInt(SUPER_OFFSET_SECTORS),
    recoveryOffset: 0n,
    // The trick device goes last in numbering, after the real spares (golden r5-ls-3d-1spare: vdc[4], vdd[3]).
    devNumber: i === spareTrickImage ? total : i,
    cntCorrectedRead: 0,
    deviceUuid: opts.deviceUuid?.(i) ?? randomUuid(),
    devflags: 0,
    bblogShift: 0,
    bblogSize: BBLOG_SECTORS,
    bblogOffset,
    utime: now,
    events: 0n,
    resyncOffset: clean ? MAX_SECTOR : 0n,
    sbCsum: 0,
    maxDev,
    devRoles: devRoles.slice(),
  }));

  const bitmap: OnDiskBitmap | null = wantBitmap
    ? {
        super: {
          magic: BITMAP_MAGIC,
          version: 4,
          uuid: setUuid,
          events: 0n,
          eventsCleared: 0n,
          syncSize: BigInt(componentSectors),
          state: 0,
          chunksize: bitmapChunkBytes,
          daemonSleepSeconds: 5,
          writeBehind: 0,
          sectorsReserved: 0,
          nodes: 0,
          clusterName: '',
        },
        // mdadm starts with every bit set: everything is "possibly out of sync" until md says otherwise.
        bits: new Uint8Array(Math.ceil(bitmapBits({ syncSize: BigInt(componentSectors), chunksize: bitmapChunkBytes }) / 8)).fill(0xff),
      }
    : null;

  assert(superblockSizeBytes(maxDev) >= 512, 'superblock occupies at least one sector');
  return { memberBytes: opts.memberBytes, superblocks, bitmap, dataOffsetSectors, componentSectors, spareTrickImage };
}

/** Makes DIR/disk<i>.img as sparse files holding only the metadata; refuses to overwrite images. */
export function writeCreatedArray(dir: string, plan: CreatePlan): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const paths = plan.superblocks.map((_, i) => path.join(dir, imageName(i)));
  for (const p of paths) {
    if (fs.existsSync(p)) throw new MdRefusal(`${p} already exists; mdlab create never overwrites an image.`);
  }
  const bitmapArea = plan.bitmap ? serializeBitmap(plan.bitmap) : null;
  plan.superblocks.forEach((sb, i) => {
    const dev = FileBlockDevice.create(paths[i], plan.memberBytes);
    try {
      writeSuperblock(dev, sb);
      if (bitmapArea) dev.write(bitmapArea, (Number(sb.superOffset) + sb.bitmapOffset) * 512);
      dev.flush();
    } finally {
      dev.close();
    }
  });
  return paths;
}

export function createArray(dir: string, opts: CreateOptions): { plan: CreatePlan; paths: string[] } {
  const plan = planCreate(opts);
  return { plan, paths: writeCreatedArray(dir, plan) };
}

