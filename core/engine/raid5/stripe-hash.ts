/**
 * The stripe cache's hash by sector (`conf->stripe_hashtbl`, `sh->hash`): buckets indexed by stripe
 * number and chained through StripeHead.hashNext, so finding, adding and dropping a stripe allocates
 * nothing. A Map did the same job, but it rehashed its table as stripes came and went: 2 MiB of garbage
 * per check of 4 x 96 MiB.
 */
import { assert } from '../../util/assert';
import type { StripeHead } from './stripe-head';
import { STRIPE_SECTORS } from './stripe-bytes';

/** More buckets than the kernel's 512, so chains stay short up to the largest stripe_cache_size. */
const NR_HASH = 4096;
const HASH_MASK = NR_HASH - 1;

function bucketOf(sector: number): number {
  // `&` takes the low 32 bits of the stripe number exactly, also past 2^31 stripes.
  return (sector / STRIPE_SECTORS) & HASH_MASK;
}

export class StripeHash {
  private readonly buckets: (StripeHead | null)[] = new Array<StripeHead | null>(NR_HASH).fill(null);
  size = 0;

  find(sector: number): StripeHead | null {
    let sh = this.buckets[bucketOf(sector)];
    while (sh !== null && sh.sector !== sector) sh = sh.hashNext;
    return sh;
  }

  insert(sh: StripeHead): void {
    if (sh.hashNext !== null || this.find(sh.sector) !== null) assert(false, `stripe ${sh.sector} is hashed once`);
    const b = bucketOf(sh.sector);
    sh.hashNext = this.buckets[b];
    this.buckets[b] = sh;
    this.size++;
  }

  remove(sh: StripeHead): void {
    const b = bucketOf(sh.sector);
    let prev: StripeHead | null = null;
    let at = this.buckets[b];
    while (at !== null && at !== sh) {
      prev = at;
      at = at.hashNext;
    }
    if (at === null) assert(false, `stripe ${sh.sector} leaves the hash it is in`);
    if (prev === null) this.buckets[b] = sh.hashNext;
    else prev.hashNext = sh.hashNext;
    sh.hashNext = null;
    this.size--;
  }
}
