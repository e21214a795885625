/**
 * The shadow of the array: what every sector must hold given the writes md acknowledged. A write that
 * a power cut interrupted was never acknowledged, so each sector it touched may hold the old or the new
 * bytes (md writes whole 4 KiB blocks per member, never a torn mix). Sectors the RAID5 write hole may
 * have destroyed are `tainted`: any bytes are accepted there, and a read that differs is reported as
 * the write hole rather than as a bug.
 */
import { assert } from '../util/assert';

const SECTOR_BYTES = 512;

export type ReadVerdict =
  | { kind: 'ok' }
  | { kind: 'write-hole'; sectors: number[] }
  | { kind: 'wrong'; sector: number; firstByte: number };

export class ShadowArray {
  readonly bytes: Uint8Array;
  /** Other acceptable contents of a sector, besides `bytes`, after an interrupted write. */
  private readonly alternatives = new Map<number, Uint8Array[]>();
  private readonly tainted = new Set<number>();

  constructor(readonly sizeBytes: number) {
    assert(sizeBytes % SECTOR_BYTES === 0, 'the array is whole sectors');
    this.bytes = new Uint8Array(sizeBytes);
  }

  get uncertainSectors(): number {
    return this.alternatives.size;
  }

  get taintedSectors(): number {
    return this.tainted.size;
  }

  /** md acknowledged this write: from now on nothing else is acceptable where it landed. */
  acknowledged(offsetBytes: number, data: Uint8Array): void {
    this.eachSector(offsetBytes, data.byteLength, (sector, whole) => {
      if (whole) {
        this.alternatives.delete(sector);
        this.tainted.delete(sector);
      } else {
        // MdArray read the rest of the sector first, so every candidate gets the new bytes patched in.
        for (const alt of this.alternatives.get(sector) ?? []) patch(alt, sector, offsetBytes, data);
      }
    });
    this.bytes.set(data, offsetBytes);
  }

  /** A write that was in flight at a power cut: old or new bytes, sector by sector. */
  interrupted(offsetBytes: number, data: Uint8Array): void {
    this.eachSector(offsetBytes, data.byteLength, (sector) => {
      const before = this.sectorBytes(sector).slice();
      const alts = this.alternatives.get(sector) ?? [];
      const patched = alts.map((alt) => {
        const copy = alt.slice();
        patch(copy, sector, offsetBytes, data);
        return copy;
      });
      this.alternatives.set(sector, [before, ...alts, ...patched]);
    });
    this.bytes.set(data, offsetBytes);
  }

  /** The write hole may have struck these sectors: md rebuilt them from parity that did not match. */
  taint(firstSector: number, sectors: number): void {
    for (let s = firstSector; s < firstSector + sectors && s * SECTOR_BYTES < this.sizeBytes; s++) this.tainted.add(s);
  }

  /** Judges bytes md returned for [offsetBytes, +actual.length); settles uncertain sectors it fully saw. */
  judgeRead(offsetBytes: number, actual: Uint8Array): ReadVerdict {
    const holes: number[] = [];
    let wrong: ReadVerdict | null = null;
    this.eachSector(offsetBytes, actual.byteLength, (sector, whole, from, to) => {
      if (wrong !== null) return;
      const seen = actual.subarray(from - offsetBytes, to - offsetBytes);
      const inSector = [from - sector * SECTOR_BYTES, to - sector * SECTOR_BYTES] as const;
      if (equal(this.sectorBytes(sector).subarray(...inSector), seen)) {
        if (whole) this.alternatives.delete(sector);
        return;
      }
      const match = (this.alternatives.get(sector) ?? []).find((alt) => equal(alt.subarray(...inSector), seen));
      if (match !== undefined) {
        if (whole) {
          this.bytes.set(match, sector * SECTOR_BYTES);
          this.alternatives.delete(sector);
        }
        return;
      }
      if (this.tainted.has(sector)) {
        holes.push(sector);
        return;
      }
      const expected = this.sectorBytes(sector).subarray(...inSector);
      let i = 0;
      while (expected[i] === seen[i]) i++;
      wrong = { kind: 'wrong', sector, firstByte: from + i };
    });
    if (wrong !== null) return wrong;
    return holes.length > 0 ? { kind: 'write-hole', sectors: holes } : { kind: 'ok' };
  }

  private sectorBytes(sector: number): Uint8Array {
    return this.bytes.subarray(sector * SECTOR_BYTES, (sector + 1) * SECTOR_BYTES);
  }

  /** visit(sector, whole, fromByte, toByte) for every sector the byte range touches. */
  private eachSector(offsetBytes: number, lengthBytes: number, visit: (sector: number, whole: boolean, from: number, to: number) => void): void {
    assert(offsetBytes >= 0 && offsetBytes + lengthBytes <= this.sizeBytes, 'the range lies inside the array');
    const end = offsetBytes + lengthBytes;
    for (let sector = Math.floor(offsetBytes / SECTOR_BYTES); sector * SECTOR_BYTES < end; sector++) {
      const from = Math.max(offsetBytes, sector * SECTOR_BYTES);
      const to = Math.min(end, (sector + 1) * SECTOR_BYTES);
      visit(sector, to - from === SECTOR_BYTES, from, to);
    }
  }
}

function patch(sectorCopy: Uint8Array, sector: number, offsetBytes: number, data: Uint8Array): void {
  const sectorStart = sector * SECTOR_BYTES;
  const from = Math.max(offsetBytes, sectorStart);
  const to = Math.min(offsetBytes + data.byteLength, sectorStart + SECTOR_BYTES);
  sectorCopy.set(data.subarray(from - offsetBytes, to - offsetBytes), from - sectorStart);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
