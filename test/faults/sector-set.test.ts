import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SectorSet } from '../../core/faults/sector-set';

const UNIVERSE = 200;
const op = fc.record({
  add: fc.boolean(),
  start: fc.integer({ min: 0, max: UNIVERSE - 1 }),
  length: fc.integer({ min: 1, max: 40 }),
});

describe('SectorSet (the dm-dust bad-sector list)', () => {
  it('holds exactly the sectors a plain set would after any adds and removes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: 0, max: UNIVERSE }), fc.integer({ min: 1, max: 50 }), (ops, qStart, qLength) => {
        const set = new SectorSet();
        const model = new Set<number>();
        for (const o of ops) {
          if (o.add) set.add(o.start, o.start + o.length);
          else set.remove(o.start, o.start + o.length);
          for (let s = o.start; s < o.start + o.length; s++) {
            if (o.add) model.add(s);
            else model.delete(s);
          }
        }
        const listed = set.toRanges().flatMap((r) => Array.from({ length: r.lengthSectors }, (_, i) => r.startSector + i));
        expect(listed).toEqual([...model].sort((a, b) => a - b));
        expect(set.sectorCount).toBe(model.size);
        expect(set.empty).toBe(model.size === 0);
        const inQuery = [...model].filter((s) => s >= qStart && s < qStart + qLength);
        expect(set.firstIn(qStart, qStart + qLength)).toBe(inQuery.length ? Math.min(...inQuery) : -1);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a whole 1 TiB member as one run', () => {
    const set = SectorSet.of(0, 2 ** 31);
    set.remove(1000, 1008);
    expect(set.toRanges()).toEqual([
      { startSector: 0, lengthSectors: 1000 },
      { startSector: 1008, lengthSectors: 2 ** 31 - 1008 },
    ]);
  });
});
