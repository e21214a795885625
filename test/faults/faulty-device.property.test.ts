import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { DeviceError, MemBlockDevice } from '../../core/format/blockdev';
import { diffOffsets, pattern } from './helpers';

const SECTORS = 128;
const range = fc.record({ startSector: fc.integer({ min: 0, max: SECTORS - 1 }), lengthSectors: fc.integer({ min: 1, max: 16 }) });
const io = fc.record({ write: fc.boolean(), sector: fc.integer({ min: 0, max: SECTORS - 1 }), sectors: fc.integer({ min: 1, max: 16 }), seed: fc.nat(255) });

/** The first sector of [start, start+n) inside any of the ranges, or -1. */
function firstBad(ranges: { startSector: number; lengthSectors: number }[], start: number, n: number): number {
  let first = -1;
  for (const r of ranges) {
    const lo = Math.max(r.startSector, start);
    if (lo < Math.min(r.startSector + r.lengthSectors, start + n) && (first < 0 || lo < first)) first = lo;
  }
  return first;
}

describe('FaultyDevice against a model of dm-error ranges', () => {
  it('fails exactly the I/Os that touch a range of their direction, and failed writes store nothing', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 4 }), fc.array(range, { maxLength: 4 }), fc.array(io, { maxLength: 20 }), (readBad, writeBad, ios) => {
        const mem = new MemBlockDevice('m', SECTORS * 512 + 16 * 512);
        const dev = new FaultyDevice(mem, { clock: () => 0 });
        for (const r of readBad) dev.inject({ kind: 'read-error', range: r, clearOnWrite: false });
        for (const r of writeBad) dev.inject({ kind: 'write-error', range: r });
        const model = new Uint8Array(mem.sizeBytes);
        for (const o of ios) {
          const offsetBytes = o.sector * 512;
          const lengthBytes = o.sectors * 512;
          const expectBad = firstBad(o.write ? writeBad : readBad, o.sector, o.sectors);
          let gotBad = -1;
          const data = o.write ? pattern(lengthBytes, o.seed) : new Uint8Array(lengthBytes);
          try {
            if (o.write) dev.write(data, offsetBytes);
            else dev.read(data, offsetBytes);
          } catch (err) {
            if (!(err instanceof DeviceError)) throw err;
            gotBad = err.offsetBytes / 512;
          }
          expect(gotBad).toBe(expectBad);
          if (o.write && expectBad < 0) model.set(data, offsetBytes);
          if (!o.write && expectBad < 0) expect(diffOffsets(data, model.subarray(offsetBytes, offsetBytes + lengthBytes))).toEqual([]);
        }
        const stored = new Uint8Array(mem.sizeBytes);
        mem.read(stored, 0);
        expect(diffOffsets(stored, model)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
