/**
 * A set of sectors kept as sorted, disjoint [start, end) runs: dm-dust's bad-block list. Runs, not single
 * sectors, so "every sector of a 1 TiB member is bad" costs one entry.
 */
import { assert, assertSafeInteger } from '../util/assert';

interface Run {
  start: number;
  end: number;
}

export class SectorSet {
  private runs: Run[] = [];

  static of(startSector: number, lengthSectors: number): SectorSet {
    const set = new SectorSet();
    set.add(startSector, startSector + lengthSectors);
    return set;
  }

  get sectorCount(): number {
    let n = 0;
    for (const r of this.runs) n += r.end - r.start;
    return n;
  }

  get empty(): boolean {
    return this.runs.length === 0;
  }

  /** Adds [start, end), merging with touching runs. */
  add(start: number, end: number): void {
    assertSafeInteger(start, 'start');
    assert(end > start, 'a sector run is not empty');
    const kept: Run[] = [];
    let merged: Run = { start, end };
    for (const r of this.runs) {
      if (r.end < merged.start || r.start > merged.end) kept.push(r);
      else merged = { start: Math.min(r.start, merged.start), end: Math.max(r.end, merged.end) };
    }
    kept.push(merged);
    kept.sort((a, b) => a.start - b.start);
    this.runs = kept;
    this.checkSorted();
  }

  /** Removes [start, end), splitting runs that straddle its edges. */
  remove(start: number, end: number): void {
    const kept: Run[] = [];
    for (const r of this.runs) {
      if (r.end <= start || r.start >= end) {
        kept.push(r);
        continue;
      }
      if (r.start < start) kept.push({ start: r.start, end: start });
      if (r.end > end) kept.push({ start: end, end: r.end });
    }
    this.runs = kept;
    this.checkSorted();
  }

  /** The first member sector of [start, end) in the set, or -1. */
  firstIn(start: number, end: number): number {
    for (const r of this.runs) {
      if (r.start >= end) break;
      if (r.end > start) return Math.max(r.start, start);
    }
    return -1;
  }

  toRanges(): { startSector: number; lengthSectors: number }[] {
    return this.runs.map((r) => ({ startSector: r.start, lengthSectors: r.end - r.start }));
  }

  private checkSorted(): void {
    for (let i = 1; i < this.runs.length; i++) {
      assert(this.runs[i - 1].end < this.runs[i].start, 'sector runs are sorted, disjoint and not touching');
    }
  }
}
