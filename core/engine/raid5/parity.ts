/**
 * RAID4/5 parity over one stripe: P is the XOR of the data blocks, a missing block is the XOR of all
 * the others, and a consistent stripe XORs to zero. Word loops over the pages' preallocated Int32Array
 * views: no allocation, and several times the speed of byte loops.
 */
import { assert } from '../../util/assert';
import type { StripeHead } from './stripe-head';

function xorWordsInto(dst: Int32Array, src: Int32Array): void {
  for (let w = 0; w < dst.length; w++) dst[w] ^= src[w];
}

/** dev[target] = XOR of every other block of the stripe (compute a missing block, or P from data). */
export function computeBlock(sh: StripeHead, target: number): void {
  const dst = sh.dev[target].words;
  let first = true;
  for (let i = 0; i < sh.dev.length; i++) {
    if (i === target) continue;
    if (first) dst.set(sh.dev[i].words);
    else xorWordsInto(dst, sh.dev[i].words);
    first = false;
  }
  assert(!first, 'a stripe has at least two blocks');
}

/** dev[pd] ^= dev[i]: take a block's old contents out of parity, or put its new contents in (rmw). */
export function xorIntoParity(sh: StripeHead, i: number): void {
  xorWordsInto(sh.dev[sh.pdIdx].words, sh.dev[i].words);
}

/** The parity check of handle_parity_checks5: does the whole stripe XOR to zero? */
export function stripeIsConsistent(sh: StripeHead): boolean {
  const dev = sh.dev;
  const n = dev.length;
  const words = dev[0].words.length;
  if (n === 3) {
    const a = dev[0].words, b = dev[1].words, c = dev[2].words;
    for (let w = 0; w < words; w++) if ((a[w] ^ b[w] ^ c[w]) !== 0) return false;
    return true;
  }
  if (n === 4) {
    const a = dev[0].words, b = dev[1].words, c = dev[2].words, d = dev[3].words;
    for (let w = 0; w < words; w++) if ((a[w] ^ b[w] ^ c[w] ^ d[w]) !== 0) return false;
    return true;
  }
  const acc = scratch.length === words ? scratch : (scratch = new Int32Array(words));
  acc.set(dev[0].words);
  for (let i = 1; i < n; i++) xorWordsInto(acc, dev[i].words);
  for (let w = 0; w < words; w++) if (acc[w] !== 0) return false;
  return true;
}

/** One page of XOR accumulator for wide stripes; the engine is single-threaded, so one suffices. */
let scratch = new Int32Array(1024);
