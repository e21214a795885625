/**
 * The md v1.x superblock (`struct mdp_superblock_1`, spec §1): 256 fixed bytes plus one u16 role per
 * dev_number, little-endian. Parsing checks the kernel's acceptance rules (§1.7) so a superblock mdlab
 * accepts is one Linux would accept; serialising recomputes the checksum (§1.6).
 */
import { assert } from '../util/assert';
import type { BlockDevice } from './blockdev';

export const MD_SB_MAGIC = 0xa92b4efc;
/** md's MaxSector: "no checkpoint" / "fully in sync". */
export const MAX_SECTOR = 0xffff_ffff_ffff_ffffn;
export const ROLE_SPARE = 0xffff;
export const ROLE_FAULTY = 0xfffe;
export const ROLE_JOURNAL = 0xfffd;
/** Roles below this are slots (raid_disk numbers). */
export const ROLE_MAX = 0xff00;
/** The kernel refuses superblocks announcing more roles than this. */
export const MAX_DEV_LIMIT = 1920;
/** The superblock slot md reads: one 4 KiB page. */
export const SB_SLOT_BYTES = 4096;
export const SB_FIXED_BYTES = 256;

export const FEATURE = {
  BITMAP_OFFSET: 0x1,
  RECOVERY_OFFSET: 0x2,
  RESHAPE_ACTIVE: 0x4,
  BAD_BLOCKS: 0x8,
  REPLACEMENT: 0x10,
  RESHAPE_BACKWARDS: 0x20,
  NEW_OFFSET: 0x40,
  RECOVERY_BITMAP: 0x80,
  CLUSTERED: 0x100,
  JOURNAL: 0x200,
  PPL: 0x400,
  MULTIPLE_PPLS: 0x800,
  RAID0_LAYOUT: 0x1000,
} as const;
const FEATURE_ALL = Object.values(FEATURE).reduce((a, b) => a | b, 0);

export type MetadataVersion = '1.0' | '1.1' | '1.2';

/** Every field of mdp_superblock_1, camelCased; u64 fields are bigint, pads are implied zero. */
export interface Superblock1 {
  magic: number;
  majorVersion: number;
  featureMap: number;
  setUuid: Uint8Array;
  /** NUL-padded on disk, at most 32 bytes. */
  setName: string;
  /** Low 40 bits seconds, high 24 bits microseconds. */
  ctime: bigint;
  level: number;
  layout: number;
  /** Used Dev Size: sectors of each member the array uses. */
  size: bigint;
  chunksize: number;
  raidDisks: number;
  /** Signed sectors from the superblock; with PPL the same 4 bytes hold ppl offset (s16) and size (u16). */
  bitmapOffset: number;
  newLevel: number;
  reshapePosition: bigint;
  deltaDisks: number;
  newLayout: number;
  newChunk: number;
  newOffset: number;
  dataOffset: bigint;
  dataSize: bigint;
  superOffset: bigint;
  /** Union with journal_tail on a journal device. */
  recoveryOffset: bigint;
  devNumber: number;
  cntCorrectedRead: number;
  deviceUuid: Uint8Array;
  devflags: number;
  bblogShift: number;
  bblogSize: number;
  /** Signed sectors from the superblock; 0 means no log. */
  bblogOffset: number;
  utime: bigint;
  events: bigint;
  resyncOffset: bigint;
  sbCsum: number;
  maxDev: number;
  /** One role per dev_number, maxDev entries. */
  devRoles: number[];
}

/** The superblock breaks one of the kernel's rules for accepting it; the message names the rule. */
export class SuperblockError extends Error {
  override name = 'SuperblockError';
  readonly code = 'BAD_SUPERBLOCK';
  constructor(
    message: string,
    readonly rule: 'magic' | 'version' | 'max_dev' | 'features' | 'pad' | 'data_size' | 'super_offset' | 'data_offset' | 'bblog' | 'size',
  ) {
    super(message);
  }
}

/** Bytes md writes (and the checksum covers up to 256 + 2*max_dev) rounded to a 512-byte block. */
export function superblockSizeBytes(maxDev: number): number {
  return Math.ceil((SB_FIXED_BYTES + 2 * maxDev) / 512) * 512;
}

