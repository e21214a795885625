/**
 * The internal write-intent bitmap's on-disk form (spec §2): a 256-byte `bitmap_super_t` followed by
 * one bit per bitmap chunk, LSB first. Behaviour (counters, daemon, resync skipping) lives in the engine.
 */
import { assert } from '../util/assert';

export const BITMAP_MAGIC = 0x6d746962;
export const BITMAP_SUPER_BYTES = 256;
/** bitmap_super_t.state bits. */
export const BITMAP_STATE = { STALE: 0x2, WRITE_ERROR: 0x4 } as const;

export interface BitmapSuper {
  magic: number;
  version: number;
  uuid: Uint8Array;
  events: bigint;
  eventsCleared: bigint;
  /** Sectors of each member the bitmap covers. */
  syncSize: bigint;
  state: number;
  /** Bytes of each member one bit stands for. */
  chunksize: number;
  daemonSleepSeconds: number;
  writeBehind: number;
  sectorsReserved: number;
  nodes: number;
  clusterName: string;
}

/** The bitmap superblock breaks one of the kernel's rules for loading it. */
export class BitmapError extends Error {
  override name = 'BitmapError';
  readonly code = 'BAD_BITMAP';
}

export function parseBitmapSuper(bytes: Uint8Array): BitmapSuper {
  if (bytes.byteLength < BITMAP_SUPER_BYTES) throw new BitmapError('bitmap superblock is shorter than 256 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, BITMAP_SUPER_BYTES);
  const magic = view.getUint32(0, true);
  if (magic !== BITMAP_MAGIC) throw new BitmapError('no bitmap superblock (magic 6d746962 not found)');
  const version = view.getUint32(4, true);
  if (version < 3 || version > 6) throw new BitmapError(`bitmap version ${version} is not one md reads (3-6)`);
  const chunksize = view.getUint32(52, true);
  if (chunksize < 512 || (chunksize & (chunksize - 1)) !== 0) {
    throw new BitmapError(`bitmap chunk size ${chunksize} is not a power of two of at least 512 bytes`);
  }
  const nameBytes = bytes.subarray(72, 136);
  const nameEnd = nameBytes.indexOf(0);
  return {
    magic,
    version,
    uuid: bytes.slice(8, 24),
    events: view.getBigUint64(24, true),
    eventsCleared: view.getBigUint64(32, true),
    syncSize: view.getBigUint64(40, true),
    state: view.getUint32(48, true),
    chunksize,
    daemonSleepSeconds: view.getUint32(56, true),
    writeBehind: view.getUint32(60, true),
    sectorsReserved: view.getUint32(64, true),
    nodes: view.getUint32(68, true),
    clusterName: Buffer.from(nameBytes.subarray(0, nameEnd === -1 ? 64 : nameEnd)).toString('utf8'),
  };
}

export function serializeBitmapSuper(b: BitmapSuper): Uint8Array {
  assert(b.magic === BITMAP_MAGIC, 'bitmap magic');
  assert(b.uuid.byteLength === 16, 'bitmap uuid is 16 bytes');
  const bytes = new Uint8Array(BITMAP_SUPER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, b.magic, true);
  view.setUint32(4, b.version, true);
  bytes.set(b.uuid, 8);
  view.setBigUint64(24, b.events, true);
  view.setBigUint64(32, b.eventsCleared, true);
  view.setBigUint64(40, b.syncSize, true);
  view.setUint32(48, b.state, true);
  view.setUint32(52, b.chunksize, true);
  view.setUint32(56, b.daemonSleepSeconds, true);
  view.setUint32(60, b.writeBehind, true);
  view.setUint32(64, b.sectorsReserved, true);
  view.setUint32(68, b.nodes, true);
  const name = Buffer.from(b.clusterName, 'utf8');
  assert(name.byteLength <= 64, 'cluster name fits in 64 bytes');
  bytes.set(name, 72);
  return bytes;
}

/** Number of bits: one per chunk of the synced size, the last one possibly partial. */
export function bitmapBits(b: Pick<BitmapSuper, 'syncSize' | 'chunksize'>): number {
  const chunkSectors = BigInt(b.chunksize / 512);
  return Number((b.syncSize + chunkSectors - 1n) / chunkSectors);
}

/** Bytes the superblock and bits occupy, rounded up to 4 KiB as mdadm reserves and the kernel writes pages. */
export function bitmapStorageBytes(bits: number): number {
  return Math.ceil((BITMAP_SUPER_BYTES + Math.ceil(bits / 8)) / 4096) * 4096;
}

/** Bit k lives at byte k/8, bit k%8 (set_bit_le); `bits` is the array after the 256-byte superblock. */
export function getBit(bits: Uint8Array, k: number): boolean {
  return (bits[k >>> 3] & (1 << (k & 7))) !== 0;
}

export function setBit(bits: Uint8Array, k: number, value: boolean): void {
  if (value) bits[k >>> 3] |= 1 << (k & 7);
  else bits[k >>> 3] &= ~(1 << (k & 7));
}

export function countSetBits(bits: Uint8Array, count: number): number {
  let set = 0;
  for (let k = 0; k < count; k++) if (getBit(bits, k)) set++;
  return set;
}

export interface OnDiskBitmap {
  super: BitmapSuper;
  /** ceil(bits/8) bytes of bit array. */
  bits: Uint8Array;
}

/** Splits a bitmap area (superblock + bits, as read from the member) into its parts. */
export function parseBitmap(area: Uint8Array): OnDiskBitmap {
  const sup = parseBitmapSuper(area);
  const byteCount = Math.ceil(bitmapBits(sup) / 8);
  if (BITMAP_SUPER_BYTES + byteCount > area.byteLength) throw new BitmapError('bitmap bits run past the area read');
  return { super: sup, bits: area.slice(BITMAP_SUPER_BYTES, BITMAP_SUPER_BYTES + byteCount) };
}

/** The whole area as mdadm writes it: superblock, bits, and 0xff filling the rest of the last 4 KiB. */
export function serializeBitmap(bitmap: OnDiskBitmap): Uint8Array {
  const bitCount = bitmapBits(bitmap.super);
  assert(bitmap.bits.byteLength === Math.ceil(bitCount / 8), 'bit array matches sync size and chunk');
  const area = new Uint8Array(bitmapStorageBytes(bitCount)).fill(0xff);
  area.set(serializeBitmapSuper(bitmap.super), 0);
  area.set(bitmap.bits, BITMAP_SUPER_BYTES);
  return area;
}
