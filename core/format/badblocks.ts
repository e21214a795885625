/**
 * The v1 bad-block log (spec §1.10): le64 entries `start << 10 | length`, in units of 2^bblog_shift
 * sectors, ended by an all-ones entry; mdadm reserves 8 sectors (512 entries).
 */
import { assert } from '../util/assert';

export interface BadBlock {
  /** Absolute member sector (data_offset already included). */
  startSector: number;
  lengthSectors: number;
}

/** Longest range one entry can carry: the low 10 bits hold 1..512. */
const MAX_ENTRY_UNITS = 512;
const END = 0xffff_ffff_ffff_ffffn;

export function badBlockCapacity(sizeSectors: number): number {
  return (sizeSectors * 512) / 8;
}

/**
 * Reads entries until the all-ones terminator. A zero entry also ends the list: mdadm leaves the log
 * area unwritten (zero) until the kernel first records a bad block, and a zero length is not a range.
 */
export function parseBadBlockLog(bytes: Uint8Array, shift = 0): BadBlock[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: BadBlock[] = [];
  for (let o = 0; o + 8 <= bytes.byteLength; o += 8) {
    const entry = view.getBigUint64(o, true);
    if (entry === END) break;
    const lengthUnits = Number(entry & 0x3ffn);
    if (lengthUnits === 0) break;
    entries.push({ startSector: Number((entry >> 10n) << BigInt(shift)), lengthSectors: lengthUnits << shift });
  }
  return entries;
}

/** Sorted entries, ranges longer than one entry split, the rest of the log all ones. */
export function serializeBadBlockLog(blocks: readonly BadBlock[], sizeSectors = 8, shift = 0): Uint8Array {
  const bytes = new Uint8Array(sizeSectors * 512).fill(0xff);
  const view = new DataView(bytes.buffer);
  const unit = 1 << shift;
  let o = 0;
  for (const b of [...blocks].sort((x, y) => x.startSector - y.startSector)) {
    assert(b.startSector % unit === 0 && b.lengthSectors % unit === 0 && b.lengthSectors > 0, 'bad block aligned to the log unit');
    let start = b.startSector / unit;
    let left = b.lengthSectors / unit;
    while (left > 0) {
      const len = Math.min(left, MAX_ENTRY_UNITS);
      if (o + 8 > bytes.byteLength) throw new RangeError(`bad-block log holds at most ${badBlockCapacity(sizeSectors)} entries`);
      view.setBigUint64(o, (BigInt(start) << 10n) | BigInt(len), true);
      o += 8;
      start += len;
      left -= len;
    }
  }
  return bytes;
}