/** §1.6: one's-complement-ish fold of the little-endian u32 sum over 256 + 2*max_dev bytes. */
export function superblockChecksum(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxDev = view.getUint32(220, true);
  const lengthBytes = SB_FIXED_BYTES + 2 * Math.min(maxDev, MAX_DEV_LIMIT);
  assert(lengthBytes <= bytes.byteLength, 'checksum range lies inside the buffer');
  // Two 32-bit halves instead of a u64: exact, and no bigint in a per-word loop.
  let low = 0;
  let high = 0;
  const words = lengthBytes >>> 2;
  for (let i = 0; i < words; i++) {
    const offset = i * 4;
    const word = offset === 216 ? 0 : view.getUint32(offset, true);
    low += word;
    if (low >= 0x1_0000_0000) {
      low -= 0x1_0000_0000;
      high += 1;
    }
  }
  if (lengthBytes % 4 === 2) {
    low += view.getUint16(lengthBytes - 2, true);
    if (low >= 0x1_0000_0000) {
      low -= 0x1_0000_0000;
      high += 1;
    }
  }
  return (low + high) >>> 0;
}

function readName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end === -1 ? bytes.length : end)).toString('utf8');
}

// Little-endian field access, as module functions: closures made per call go through esbuild's naming
// helper under tsx (an Object.defineProperty each), a tenth of md's superblock checkpoints in the bench.
function getU32(view: DataView, o: number): number {
  return view.getUint32(o, true);
}

function getS32(view: DataView, o: number): number {
  return view.getInt32(o, true);
}

function getU64(view: DataView, o: number): bigint {
  return view.getBigUint64(o, true);
}

function putU32(view: DataView, o: number, v: number): void {
  view.setUint32(o, v >>> 0, true);
}

function putS32(view: DataView, o: number, v: number): void {
  view.setInt32(o, v, true);
}

function putU64(view: DataView, o: number, v: bigint): void {
  view.setBigUint64(o, BigInt.asUintN(64, v), true);
}

/**
 * Decodes a superblock and applies the acceptance rules that need nothing but its bytes. The checksum
 * is NOT enforced here (examine reports a wrong one instead of failing); see readSuperblock.
 */
export function parseSuperblock1(bytes: Uint8Array): Superblock1 {
  if (bytes.byteLength < SB_FIXED_BYTES) throw new SuperblockError('superblock is shorter than 256 bytes', 'size');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const magic = getU32(view, 0);
  if (magic !== MD_SB_MAGIC) throw new SuperblockError('no md superblock (magic a92b4efc not found)', 'magic');
  const majorVersion = getU32(view, 4);
  if (majorVersion !== 1) throw new SuperblockError(`superblock major version is ${majorVersion}, md v1 needs 1`, 'version');
  const maxDev = getU32(view, 220);
  if (maxDev > MAX_DEV_LIMIT) throw new SuperblockError(`max_dev ${maxDev} exceeds md's limit of ${MAX_DEV_LIMIT}`, 'max_dev');
  const featureMap = getU32(view, 8);
  if ((featureMap & ~FEATURE_ALL) !== 0) {
    throw new SuperblockError(`feature map 0x${featureMap.toString(16)} has bits md does not know`, 'features');
  }
  if (getU32(view, 12) !== 0) throw new SuperblockError('pad0 is not zero', 'pad');
  for (let o = 224; o < 256; o++) {
    if (bytes[o] !== 0) throw new SuperblockError('pad3 is not all zero', 'pad');
  }
  const dataSize = getU64(view, 136);
  if (dataSize < 10n) throw new SuperblockError(`data_size ${dataSize} is below md's minimum of 10 sectors`, 'data_size');
  if (SB_FIXED_BYTES + 2 * maxDev > bytes.byteLength) {
    throw new SuperblockError(`max_dev ${maxDev} roles do not fit in ${bytes.byteLength} bytes`, 'size');
  }
  const bblogSize = view.getUint16(186, true);
  const bblogOffset = getS32(view, 188);
  if ((featureMap & FEATURE.BAD_BLOCKS) !== 0 && (bblogOffset === 0 || bblogSize > 8)) {
    throw new SuperblockError('bad blocks are flagged but there is no usable bad-block log', 'bblog');
  }
  const devRoles: number[] = new Array(maxDev);
  for (let i = 0; i < maxDev; i++) devRoles[i] = view.getUint16(SB_FIXED_BYTES + 2 * i, true);

  return {
    magic,
    majorVersion,
    featureMap,
    setUuid: bytes.slice(16, 32),
    setName: readName(bytes.subarray(32, 64)),
    ctime: getU64(view, 64),
    level: getS32(view, 72),
    layout: getU32(view, 76),
    size: getU64(view, 80),
    chunksize: getU32(view, 88),
    raidDisks: getU32(view, 92),
    bitmapOffset: getS32(view, 96),
    newLevel: getS32(view, 100),
    reshapePosition: getU64(view, 104),
    deltaDisks: getS32(view, 112),
    newLayout: getU32(view, 116),
    newChunk: getU32(view, 120),
    newOffset: getS32(view, 124),
    dataOffset: getU64(view, 128),
    dataSize,
    superOffset: getU64(view, 144),
    recoveryOffset: getU64(view, 152),
    devNumber: getU32(view, 160),
    cntCorrectedRead: getU32(view, 164),
    deviceUuid: bytes.slice(168, 184),
    devflags: bytes[184],
    bblogShift: bytes[185],
    bblogSize,
    bblogOffset,
    utime: getU64(view, 192),
    events: getU64(view, 200),
    resyncOffset: getU64(view, 208),
    sbCsum: getU32(view, 216),
    maxDev,
    devRoles,
  };
}

