/**
 * The one source of randomness in mdlab: bit-rot placement, random workloads, fault timing, power-cut
 * survivors. Math.random() is never used, so every run is replayable from its seed.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, public domain), 32-bit state words so it runs on
 * Math.imul without BigInt. The 128-bit state is filled from the 32-bit seed with a splitmix-style
 * mixer, as the authors recommend, because xoshiro must never start from (or near) all zeros.
 */
import { assert, assertSafeInteger } from '../util/assert';

const GOLDEN_GAMMA = 0x9e3779b9;

/** A 32-bit avalanche mixer (splitmix32 finaliser): neighbouring inputs give unrelated outputs. */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a over UTF-16 code units: turns a label ("bitrot", "member 2") into a seed component. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is any 32-bit unsigned integer; equal seeds give equal streams. */
  constructor(readonly seed: number) {
    assert(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff, `a PRNG seed is a u32, got ${seed}`);
    let counter = seed;
    const next = (): number => {
      counter = (counter + GOLDEN_GAMMA) >>> 0;
      return mix32(counter);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    assert((this.s0 | this.s1 | this.s2 | this.s3) !== 0, 'xoshiro state is never all zeros');
  }

  /** A generator on exactly this state: for known-answer tests against the reference C code. */
  static fromState(state: readonly [number, number, number, number]): Prng {
    const p = new Prng(0);
    [p.s0, p.s1, p.s2, p.s3] = state.map((w) => w >>> 0);
    assert((p.s0 | p.s1 | p.s2 | p.s3) !== 0, 'xoshiro state is never all zeros');
    return p;
  }

  /**
   * An independent stream named by `label`, fixed by (seed, label) alone: adding a new random consumer
   * elsewhere never shifts the numbers this stream gives.
   */
  static derive(seed: number, label: string): Prng {
    return new Prng(mix32((seed ^ hashLabel(label)) >>> 0));
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, bound), without modulo bias; bound up to 2^53. */
  nextInt(bound: number): number {
    assertSafeInteger(bound, 'bound');
    assert(bound > 0, 'nextInt needs a positive bound');
    if (bound <= 0x100000000) {
      // Rejection keeps the low residues from being favoured.
      const limit = 0x100000000 - (0x100000000 % bound);
      for (;;) {
        const x = this.nextU32();
        if (x < limit) return x % bound;
      }
    }
    for (;;) {
      const x = Math.floor(this.nextFloat() * 2 ** 53);
      const limit = 2 ** 53 - (2 ** 53 % bound);
      if (x < limit) return x % bound;
    }
  }

  /** True with probability p. */
  chance(p: number): boolean {
    assert(p >= 0 && p <= 1, `a probability is in [0, 1], got ${p}`);
    return this.nextFloat() < p;
  }

  /** `count` distinct integers in [0, bound), in the order drawn. */
  distinctInts(count: number, bound: number): number[] {
    assert(count <= bound, `cannot draw ${count} distinct values below ${bound}`);
    const seen = new Set<number>();
    const out: number[] = [];
    // Floyd's algorithm would be exact in count draws, but keeping draw order stable matters more here
    // and count is tiny next to bound for every caller (bit flips on a member).
    while (out.length < count) {
      const x = this.nextInt(bound);
      if (seen.has(x)) continue;
      seen.add(x);
      out.push(x);
    }
    return out;
  }
}
