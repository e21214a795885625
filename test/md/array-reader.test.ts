/**
 * The array reader over every layout, chunk size and member count: whatever range is read, whole or
 * with any one member missing, it returns the lba pattern that was written through the layout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemBlockDevice } from '../../core/format/blockdev';
import type { Geometry } from '../../core/format/layout';
import { lbaPatternBytes } from '../../core/format/lba-pattern';
import { ArrayReader, type ReaderMember } from '../../core/md/array-reader';
import { MdRefusal } from '../../core/md/errors';
import { writeLbaArray } from '../helpers/write-array';

function filledArray(g: Geometry, rows: number): ReaderMember[] {
  const dataOffsetSectors = 2048;
  const members = Array.from({ length: g.raidDisks }, (_, i) => ({
    dev: new MemBlockDevice(`m${i}`, (dataOffsetSectors + rows * g.chunkSectors) * 512),
    dataOffsetSectors,
  }));
  writeLbaArray(g, members, 'rdrtst', rows);
  return members;
}

const caseArb = fc
  .record({
    level: fc.constantFrom<4 | 5>(4, 5),
    raidDisks: fc.integer({ min: 2, max: 9 }),
    algorithm: fc.integer({ min: 0, max: 5 }),
    chunkShift: fc.integer({ min: 3, max: 7 }),
    rows: fc.integer({ min: 1, max: 12 }),
    missing: fc.integer({ min: -1, max: 8 }),
    start: fc.double({ min: 0, max: 1, noNaN: true }),
    span: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((c) => ({ ...c, missing: c.missing >= c.raidDisks ? -1 : c.missing }));

describe('ArrayReader', () => {
  it('reads back exactly what was written, through any layout, whole or missing any one member', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const g: Geometry = { level: c.level, raidDisks: c.raidDisks, algorithm: c.level === 4 ? 0 : c.algorithm, chunkSectors: 1 << c.chunkShift };
        const members = filledArray(g, c.rows);
        const reader = new ArrayReader(g, members.map((m, i) => (i === c.missing ? null : m)), c.rows * g.chunkSectors);
        const sectors = reader.sizeBytes / 512;
        const first = Math.floor(c.start * sectors);
        const count = Math.max(1, Math.floor(c.span * (sectors - first)));
        if (first + count > sectors) return;
        const got = new Uint8Array(count * 512);
        reader.read(got, first * 512);
        expect(Buffer.from(got).equals(Buffer.from(lbaPatternBytes('rdrtst', first * 512, count * 512)))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('hands back whole windows, degraded ones reconstructed in its own buffer', () => {
    const g: Geometry = { level: 5, raidDisks: 4, algorithm: 2, chunkSectors: 16 };
    const members = filledArray(g, 10);
    const reader = new ArrayReader(g, [members[0], null, members[2], members[3]], 160);
    const out = new Uint8Array(10 * reader.rowBytes);
    const view = reader.readWindow(2, 5, out);
    expect(view.byteLength).toBe(5 * reader.rowBytes);
    expect(Buffer.from(view).equals(Buffer.from(lbaPatternBytes('rdrtst', 2 * reader.rowBytes, 5 * reader.rowBytes)))).toBe(true);
  });

  it('refuses to read with two members missing', () => {
    const g: Geometry = { level: 5, raidDisks: 4, algorithm: 2, chunkSectors: 16 };
    const members = filledArray(g, 2);
    expect(() => new ArrayReader(g, [members[0], null, null, members[3]], 32)).toThrow(MdRefusal);
  });
});
