/**
 * The in-memory bad-block list of one member (`struct badblocks`, block/badblocks.c, spec §1.10 and
 * §4.10-4.11): sorted, non-overlapping ranges of absolute member sectors, each acknowledged or not.
 * A range is unacknowledged until the superblock that records it has reached the disk; the on-disk
 * log holds one page, so the list never grows past MAX_BADBLOCKS entries and a range that would
 * overflow it is refused (the caller then fails the member).
 */
import { parseBadBlockLog, serializeBadBlockLog, type BadBlock } from '../../format/badblocks';
import { assert } from '../../util/assert';

/** One page of le64 entries (`MAX_BADBLOCKS`). */
export const MAX_BADBLOCKS = 512;
/** Longest range one entry carries (`BB_MAX_LEN`). */
const MAX_ENTRY_SECTORS = 512;

export interface BadBlockRange extends BadBlock {
  acknowledged: boolean;
}

export class BadBlocks {
  private ranges: BadBlockRange[] = [];
  /** Set when the list changed since the superblock last recorded it (`bb->changed`). */
  changed = false;
  /** Refuses every new range: the member has no log (bblog_offset 0) (`bb->shift < 0`). */
  readonly disabled: boolean;

  constructor(disabled: boolean) {
    this.disabled = disabled;
  }

  /** The list as the on-disk log recorded it at assembly: every entry acknowledged. */
  static fromLog(bytes: Uint8Array | null, shift: number): BadBlocks {
    const bb = new BadBlocks(bytes === null);
    if (bytes !== null) for (const b of parseBadBlockLog(bytes, shift)) bb.set(b.startSector, b.lengthSectors, true);
    bb.changed = false;
    return bb;
  }

  get count(): number {
    return this.ranges.length;
  }

  get unacknowledged(): boolean {
    return this.ranges.some((r) => !r.acknowledged);
  }

  entries(): readonly BadBlockRange[] {
    return this.ranges;
  }

  /** badblocks_check: does [startSector, +sectors) touch a recorded range. */
  check(startSector: number, sectors: number): boolean {
    const end = startSector + sectors;
    for (const r of this.ranges) {
      if (r.startSector >= end) return false;
      if (r.startSector + r.lengthSectors > startSector) return true;
    }
    return false;
  }

  /**
   * badblocks_set: record a range, merging with neighbours it touches. Returns false, changing
   * nothing, when the log is disabled or the result would not fit in one page of entries.
   */
  set(startSector: number, sectors: number, acknowledged: boolean): boolean {
    assert(Number.isInteger(startSector) && startSector >= 0 && Number.isInteger(sectors) && sectors > 0, 'a bad range is whole sectors');
    if (this.disabled) return false;
    let start = startSector;
    let end = startSector + sectors;
    let ack = acknowledged;
    const kept: BadBlockRange[] = [];
    for (const r of this.ranges) {
      const rEnd = r.startSector + r.lengthSectors;
      if (rEnd < start || r.startSector > end) {
        kept.push(r);
        continue;
      }
      // Touching or overlapping: one range, acknowledged only if every part was.
      start = Math.min(start, r.startSector);
      end = Math.max(end, rEnd);
      ack = ack && r.acknowledged;
    }
    kept.push({ startSector: start, lengthSectors: end - start, acknowledged: ack });
    kept.sort((a, b) => a.startSector - b.startSector);
    if (entriesNeeded(kept) > MAX_BADBLOCKS) return false;
    this.ranges = kept;
    this.changed = true;
    this.assertSorted();
    return true;
  }

  /** badblocks_clear: a successful write made [startSector, +sectors) good again. Returns whether anything was cleared. */
  clear(startSector: number, sectors: number): boolean {
    const end = startSector + sectors;
    const kept: BadBlockRange[] = [];
    let cleared = false;
    for (const r of this.ranges) {
      const rEnd = r.startSector + r.lengthSectors;
      if (rEnd <= startSector || r.startSector >= end) {
        kept.push(r);
        continue;
      }
      cleared = true;
      if (r.startSector < startSector) kept.push({ ...r, lengthSectors: startSector - r.startSector });
      if (rEnd > end) kept.push({ ...r, startSector: end, lengthSectors: rEnd - end });
    }
    if (!cleared) return false;
    // Splitting one range can need one more entry than the page holds: keep the list as it was.
    if (entriesNeeded(kept) > MAX_BADBLOCKS) return false;
    this.ranges = kept;
    this.changed = true;
    this.assertSorted();
    return true;
  }

  /** ack_all_badblocks: the superblock recording every range is on disk. */
  ackAll(): void {
    for (const r of this.ranges) r.acknowledged = true;
  }

  /** The log page super_1_sync writes: acknowledged and unacknowledged alike, as the kernel stores them. */
  toLog(sizeSectors: number, shift: number): Uint8Array {
    return serializeBadBlockLog(this.ranges, sizeSectors, shift);
  }

  /** sysfs `bad_blocks` (acknowledged) or `unacknowledged_bad_blocks`: "start length" per line. */
  sysfsText(acknowledged: boolean): string {
    return this.ranges
      .filter((r) => r.acknowledged === acknowledged)
      .map((r) => `${r.startSector} ${r.lengthSectors}\n`)
      .join('');
  }

  private assertSorted(): void {
    for (let i = 1; i < this.ranges.length; i++) {
      const prev = this.ranges[i - 1];
      assert(prev.startSector + prev.lengthSectors < this.ranges[i].startSector, 'bad ranges are sorted, apart and never touching');
    }
  }
}

/** A range longer than one entry carries takes several. */
function entriesNeeded(ranges: readonly BadBlock[]): number {
  let n = 0;
  for (const r of ranges) n += Math.ceil(r.lengthSectors / MAX_ENTRY_SECTORS);
  return n;
}
