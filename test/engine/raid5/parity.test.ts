import { describe, expect, it } from 'vitest';
import { computeBlock, stripeIsConsistent } from '../../../core/engine/raid5/parity';
import { StripeSlab, STRIPES_PER_SLAB } from '../../../core/engine/raid5/slab';
import { StripeHead } from '../../../core/engine/raid5/stripe-head';
import { Prng } from '../../../core/faults/prng';
import { xorBlocks } from '../../../core/util/xor';
import { XorArena } from '../../../core/util/xor-simd';

function fill(prng: Prng, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = prng.nextU32() & 0xff;
}

describe('stripe parity in the slab', () => {
  it.each([2, 3, 4, 7, 16])('computes any block of a %i-member stripe as the XOR of the others, and checks it', (disks) => {
    const prng = new Prng(disks);
    const slab = new StripeSlab(disks);
    const sh = new StripeHead(disks, slab);
    for (const dev of sh.dev) fill(prng, dev.page);
    for (let target = 0; target < disks; target++) {
      const others = sh.dev.filter((_, i) => i !== target).map((d) => Uint8Array.from(d.page));
      const expected = new Uint8Array(4096);
      xorBlocks(expected, others);
      computeBlock(sh, target);
      expect(Buffer.from(sh.dev[target].page).equals(expected)).toBe(true);
      expect(stripeIsConsistent(sh)).toBe(true);
      // One flipped bit anywhere, in any member, is a mismatch.
      const victim = sh.dev[(target + 1) % disks].page;
      const at = prng.nextInt(4096);
      const bit = 1 << prng.nextInt(8);
      victim[at] ^= bit;
      expect(stripeIsConsistent(sh)).toBe(false);
      victim[at] ^= bit;
      fill(prng, sh.dev[target].page);
    }
  });

  it('keeps neighbouring stripes apart: stripes in consecutive slots share no byte and have back-to-back member pages', () => {
    const slab = new StripeSlab(4);
    const a = new StripeHead(4, slab);
    const b = new StripeHead(4, slab);
    expect(b.slot).toBe(a.slot + 1);
    for (let i = 0; i < 4; i++) {
      expect(b.dev[i].pageOffset).toBe(a.dev[i].pageOffset + 4096);
      a.dev[i].page.fill(0x11 * (i + 1));
      b.dev[i].page.fill(0);
    }
    computeBlock(b, 3);
    expect(b.dev[3].page.every((x) => x === 0)).toBe(true);
    expect(stripeIsConsistent(b)).toBe(true);
    expect(stripeIsConsistent(a)).toBe(false);
    expect(slab.memberStrideBytes).toBe(STRIPES_PER_SLAB * 4096);
  });
});

describe('SIMD region kernels', () => {
  it('fold evenly spaced regions like the word loop, with and without a skipped region', () => {
    const prng = new Prng(7);
    const stride = 3 * 4096;
    const arena = new XorArena(6 * stride);
    const all = new Uint8Array(arena.memory, 0, 5 * stride);
    fill(prng, all);
    const regions = [0, 1, 2, 3, 4].map((k) => Uint8Array.from(all.subarray(k * stride, k * stride + 8192)));
    const dst = 5 * stride;
    arena.xorRegions(dst, 0, stride, 5, -1, 8192);
    const expected = new Uint8Array(8192);
    xorBlocks(expected, regions);
    expect(Buffer.from(arena.memory, dst, 8192).equals(expected)).toBe(true);
    arena.xorRegions(2 * stride, 0, stride, 5, 2, 8192);
    xorBlocks(expected, [regions[0], regions[1], regions[3], regions[4]]);
    expect(Buffer.from(arena.memory, 2 * stride, 8192).equals(expected)).toBe(true);
    expect(arena.regionsXorToZero(0, stride, 5, 8192)).toBe(true);
    // The last 64 bytes are checked too.
    new Uint8Array(arena.memory)[4 * stride + 8191] ^= 0x80;
    expect(arena.regionsXorToZero(0, stride, 5, 8192)).toBe(false);
    expect(arena.regionsXorToZero(0, stride, 5, 8128)).toBe(true);
  });

  it('refuses regions outside the arena or not a multiple of 64 bytes', () => {
    const arena = new XorArena(4 * 4096);
    expect(() => arena.regionsXorToZero(0, 4096, 5, 4096)).toThrow(/arena/);
    expect(() => arena.xorRegions(0, 0, 4096, 2, -1, 100)).toThrow(/regions/);
  });
});
