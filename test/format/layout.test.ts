import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arraySectorOf,
  dataIndexOf,
  GeometryError,
  type Geometry,
  layoutName,
  mapArraySector,
  parityDisk,
  parseLayout,
  validateGeometry,
} from '../../core/format/layout';

/** Spec §3.3: chunk numbers per row and disk for 4 disks, 'P' for parity. */
const TABLES: Record<number, string[]> = {
  0: ['D0 D1 D2 P', 'D3 D4 P D5', 'D6 P D7 D8', 'P D9 D10 D11', 'D12 D13 D14 P'],
  1: ['P D0 D1 D2', 'D3 P D4 D5', 'D6 D7 P D8', 'D9 D10 D11 P', 'P D12 D13 D14'],
  2: ['D0 D1 D2 P', 'D4 D5 P D3', 'D8 P D6 D7', 'P D9 D10 D11', 'D12 D13 D14 P'],
  3: ['P D0 D1 D2', 'D5 P D3 D4', 'D7 D8 P D6', 'D9 D10 D11 P', 'P D12 D13 D14'],
  4: ['P D0 D1 D2', 'P D3 D4 D5', 'P D6 D7 D8', 'P D9 D10 D11', 'P D12 D13 D14'],
  5: ['D0 D1 D2 P', 'D3 D4 D5 P', 'D6 D7 D8 P', 'D9 D10 D11 P', 'D12 D13 D14 P'],
};

function tableOf(g: Geometry, rows: number): string[] {
  const out: string[] = [];
  for (let stripe = 0; stripe < rows; stripe++) {
    const cells: string[] = [];
    for (let disk = 0; disk < g.raidDisks; disk++) {
      const sector = arraySectorOf(g, disk, stripe * g.chunkSectors);
      cells.push(sector < 0 ? 'P' : `D${sector / g.chunkSectors}`);
    }
    out.push(cells.join(' '));
  }
  return out;
}

const geometryArb = fc
  .record({
    level: fc.constantFrom<4 | 5>(4, 5),
    raidDisks: fc.integer({ min: 2, max: 16 }),
    algorithm: fc.integer({ min: 0, max: 5 }),
    chunkShift: fc.integer({ min: 3, max: 11 }),
  })
  .map(({ level, raidDisks, algorithm, chunkShift }): Geometry => ({
    level,
    raidDisks,
    algorithm: level === 4 ? 0 : algorithm,
    chunkSectors: 1 << chunkShift,
  }));

describe('RAID5 layouts', () => {
  for (const [algorithm, rows] of Object.entries(TABLES)) {
    it(`places chunks and parity as spec §3.3 tabulates for ${layoutName(5, Number(algorithm))}`, () => {
      expect(tableOf({ level: 5, raidDisks: 4, algorithm: Number(algorithm), chunkSectors: 128 }, 5)).toEqual(rows);
    });
  }

  it('puts RAID4 parity on the last disk whatever the layout field says', () => {
    expect(tableOf({ level: 4, raidDisks: 4, algorithm: 0, chunkSectors: 128 }, 5)).toEqual(TABLES[5]);
  });

  it('works the spec example: left-symmetric, 4 disks, 512K chunk, sector 10000 is on disk1 at 3856', () => {
    const loc = mapArraySector({ level: 5, raidDisks: 4, algorithm: 2, chunkSectors: 1024 }, 10000);
    expect(loc).toEqual({ disk: 1, devSector: 3856, stripe: 3, dd: 0, pdIdx: 0 });
  });

  it('maps every array sector to one (member, sector) and back, for all layouts, chunks and member counts', () => {
    fc.assert(
      fc.property(geometryArb, fc.integer({ min: 0, max: 2 ** 40 }), (g, arraySector) => {
        validateGeometry(g);
        const loc = mapArraySector(g, arraySector);
        expect(loc.disk).not.toBe(loc.pdIdx);
        expect(loc.pdIdx).toBe(parityDisk(g, loc.stripe));
        expect(dataIndexOf(g, loc.stripe, loc.disk)).toBe(loc.dd);
        expect(arraySectorOf(g, loc.disk, loc.devSector)).toBe(arraySector);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives each row exactly one parity disk and a bijection of data indexes onto the other disks', () => {
    fc.assert(
      fc.property(geometryArb, fc.integer({ min: 0, max: 100_000 }), (g, stripe) => {
        const seen = new Set<number>();
        let parity = 0;
        for (let disk = 0; disk < g.raidDisks; disk++) {
          const dd = dataIndexOf(g, stripe, disk);
          if (dd < 0) parity++;
          else seen.add(dd);
        }
        expect(parity).toBe(1);
        expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: g.raidDisks - 1 }, (_, i) => i));
      }),
      { numRuns: 2000 },
    );
  });

  it('rotates parity one disk per row, leftward or rightward as the layout name says, and wraps after n rows', () => {
    for (let n = 2; n <= 16; n++) {
      for (let stripe = 0; stripe < 2 * n; stripe++) {
        const g = (algorithm: number): Geometry => ({ level: 5, raidDisks: n, algorithm, chunkSectors: 8 });
        expect(parityDisk(g(0), stripe)).toBe(n - 1 - (stripe % n));
        expect(parityDisk(g(2), stripe)).toBe(n - 1 - (stripe % n));
        expect(parityDisk(g(1), stripe)).toBe(stripe % n);
        expect(parityDisk(g(3), stripe)).toBe(stripe % n);
        expect(parityDisk(g(4), stripe)).toBe(0);
        expect(parityDisk(g(5), stripe)).toBe(n - 1);
      }
    }
  });
});

describe('geometry md refuses', () => {
  const ok: Geometry = { level: 5, raidDisks: 3, algorithm: 2, chunkSectors: 128 };
  it.each([
    [{ ...ok, raidDisks: 1 }, /at least 2/],
    [{ ...ok, chunkSectors: 4 }, /at least 4K/],
    [{ ...ok, chunkSectors: 24 }, /power of two/],
    [{ ...ok, algorithm: 16 }, /RAID5 algorithms/],
    [{ ...ok, level: 6 as 5 }, /not supported/],
  ])('refuses %o with a sentence naming the rule', (g, message) => {
    expect(() => validateGeometry(g)).toThrow(GeometryError);
    expect(() => validateGeometry(g)).toThrow(message);
  });

  it('accepts 2-member RAID5 and 4K chunks', () => {
    expect(() => validateGeometry({ ...ok, raidDisks: 2, chunkSectors: 8 })).not.toThrow();
  });

  it('parses mdadm layout names and aliases and refuses unknown ones', () => {
    expect(parseLayout('left-symmetric')).toBe(2);
    expect(parseLayout('ls')).toBe(2);
    expect(parseLayout('ra')).toBe(1);
    expect(parseLayout('parity-first')).toBe(4);
    expect(parseLayout('ddf-N-restart')).toBe(0);
    expect(() => parseLayout('diagonal')).toThrow(/not understood for raid5/);
  });
});
