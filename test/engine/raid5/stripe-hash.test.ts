/**
 * The stripe hash (conf->stripe_hashtbl): buckets chained through the stripes themselves. Checked
 * against a Map over seeded random inserts, finds and removes, with sectors chosen to share buckets
 * and to lie far past 2^31 stripes (4 TiB members and beyond), where a 32-bit shift would wrap.
 */
import { describe, expect, it } from 'vitest';
import { StripeSlab } from '../../../core/engine/raid5/slab';
import { StripeHash } from '../../../core/engine/raid5/stripe-hash';
import { StripeHead } from '../../../core/engine/raid5/stripe-head';
import { Prng } from '../../../core/faults/prng';
import { AssertionError } from '../../../core/util/assert';

/** Free stripes to hash, made as the test needs them (a slab holds 256). */
function stripeSource(): () => StripeHead {
  let slab = new StripeSlab(2);
  return () => {
    if (slab.full) slab = new StripeSlab(2);
    return new StripeHead(2, slab);
  };
}

describe('stripe hash', () => {
  it.each([1, 2, 3])('agrees with a Map over random inserts, finds and removes (seed %i)', (seed) => {
    const prng = new Prng(seed);
    const hash = new StripeHash();
    const model = new Map<number, StripeHead>();
    const free: StripeHead[] = [];
    const newStripe = stripeSource();
    // Few distinct stripe numbers, spread so that many share a bucket: 4096 buckets apart, or 2^32
    // stripes apart (the low 32 bits pick the bucket), or simply neighbours.
    const sectors = [0, 8, 16, 4096 * 8, 2 * 4096 * 8, 2 ** 32 * 8, 2 ** 32 * 8 + 8, 2 ** 40 * 8, 2 ** 40 * 8 + 4096 * 8, 2 ** 45 * 8 - 8];
    for (let step = 0; step < 4000; step++) {
      const sector = sectors[prng.nextInt(sectors.length)];
      const present = model.get(sector);
      if (present === undefined) {
        expect(hash.find(sector)).toBeNull();
        const sh = free.pop() ?? newStripe();
        sh.sector = sector;
        hash.insert(sh);
        model.set(sector, sh);
      } else {
        expect(hash.find(sector)).toBe(present);
        if (prng.nextInt(2) === 0) {
          hash.remove(present);
          model.delete(sector);
          expect(present.hashNext).toBeNull();
          free.push(present);
        }
      }
      expect(hash.size).toBe(model.size);
    }
    for (const [sector, sh] of model) expect(hash.find(sector)).toBe(sh);
  });

  it('refuses a stripe hashed twice and one removed that is not in it', () => {
    const hash = new StripeHash();
    const newStripe = stripeSource();
    const a = newStripe();
    a.sector = 64;
    hash.insert(a);
    const twin = newStripe();
    twin.sector = 64;
    expect(() => hash.insert(twin)).toThrow(AssertionError);
    const stranger = newStripe();
    stranger.sector = 64 + 4096 * 8;
    expect(() => hash.remove(stranger)).toThrow(AssertionError);
    hash.remove(a);
    expect(hash.find(64)).toBeNull();
    expect(hash.size).toBe(0);
  });
});
