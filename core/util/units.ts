/**
 * Units and the number formats mdadm prints. md mixes sectors, KiB, bytes and pages; converting in one
 * place keeps unit bugs out of the rest.
 */
import { assertSafeInteger } from './assert';

export const SECTOR_BYTES = 512;
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export function sectorsToBytes(sectors: number): number {
  const bytes = sectors * SECTOR_BYTES;
  assertSafeInteger(bytes, 'bytes');
  return bytes;
}

/**
 * mdadm's human_size: " (7.00 MiB 7.34 MB)", empty below 5000 KiB. Values are rounded to hundredths
 * half-up in both binary and decimal units; bigint because bytes*200 passes 2^53 for PiB arrays.
 */
export function humanSize(bytes: number | bigint): string {
  const b = BigInt(bytes);
  if (b < 5000n * 1024n) return '';
  const [binary, decimal, binUnit, decUnit] =
    b < 2n * BigInt(GiB) ? [1n << 20n, 1_000_000n, 'MiB', 'MB'] : b < 2n * BigInt(TiB) ? [1n << 30n, 1_000_000_000n, 'GiB', 'GB'] : [1n << 40n, 1_000_000_000_000n, 'TiB', 'TB'];
  const centiBinary = ((b * 200n) / binary + 1n) / 2n;
  const centiDecimal = (b / (decimal / 200n) + 1n) / 2n;
  return ` (${centi(centiBinary)} ${binUnit} ${centi(centiDecimal)} ${decUnit})`;
}

function centi(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

/**
 * Sizes as mdadm's command line takes them (--size, --chunk): a number with an optional K/M/G/T suffix,
 * plain numbers meaning KiB. Returns bytes, or null when the text is not a size.
 */
export function parseSizeBytes(text: string, plainUnitBytes = KiB): number | null {
  const m = /^(\d+)([kKmMgGtTsS]?)$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  const unitBytes: Record<string, number> = { '': plainUnitBytes, k: KiB, m: MiB, g: GiB, t: TiB, s: SECTOR_BYTES };
  const bytes = value * unitBytes[m[2].toLowerCase()];
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Chunk sizes as mdadm prints them: "64K", "512K". */
export function chunkText(chunkSectors: number): string {
  return `${chunkSectors / 2}K`;
}

/** ctime(3)'s 24 characters in local time, as mdadm prints Creation/Update Time. */
export function ctimeText(seconds: number): string {
  const d = new Date(seconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** md time fields keep seconds in the low 40 bits and microseconds above. */
export function mdTimeSeconds(value: bigint): number {
  return Number(value & ((1n << 40n) - 1n));
}