/** Encodes into a 4 KiB slot (md writes only the first superblockSizeBytes) with a fresh checksum. */
export function serializeSuperblock1(sb: Superblock1): Uint8Array {
  assert(sb.magic === MD_SB_MAGIC && sb.majorVersion === 1, 'serialising a v1 superblock');
  assert(sb.devRoles.length === sb.maxDev, 'devRoles has maxDev entries');
  assert(sb.maxDev <= MAX_DEV_LIMIT, 'maxDev within md limit');
  assert(sb.setUuid.byteLength === 16 && sb.deviceUuid.byteLength === 16, 'uuids are 16 bytes');
  const name = Buffer.from(sb.setName, 'utf8');
  assert(name.byteLength <= 32, 'set_name fits in 32 bytes');

  const bytes = new Uint8Array(SB_SLOT_BYTES);
  const view = new DataView(bytes.buffer);

  putU32(view, 0, sb.magic);
  putU32(view, 4, sb.majorVersion);
  putU32(view, 8, sb.featureMap);
  bytes.set(sb.setUuid, 16);
  bytes.set(name, 32);
  putU64(view, 64, sb.ctime);
  putS32(view, 72, sb.level);
  putU32(view, 76, sb.layout);
  putU64(view, 80, sb.size);
  putU32(view, 88, sb.chunksize);
  putU32(view, 92, sb.raidDisks);
  putS32(view, 96, sb.bitmapOffset);
  putS32(view, 100, sb.newLevel);
  putU64(view, 104, sb.reshapePosition);
  putS32(view, 112, sb.deltaDisks);
  putU32(view, 116, sb.newLayout);
  putU32(view, 120, sb.newChunk);
  putS32(view, 124, sb.newOffset);
  putU64(view, 128, sb.dataOffset);
  putU64(view, 136, sb.dataSize);
  putU64(view, 144, sb.superOffset);
  putU64(view, 152, sb.recoveryOffset);
  putU32(view, 160, sb.devNumber);
  putU32(view, 164, sb.cntCorrectedRead);
  bytes.set(sb.deviceUuid, 168);
  bytes[184] = sb.devflags;
  bytes[185] = sb.bblogShift;
  view.setUint16(186, sb.bblogSize, true);
  putS32(view, 188, sb.bblogOffset);
  putU64(view, 192, sb.utime);
  putU64(view, 200, sb.events);
  putU64(view, 208, sb.resyncOffset);
  putU32(view, 220, sb.maxDev);
  for (let i = 0; i < sb.maxDev; i++) view.setUint16(SB_FIXED_BYTES + 2 * i, sb.devRoles[i], true);
  putU32(view, 216, superblockChecksum(bytes));
  return bytes;
}

/** Where each metadata version puts the superblock (§1.1), in sectors from the start of the member. */
export function superOffsetSectors(version: MetadataVersion, deviceSectors: number): number {
  switch (version) {
    case '1.0':
      // 8-12 KiB from the end, 4 KiB aligned.
      return Math.floor((deviceSectors - 16) / 8) * 8;
    case '1.1':
      return 0;
    case '1.2':
      return 8;
  }
}

