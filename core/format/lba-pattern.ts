/**
 * The golden `lba` data pattern (golden/README.md): array sector s holds 16 copies of the 32-byte record
 * `<TAG>:s=<s, 12 digits>:mdlab` + '.' padding + '\n'. A mis-mapped block shows its origin in a hex dump.
 */
import { assert } from '../util/assert';

export const LBA_RECORD_BYTES = 32;
const RECORDS_PER_SECTOR = 16;
const DIGITS = 12;

export function lbaRecord(tag: string, sector: number): string {
  const head = `${tag}:s=${String(sector).padStart(DIGITS, '0')}:mdlab`;
  assert(head.length <= LBA_RECORD_BYTES - 1, 'lba record fits in 31 bytes');
  return head.padEnd(LBA_RECORD_BYTES - 1, '.') + '\n';
}

/**
 * Fills `buffer` (a whole number of sectors) with the pattern of the sectors starting at firstSector.
 * One template sector is built, then only the 12 digits change per sector: no per-sector string work.
 */
export function fillLbaPattern(buffer: Uint8Array, tag: string, firstSector: number): void {
  assert(buffer.byteLength % 512 === 0, 'lba pattern fills whole sectors');
  const template = Buffer.from(lbaRecord(tag, 0).repeat(RECORDS_PER_SECTOR), 'latin1');
  const digitsAt = tag.length + 3;
  const digits = new Uint8Array(DIGITS);
  const sectors = buffer.byteLength / 512;
  for (let i = 0; i < sectors; i++) {
    let s = firstSector + i;
    for (let d = DIGITS - 1; d >= 0; d--) {
      digits[d] = 0x30 + (s % 10);
      s = Math.floor(s / 10);
    }
    for (let r = 0; r < RECORDS_PER_SECTOR; r++) template.set(digits, r * LBA_RECORD_BYTES + digitsAt);
    buffer.set(template, i * 512);
  }
}

/** The pattern for an array byte range (sector aligned). */
export function lbaPatternBytes(tag: string, offsetBytes: number, lengthBytes: number): Uint8Array {
  assert(offsetBytes % 512 === 0 && lengthBytes % 512 === 0, 'lba pattern ranges are sector aligned');
  const buffer = new Uint8Array(lengthBytes);
  fillLbaPattern(buffer, tag, offsetBytes / 512);
  return buffer;
}
