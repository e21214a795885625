/**
 * analyse_stripe: gather the facts about a stripe into a StripeHeadState (`struct stripe_head_state`),
 * so handleStripe can decide from a summary instead of re-walking the members. The only thing it
 * writes is R5_Insync, itself a fact: whether each member may be read for this stripe.
 */
import type { R5Conf } from './conf';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS } from './flags';
import type { StripeHead } from './stripe-head';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

export interface StripeHeadState {
  syncing: boolean;
  toRead: number;
  toWrite: number;
  written: number;
  /** Blocks with pending writes that do not cover the whole block. */
  nonOverwrite: number;
  locked: number;
  uptodate: number;
  /** Blocks that cannot be read from their member (missing, Faulty, not yet recovered, read error). */
  failed: number;
  failedNum0: number;
  failedNum1: number;
}

export function newStripeHeadState(): StripeHeadState {
  return { syncing: false, toRead: 0, toWrite: 0, written: 0, nonOverwrite: 0, locked: 0, uptodate: 0, failed: 0, failedNum0: -1, failedNum1: -1 };
}

export function analyseStripe(sh: StripeHead, conf: R5Conf, s: StripeHeadState): StripeHeadState {
  s.syncing = sh.test(STRIPE.SYNCING);
  s.toRead = s.toWrite = s.written = s.nonOverwrite = s.locked = s.uptodate = s.failed = 0;
  s.failedNum0 = s.failedNum1 = -1;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    if (dev.flags & R5.LOCKED) s.locked++;
    if (dev.flags & R5.UPTODATE) s.uptodate++;
    if (dev.toread !== null) s.toRead++;
    if (dev.towrite !== null) {
      s.toWrite++;
      if (!(dev.flags & R5.OVERWRITE)) s.nonOverwrite++;
    }
    if (dev.written !== null) s.written++;
    if (conf.memberInSync(i, sh.sector) && !(dev.flags & R5.ReadError)) dev.flags |= R5.Insync;
    else {
      dev.flags &= ~R5.Insync;
      if (s.failed === 0) s.failedNum0 = i;
      else if (s.failed === 1) s.failedNum1 = i;
      s.failed++;
    }
  }
  return s;
}
