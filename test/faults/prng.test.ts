import { describe, expect, it } from 'vitest';
import { Prng } from '../../core/faults/prng';

describe('Prng (xoshiro128**)', () => {
  it('gives the reference C implementation’s outputs from the same state', () => {
    // First outputs of the authors' xoshiro128** 1.1 C code (compiled with gcc) from state {1,2,3,4}.
    const p = Prng.fromState([1, 2, 3, 4]);
    const got = Array.from({ length: 8 }, () => p.nextU32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('matches the reference after a thousand steps from a dense state', () => {
    const p = Prng.fromState([0xdeadbeef, 0x12345678, 0x9abcdef0, 0x0badf00d]);
    for (let i = 0; i < 1000; i++) p.nextU32();
    expect([p.nextU32(), p.nextU32(), p.nextU32(), p.nextU32()]).toEqual([285280189, 3509135031, 4017953115, 1797157445]);
  });

  it('repeats a stream exactly for the same seed and not for a neighbouring one', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 64 }, () => a.nextU32());
    expect(Array.from({ length: 64 }, () => b.nextU32())).toEqual(sa);
    const sc = Array.from({ length: 64 }, () => c.nextU32());
    expect(sc.filter((x, i) => x === sa[i]).length).toBe(0);
  });

  it('derives named streams that do not move when another consumer draws more', () => {
    const first = Prng.derive(7, 'bitrot');
    const parent = new Prng(7);
    for (let i = 0; i < 100; i++) parent.nextU32();
    const again = Prng.derive(7, 'bitrot');
    expect(again.nextU32()).toBe(first.nextU32());
    expect(Prng.derive(7, 'workload').nextU32()).not.toBe(Prng.derive(7, 'bitrot').nextU32());
  });

  it('draws integers below the bound with every residue about equally often', () => {
    const p = new Prng(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[p.nextInt(10)]++;
    for (const n of counts) expect(Math.abs(n - 2000)).toBeLessThan(200);
    const big = 2 ** 40 + 3;
    for (let i = 0; i < 1000; i++) {
      const x = p.nextInt(big);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(big);
    }
  });

  it('draws floats in [0, 1) with a mean near one half, and chance() honours its probability', () => {
    const p = new Prng(99);
    let sum = 0;
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = p.nextFloat();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      sum += f;
      if (p.chance(0.25)) hits++;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(hits - 2500)).toBeLessThan(200);
  });

  it('draws distinct integers', () => {
    const xs = new Prng(5).distinctInts(500, 1000);
    expect(new Set(xs).size).toBe(500);
    expect(Math.max(...xs)).toBeLessThan(1000);
  });
});
