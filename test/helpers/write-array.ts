/**
 * Fills a stopped, healthy array with the golden `lba` pattern and correct parity, as md would have
 * after writing it and resyncing: the fixture for cat tests and the cat benchmark.
 */
import { dataDisk, type Geometry, parityDisk } from '../../core/format/layout';
import { fillLbaPattern } from '../../core/format/lba-pattern';
import type { ReaderMember } from '../../core/md/array-reader';
import { xorInto } from '../../core/util/xor';

export function writeLbaArray(g: Geometry, members: readonly ReaderMember[], tag: string, rows: number): void {
  const chunkBytes = g.chunkSectors * 512;
  const dataDisks = g.raidDisks - 1;
  const rowsPerWindow = Math.max(1, Math.min(rows, Math.floor((8 << 20) / (chunkBytes * dataDisks))));
  const perMember = members.map(() => new Uint8Array(rowsPerWindow * chunkBytes));
  const rowData = new Uint8Array(chunkBytes * dataDisks);
  for (let first = 0; first < rows; first += rowsPerWindow) {
    const count = Math.min(rowsPerWindow, rows - first);
    for (let r = 0; r < count; r++) {
      const stripe = first + r;
      fillLbaPattern(rowData, tag, stripe * dataDisks * g.chunkSectors);
      const parity = perMember[parityDisk(g, stripe)].subarray(r * chunkBytes, (r + 1) * chunkBytes);
      parity.fill(0);
      for (let dd = 0; dd < dataDisks; dd++) {
        const chunk = rowData.subarray(dd * chunkBytes, (dd + 1) * chunkBytes);
        perMember[dataDisk(g, stripe, dd)].set(chunk, r * chunkBytes);
        xorInto(parity, chunk);
      }
    }
    members.forEach((m, disk) => {
      m.dev.write(perMember[disk].subarray(0, count * chunkBytes), (m.dataOffsetSectors + first * g.chunkSectors) * 512);
    });
  }
}