/** mdadm names the version by where the superblock sits. */
export function versionOfSuperOffset(superOffsetSectors: bigint): MetadataVersion {
  if (superOffsetSectors <= 4n) return '1.1';
  if (superOffsetSectors <= 8n) return '1.2';
  return '1.0';
}

/** This member's own role: dev_roles[dev_number], spare when the table is too short. */
export function roleOf(sb: Superblock1): number {
  return sb.devNumber < sb.maxDev ? sb.devRoles[sb.devNumber] : ROLE_SPARE;
}

/** The rules of §1.7 that depend on the device: location, data area inside the device. */
export function checkPlacement(sb: Superblock1, version: MetadataVersion, deviceSectors: number): void {
  const expected = BigInt(superOffsetSectors(version, deviceSectors));
  if (sb.superOffset !== expected) {
    throw new SuperblockError(`super_offset ${sb.superOffset} is not where a ${version} superblock lives (sector ${expected})`, 'super_offset');
  }
  const sbSectors = BigInt(superblockSizeBytes(sb.maxDev) / 512);
  const dsize = BigInt(deviceSectors);
  if (version === '1.0') {
    if (sb.superOffset < sb.dataSize) {
      throw new SuperblockError(`data_size ${sb.dataSize} runs into the superblock at sector ${sb.superOffset}`, 'data_size');
    }
    return;
  }
  if (sb.dataOffset < sb.superOffset + sbSectors) {
    throw new SuperblockError(`data_offset ${sb.dataOffset} overlaps the superblock`, 'data_offset');
  }
  if (dsize - sb.dataOffset < sb.dataSize) {
    throw new SuperblockError(`data_size ${sb.dataSize} from data_offset ${sb.dataOffset} runs past the device end (${dsize} sectors)`, 'data_size');
  }
}

export interface ReadSuperblockResult {
  sb: Superblock1;
  version: MetadataVersion;
  checksumOk: boolean;
  /** The checksum of the bytes as stored (what mdadm reports as "expected" when they differ). */
  checksum: number;
}

function readSlot(dev: BlockDevice, version: MetadataVersion): Uint8Array | null {
  const deviceSectors = Math.floor(dev.sizeBytes / 512);
  const offsetSectors = superOffsetSectors(version, deviceSectors);
  if (offsetSectors < 0 || (offsetSectors + 8) * 512 > dev.sizeBytes) return null;
  const bytes = new Uint8Array(SB_SLOT_BYTES);
  dev.read(bytes, offsetSectors * 512);
  return bytes;
}

function hasMagic(bytes: Uint8Array): boolean {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === MD_SB_MAGIC;
}

/**
 * Reads and validates one member's superblock. 'auto' looks at all three 1.x places and, as mdadm
 * does, keeps the superblock with the latest creation time, the earliest of 1.0, 1.1, 1.2 on a tie.
 */
export function readSuperblock(dev: BlockDevice, version: MetadataVersion | 'auto' = 'auto'): ReadSuperblockResult {
  const candidates: MetadataVersion[] = version === 'auto' ? ['1.0', '1.1', '1.2'] : [version];
  let best: ReadSuperblockResult | null = null;
  let firstError: unknown = null;
  for (const candidate of candidates) {
    const bytes = readSlot(dev, candidate);
    if (bytes === null || !hasMagic(bytes)) continue;
    try {
      const sb = parseSuperblock1(bytes);
      checkPlacement(sb, candidate, Math.floor(dev.sizeBytes / 512));
      const checksum = superblockChecksum(bytes);
      const found = { sb, version: candidate, checksumOk: checksum === sb.sbCsum, checksum };
      if (best === null || mdTime(sb.ctime) > mdTime(best.sb.ctime)) best = found;
    } catch (err) {
      firstError ??= err;
    }
  }
  if (best) return best;
  if (firstError) throw firstError;
  throw new SuperblockError(`No md superblock detected on ${dev.name}.`, 'magic');
}

function mdTime(value: bigint): bigint {
  return value & ((1n << 40n) - 1n);
}

/** Writes the superblock where its super_offset says, only the bytes md itself writes. */
export function writeSuperblock(dev: BlockDevice, sb: Superblock1): void {
  const version = versionOfSuperOffset(sb.superOffset);
  checkPlacement(sb, version, Math.floor(dev.sizeBytes / 512));
  const bytes = serializeSuperblock1(sb);
  dev.write(bytes.subarray(0, superblockSizeBytes(sb.maxDev)), Number(sb.superOffset) * 512);
}
