/**
 * RAID4/5 parity over one stripe: P is the XOR of the data blocks, a missing block is the XOR of all
 * the others, and a consistent stripe XORs to zero. All pages of a stripe live in its slab's
 * WebAssembly arena, so XOR runs 16 bytes at a time; comparisons are memcmp (Buffer.equals).
 */
import type { StripeHead } from './stripe-head';

/** dev[target] = XOR of every other block of the stripe (compute a missing block, or P from data). */
export function computeBlock(sh: StripeHead, target: number): void {
  const arena = sh.slab.arena;
  const dev = sh.dev;
  const dst = dev[target].page;
  let taken = 0;
  let firstPage: Buffer | null = null;
  for (let i = 0; i < dev.length; i++) {
    if (i === target) continue;
    taken++;
    if (taken === 1) firstPage = dev[i].page;
    else if (taken === 2) arena.xor2(dst, firstPage!, dev[i].page);
    else arena.xor2(dst, dst, dev[i].page);
  }
  // Two-member arrays: the missing block is a copy of the other one.
  if (taken === 1) dst.set(firstPage!);
}

/** dev[pd] ^= dev[i]: take a block's old contents out of parity, or put its new contents in (rmw). */
export function xorIntoParity(sh: StripeHead, i: number): void {
  const p = sh.dev[sh.pdIdx].page;
  sh.slab.arena.xor2(p, p, sh.dev[i].page);
}

/** The parity check of handle_parity_checks5: the XOR of all blocks but the last must equal the last. */
export function stripeIsConsistent(sh: StripeHead): boolean {
  const dev = sh.dev;
  const last = dev.length - 1;
  if (last === 1) return dev[0].page.equals(dev[1].page);
  const scratch = sh.slab.scratch;
  const arena = sh.slab.arena;
  arena.xor2(scratch, dev[0].page, dev[1].page);
  for (let i = 2; i < last; i++) arena.xor2(scratch, scratch, dev[i].page);
  return scratch.equals(dev[last].page);
}
