/**
 * Reading an assembled, stopped RAID4/5 array: the array's bytes straight from its members, as the
 * kernel's chunk-aligned read bypass does for healthy arrays (no stripe cache), plus reconstruction of
 * one missing member from parity. Work is done a window of whole rows at a time with one readv per run
 * of rows per member, the data landing directly in the output buffer: memory is bounded by the window.
 */
import type { BlockDevice } from '../format/blockdev';
import { dataIndexOf, type Geometry, validateGeometry } from '../format/layout';
import { assert } from '../util/assert';
import { xorInto } from '../util/xor';
import { MdRefusal } from './errors';

export interface ReaderMember {
  dev: BlockDevice;
  dataOffsetSectors: number;
}

/** Rows per window are chosen so one window of array data is about this big. */
const WINDOW_TARGET_BYTES = 16 * 1024 * 1024;

export class ArrayReader {
  readonly chunkBytes: number;
  readonly dataDisks: number;
  readonly rowBytes: number;
  readonly sizeBytes: number;
  readonly rows: number;
  /** Slot with no member, reconstructed from the others; -1 when all are present. */
  readonly missing: number;
  readonly rowsPerWindow: number;
  private readonly parityScratch: Uint8Array;

  constructor(
    readonly geometry: Geometry,
    readonly members: readonly (ReaderMember | null)[],
    /** Sectors of each member the array uses (Used Dev Size). */
    readonly componentSectors: number,
  ) {
    validateGeometry(geometry);
    assert(members.length === geometry.raidDisks, 'one reader member per slot');
    const missing = members.flatMap((m, i) => (m === null ? [i] : []));
    if (missing.length > 1) throw new MdRefusal(`cannot read the array: ${missing.length} of ${geometry.raidDisks} members are missing and RAID${geometry.level} survives one.`);
    this.missing = missing.length === 1 ? missing[0] : -1;
    this.chunkBytes = geometry.chunkSectors * 512;
    this.dataDisks = geometry.raidDisks - 1;
    this.rowBytes = this.chunkBytes * this.dataDisks;
    this.rows = Math.floor(componentSectors / geometry.chunkSectors);
    this.sizeBytes = this.rows * this.rowBytes;
    this.rowsPerWindow = Math.max(1, Math.floor(WINDOW_TARGET_BYTES / this.rowBytes));
    this.parityScratch = new Uint8Array(this.missing >= 0 ? this.rowsPerWindow * this.chunkBytes : 0);
  }

  /** Fills `out` with rows [firstRow, firstRow + rowCount) of array data; rowCount ≤ rowsPerWindow when degraded. */
  readRows(firstRow: number, rowCount: number, out: Uint8Array): void {
    assert(out.byteLength >= rowCount * this.rowBytes, 'output holds the rows');
    assert(firstRow >= 0 && firstRow + rowCount <= this.rows, 'rows inside the array');
    assert(this.missing < 0 || rowCount <= this.rowsPerWindow, 'degraded reads stay within one window of scratch');
    const g = this.geometry;
    for (let disk = 0; disk < g.raidDisks; disk++) {
      const member = this.members[disk];
      if (member === null) continue;
      // Gather this member's chunks for the window as runs of consecutive rows, one readv per run.
      let runStart = -1;
      let iov: Uint8Array[] = [];
      const flush = (): void => {
        if (iov.length === 0) return;
        const offsetBytes = (member.dataOffsetSectors + (firstRow + runStart) * g.chunkSectors) * 512;
        member.dev.readv(iov, offsetBytes);
        iov = [];
      };
      for (let r = 0; r < rowCount; r++) {
        const stripe = firstRow + r;
        const dd = dataIndexOf(g, stripe, disk);
        let target: Uint8Array | null;
        if (dd >= 0) target = out.subarray((r * this.dataDisks + dd) * this.chunkBytes, (r * this.dataDisks + dd + 1) * this.chunkBytes);
        else if (this.missing >= 0 && this.missing !== disk) target = this.parityScratch.subarray(r * this.chunkBytes, (r + 1) * this.chunkBytes);
        else target = null;
        if (target === null) {
          flush();
          continue;
        }
        if (iov.length === 0) runStart = r;
        iov.push(target);
      }
      flush();
    }
    if (this.missing >= 0) this.reconstruct(firstRow, rowCount, out);
  }

  /** The missing member's data chunk is the XOR of every other chunk of its row, parity included. */
  private reconstruct(firstRow: number, rowCount: number, out: Uint8Array): void {
    const g = this.geometry;
    const chunk = (r: number, dd: number): Uint8Array => out.subarray((r * this.dataDisks + dd) * this.chunkBytes, (r * this.dataDisks + dd + 1) * this.chunkBytes);
    for (let r = 0; r < rowCount; r++) {
      const stripe = firstRow + r;
      const lostDd = dataIndexOf(g, stripe, this.missing);
      if (lostDd < 0) continue;
      const target = chunk(r, lostDd);
      target.set(this.parityScratch.subarray(r * this.chunkBytes, (r + 1) * this.chunkBytes));
      for (let dd = 0; dd < this.dataDisks; dd++) if (dd !== lostDd) xorInto(target, chunk(r, dd));
    }
  }

  /**
   * Reads any range of the array. Whole windows go straight into `buffer`; partial rows at the ends
   * pass through a small bounce buffer.
   */
  read(buffer: Uint8Array, offsetBytes: number): void {
    assert(offsetBytes >= 0 && offsetBytes + buffer.byteLength <= this.sizeBytes, 'read inside the array');
    let done = 0;
    let bounce: Uint8Array | null = null;
    while (done < buffer.byteLength) {
      const position = offsetBytes + done;
      const row = Math.floor(position / this.rowBytes);
      const inRow = position - row * this.rowBytes;
      const wholeRows = Math.min(Math.floor((buffer.byteLength - done) / this.rowBytes), this.rowsPerWindow, this.rows - row);
      if (inRow === 0 && wholeRows > 0) {
        this.readRows(row, wholeRows, buffer.subarray(done, done + wholeRows * this.rowBytes));
        done += wholeRows * this.rowBytes;
        continue;
      }
      bounce ??= new Uint8Array(this.rowBytes);
      this.readRows(row, 1, bounce);
      const n = Math.min(this.rowBytes - inRow, buffer.byteLength - done);
      buffer.set(bounce.subarray(inRow, inRow + n), done);
      done += n;
    }
  }
}

