/**
 * RAID4/5 parity over one stripe: P is the XOR of the data blocks, a missing block is the XOR of all
 * the others, and a consistent stripe XORs to zero. A stripe's pages sit evenly spaced in its slab's
 * WebAssembly arena (slab.ts), so each of these is one SIMD pass that reads every member page once.
 */
import { STRIPE_BYTES } from './stripe-bytes';
import type { StripeHead } from './stripe-head';

/** dev[target] = XOR of every other block of the stripe (compute a missing block, or P from data). */
export function computeBlock(sh: StripeHead, target: number): void {
  const slab = sh.slab;
  slab.arena.xorRegions(sh.dev[target].pageOffset, sh.dev[0].pageOffset, slab.memberStrideBytes, sh.disks, target, STRIPE_BYTES);
}

/** dev[pd] ^= dev[i]: take a block's old contents out of parity, or put its new contents in (rmw). */
export function xorIntoParity(sh: StripeHead, i: number): void {
  const p = sh.dev[sh.pdIdx].page;
  sh.slab.arena.xor2(p, p, sh.dev[i].page);
}

/** The parity check of handle_parity_checks5 (ops_run_check_p): the XOR of every block, parity included, is zero. */
export function stripeIsConsistent(sh: StripeHead): boolean {
  const slab = sh.slab;
  return slab.arena.regionsXorToZero(sh.dev[0].pageOffset, slab.memberStrideBytes, sh.disks, STRIPE_BYTES);
}
