/**
 * handle_stripe: analyse the stripe, then decide, in the kernel's order — fail what a failed array
 * cannot serve, fetch or compute missing blocks, hand finished reads and writes back, rewrite blocks
 * that failed to read, start a write (rmw or rcw, whichever reads less), check parity for a sync.
 * Deciding only sets R5_Wantread/R5_Wantwrite (+R5_LOCKED) and computes in memory; member I/O is
 * issued afterwards by opsRunIo and the raid5d unplug, so this file never touches a device.
 */
import { arraySectorOf } from '../../format/layout';
import { assert } from '../../util/assert';
import { MdIoError } from '../types';
import { analyseStripe, newStripeHeadState, type StripeHeadState } from './analyse';
import { copyFromBio, copyToBio, type BioPart } from './bio';
import { isBadBlock } from './io';
import type { R5Conf } from './conf';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS, devFlagNames, stripeStateNames } from './flags';
import { computeBlock, stripeIsConsistent, xorIntoParity } from './parity';
import { STRIPE_BYTES, STRIPE_SECTORS, type R5Dev, type StripeHead } from './stripe-head';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

/** What a pass decided, as bits so the hot path builds no strings unless the trace wants them. */
export const ACTION = {
  FAIL_BIOS: 1 << 0,
  READ: 1 << 1,
  COMPUTE: 1 << 2,
  RETURN_READ: 1 << 3,
  RETURN_WRITE: 1 << 4,
  REWRITE: 1 << 5,
  REREAD: 1 << 6,
  DELAY: 1 << 7,
  RMW_READ: 1 << 8,
  RCW_READ: 1 << 9,
  RMW: 1 << 10,
  RCW: 1 << 11,
  PARITY_OK: 1 << 12,
  MISMATCH: 1 << 13,
  PARITY_REWRITE: 1 << 14,
  RECOVERY_WRITE: 1 << 15,
  SYNC_DONE: 1 << 16,
  SYNC_FAILED: 1 << 17,
} as const;

const ACTION_WORDS: Record<keyof typeof ACTION, string> = {
  FAIL_BIOS: 'fail bios on lost blocks',
  READ: 'read missing blocks',
  COMPUTE: 'compute missing block from parity',
  RETURN_READ: 'return read data',
  RETURN_WRITE: 'complete writes',
  REWRITE: 'rewrite block after read error',
  REREAD: 're-read rewritten block',
  DELAY: 'delay for a fuller stripe',
  RMW_READ: 'read for read-modify-write',
  RCW_READ: 'read for reconstruct-write',
  RMW: 'read-modify-write parity',
  RCW: 'reconstruct-write parity',
  PARITY_OK: 'parity ok',
  MISMATCH: 'parity mismatch',
  PARITY_REWRITE: 'rewrite parity',
  RECOVERY_WRITE: 'write rebuilt block to recovering member',
  SYNC_DONE: 'md_done_sync',
  SYNC_FAILED: 'md_done_sync (failed)',
};

/** Wording by action pattern, built once per pattern (a sampled trace words the same few over and over). */
const actionWordsKnown = new Map<number, string>();

export function actionWords(actions: number): string {
  let text = actionWordsKnown.get(actions);
  if (text === undefined) {
    const words: string[] = [];
    for (const [name, bit] of Object.entries(ACTION)) if (actions & bit) words.push(ACTION_WORDS[name as keyof typeof ACTION]);
    text = words.length ? words.join(', ') : 'nothing to do';
    if (actionWordsKnown.size < 4096) actionWordsKnown.set(actions, text);
  }
  return text;
}

/** One summary reused by every pass: handleStripe never runs re-entrantly. */
const s: StripeHeadState = newStripeHeadState();

/** Flags a stripe may show both when handling starts and when it ends. */
export function assertStripeCoherent(sh: StripeHead, where: 'entry' | 'exit'): void {
  // This runs twice per stripe per pass: a screen of bit tests first, the wording only when it trips.
  if (looksCoherent(sh, where === 'entry')) return;
  const broken = incoherence(sh, where);
  if (broken !== null) assert(false, `stripe ${sh.sector} (${where}): ${broken}; state ${stripeStateNames(sh.state).join(' ')}`);
}

/** Low dev flag bits that decide every flags-only rule of incoherence(). */
const FLAG_RULE_MASK = R5.UPTODATE | R5.LOCKED | R5.Wantread | R5.Wantwrite | R5.ReWrite;
const BAD_AT_EXIT = 1;
const BAD_AT_ENTRY = 2;
/** Per combination of FLAG_RULE_MASK bits: which ends of handleStripe reject it (the rules of incoherence()). */
const FLAG_RULES = ((): Uint8Array => {
  const table = new Uint8Array(FLAG_RULE_MASK + 1);
  for (let f = 0; f <= FLAG_RULE_MASK; f++) {
    if ((f & FLAG_RULE_MASK) !== f) continue;
    const want = f & (R5.Wantread | R5.Wantwrite);
    const bad =
      (f & R5.Wantread && f & R5.Wantwrite) ||
      !want !== !(f & R5.LOCKED) ||
      (f & R5.Wantwrite && !(f & R5.UPTODATE)) ||
      (f & R5.Wantread && f & R5.UPTODATE && !(f & R5.ReWrite));
    table[f] = bad ? BAD_AT_EXIT | BAD_AT_ENTRY : want ? BAD_AT_ENTRY : 0;
  }
  return table;
})();
const STRIPE_INCOHERENT = STRIPE.BIT_DELAY;

/** Never true for a stripe incoherence() would reject; may be false for one it accepts. */
function looksCoherent(sh: StripeHead, entry: boolean): boolean {
  const state = sh.state;
  if (sh.ioPending !== 0 || (entry && sh.opsPending) || state & STRIPE_INCOHERENT) return false;
  if (state & STRIPE.SYNCING && state & STRIPE.SYNC_REQUESTED) return false;
  if (state & STRIPE.INSYNC && !(state & STRIPE.SYNCING)) return false;
  const reject = entry ? BAD_AT_ENTRY : BAD_AT_EXIT;
  let locked = 0;
  const devs = sh.dev;
  for (let i = 0; i < devs.length; i++) {
    const dev = devs[i];
    const f = dev.flags;
    if (FLAG_RULES[f & FLAG_RULE_MASK] & reject) return false;
    if (f & R5.LOCKED) locked++;
    if (!(f & R5.UPTODATE) && dev.written !== null) return false;
    if (f & R5.OVERWRITE && !(dev.towrite !== null && dev.towriteBytes === STRIPE_BYTES)) return false;
  }
  return entry || locked === s.locked;
}

function incoherence(sh: StripeHead, where: 'entry' | 'exit'): string | null {
  if (sh.ioPending !== 0) return 'handled with I/O in flight';
  if (where === 'entry' && sh.opsPending) return 'handled before its pending ops ran';
  if (sh.test(STRIPE.SYNCING) && sh.test(STRIPE.SYNC_REQUESTED)) return 'sync requested twice';
  if (sh.test(STRIPE.INSYNC) && !sh.test(STRIPE.SYNCING)) return 'INSYNC without SYNCING';
  if (sh.test(STRIPE.BIT_DELAY)) return 'handled before its bitmap bits were written';
  let locked = 0;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    const f = dev.flags;
    if (f & R5.LOCKED) locked++;
    const want = f & (R5.Wantread | R5.Wantwrite);
    const problem =
      f & R5.Wantread && f & R5.Wantwrite ? 'read and write wanted at once'
      : !want !== !(f & R5.LOCKED) ? 'LOCKED must mean exactly that I/O is wanted'
      : f & R5.Wantwrite && !(f & R5.UPTODATE) ? 'only up-to-date blocks are written'
      : f & R5.Wantread && f & R5.UPTODATE && !(f & R5.ReWrite) ? 'only a re-read reads an up-to-date block'
      : dev.written !== null && !(f & R5.UPTODATE) ? 'written data lives in the page'
      : f & R5.OVERWRITE && !(dev.towrite !== null && dev.towriteBytes === STRIPE_BYTES) ? 'OVERWRITE means whole-block writes pending'
      : where === 'entry' && want ? 'I/O left over from an earlier pass'
      : null;
    if (problem !== null) return `dev ${i}: ${problem}, flags ${devFlagNames(f).join(' ')}`;
  }
  if (where === 'exit' && locked !== s.locked) return `the summary counts ${s.locked} locked blocks, the members ${locked}`;
  return null;
}

function endPart(conf: R5Conf, part: BioPart, error: MdIoError | null): void {
  if (part.tracker.partDone(error)) conf.returnBios.push(part.tracker);
}

function lostBlockError(conf: R5Conf, sh: StripeHead, i: number, part: BioPart): MdIoError {
  const devSector = sh.sector + part.pageOffsetBytes / 512;
  const arraySector = arraySectorOf(conf.geometry, i, devSector);
  return new MdIoError(`md: array has failed, sector ${arraySector} cannot be ${part.tracker.bio.op === 'read' ? 'read' : 'written'}`, arraySector);
}

/**
 * handle_failed_sync: a row the sync cannot rebuild. Resync, check and repair move on (the row is no
 * worse than it was). A recovery records the row as a bad block on every member being rebuilt, so a
 * later read there fails instead of returning whatever the new member holds; only a member that cannot
 * record it makes the recovery fail.
 */
function recordUnrebuilt(conf: R5Conf, sh: StripeHead): boolean {
  let recorded = true;
  for (let i = 0; i < conf.disks; i++) {
    const rdev = conf.slots[i];
    if (rdev === null || rdev.flags.has('Faulty') || rdev.flags.has('In_sync')) continue;
    if (conf.mddev.rdevSetBadblocks(rdev, sh.sector, STRIPE_SECTORS)) continue;
    conf.mddev.log(`md/raid:${conf.mddev.name}: cannot record unrecoverable sector ${sh.sector} on ${rdev.dev.name}; recovery aborted.`);
    recorded = false;
  }
  return recorded;
}

/** md_done_sync for the stripe's sync_request: the sync may now request another stripe in its place. */
function doneSync(conf: R5Conf, sh: StripeHead, ok: boolean): void {
  if (--conf.syncStripesInFlight < 0) assert(false, `stripe ${sh.sector}: md_done_sync without its sync_request`);
  conf.mddev.mdDoneSync(STRIPE_SECTORS, ok);
  sh.clear(STRIPE.SYNCING | STRIPE.INSYNC);
  sh.syncKind = null;
}

/** handle_failed_stripe: more members lost than parity covers. Writes fail; reads fail where the block is gone. */
function handleFailedStripe(conf: R5Conf, sh: StripeHead): number {
  const bitmap = conf.mddev.bitmap;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    if (dev.towrite !== null) {
      for (let part: BioPart | null = dev.towrite; part !== null; part = part.next) endPart(conf, part, lostBlockError(conf, sh, i, part));
      dev.towrite = null;
      dev.towriteBytes = 0;
      dev.flags &= ~R5.OVERWRITE;
      bitmap?.endWrite(sh.sector, STRIPE_SECTORS, false, true);
    }
    if (dev.written !== null) {
      for (let part: BioPart | null = dev.written; part !== null; part = part.next) endPart(conf, part, lostBlockError(conf, sh, i, part));
      dev.written = null;
      bitmap?.endWrite(sh.sector, STRIPE_SECTORS, false, true);
    }
    if (dev.toread !== null && !(dev.flags & R5.Insync)) {
      for (let part: BioPart | null = dev.toread; part !== null; part = part.next) endPart(conf, part, lostBlockError(conf, sh, i, part));
      dev.toread = null;
    }
  }
  dropFullWrite(conf, sh);
  let actions = ACTION.FAIL_BIOS;
  if (sh.test(STRIPE.SYNCING)) {
    doneSync(conf, sh, sh.syncKind !== 'recover' || recordUnrebuilt(conf, sh));
    actions |= ACTION.SYNC_FAILED;
  }
  return actions;
}

/** The block's own reasons to be in memory (fetch_block's first tests). */
function blockWanted(dev: R5Dev): boolean {
  return dev.toread !== null || (dev.towrite !== null && !(dev.flags & R5.OVERWRITE)) || s.syncing;
}

/** handle_stripe_fill: read what readers, partial writers and syncs need; rebuild the one missing block. */
function handleStripeFill(sh: StripeHead): number {
  const failedDev = s.failed === 1 ? sh.dev[s.failedNum0] : null;
  // A missing block someone needs can only be rebuilt from all the others, so all of them are wanted.
  const needAll = failedDev !== null && !(failedDev.flags & R5.UPTODATE) && blockWanted(failedDev);
  let actions = 0;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    if (dev.flags & (R5.UPTODATE | R5.LOCKED)) continue;
    if (!needAll && !blockWanted(dev)) continue;
    if (dev.flags & R5.Insync) {
      dev.flags |= R5.Wantread | R5.LOCKED;
      s.locked++;
      actions |= ACTION.READ;
    } else if (failedDev === dev && s.uptodate === sh.dev.length - 1) {
      computeBlock(sh, i);
      dev.flags |= R5.UPTODATE | R5.Wantcompute;
      s.uptodate++;
      actions |= ACTION.COMPUTE;
    }
  }
  return actions;
}

function returnReads(conf: R5Conf, sh: StripeHead): number {
  let actions = 0;
  for (const dev of sh.dev) {
    if (dev.toread === null || !(dev.flags & R5.UPTODATE)) continue;
    for (let part: BioPart | null = dev.toread; part !== null; part = part.next) {
      copyToBio(part, dev.page);
      endPart(conf, part, null);
    }
    dev.toread = null;
    s.toRead--;
    actions = ACTION.RETURN_READ;
  }
  return actions;
}

function dropFullWrite(conf: R5Conf, sh: StripeHead): void {
  if (!sh.test(STRIPE.FULL_WRITE)) return;
  sh.clear(STRIPE.FULL_WRITE);
  conf.pendingFullWrites--;
}

/** handle_stripe_clean_event: the member writes are done; the bios succeed (parity covers a failed write). */
function returnWrites(conf: R5Conf, sh: StripeHead): number {
  const bitmap = conf.mddev.bitmap;
  let actions = 0;
  for (const dev of sh.dev) {
    if (dev.written === null || dev.flags & R5.LOCKED) continue;
    for (let part: BioPart | null = dev.written; part !== null; part = part.next) endPart(conf, part, null);
    dev.written = null;
    s.written--;
    bitmap?.endWrite(sh.sector, STRIPE_SECTORS, !(dev.flags & R5.WriteError), sh.test(STRIPE.DEGRADED));
    actions = ACTION.RETURN_WRITE;
  }
  if (actions) dropFullWrite(conf, sh);
  return actions;
}

/** Spec §4.10 steps 2-3: a block that failed to read has been rebuilt; write it back, then read it again. */
function handleReadErrors(conf: R5Conf, sh: StripeHead): number {
  let actions = 0;
  for (let k = 0; k < 2; k++) {
    const f = k === 0 ? s.failedNum0 : s.failedNum1;
    if (f < 0) continue;
    const dev = sh.dev[f];
    const rdev = conf.usableRdev(f);
    if (rdev === null) {
      // The member failed meanwhile: nothing left to correct on it.
      dev.flags &= ~(R5.ReadError | R5.ReWrite);
      continue;
    }
    if (!(dev.flags & R5.ReadError) || dev.flags & R5.LOCKED || !(dev.flags & R5.UPTODATE)) continue;
    if (rdev.flags.has('WriteErrorSeen') && isBadBlock(rdev, sh)) {
      // Spec §4.11: a member that failed writes is not written at its bad blocks; the block stays reconstructed.
      dev.flags &= ~R5.ReWrite;
      continue;
    }
    if (!(dev.flags & R5.ReWrite)) {
      dev.flags |= R5.ReWrite | R5.Wantwrite | R5.LOCKED;
      actions |= ACTION.REWRITE;
    } else {
      dev.flags |= R5.Wantread | R5.LOCKED;
      actions |= ACTION.REREAD;
    }
    s.locked++;
  }
  return actions;
}

/** What rmw and rcw would each have to read first; a block on a lost member costs more than any read. */
export function countPrereads(sh: StripeHead): { rmw: number; rcw: number } {
  const heavy = 2 * sh.dev.length;
  let rmw = 0;
  let rcw = 0;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    if (dev.flags & (R5.UPTODATE | R5.LOCKED)) continue;
    const cost = dev.flags & R5.Insync ? 1 : heavy;
    if (dev.towrite !== null || i === sh.pdIdx) rmw += cost;
    if (i !== sh.pdIdx && !(dev.flags & R5.OVERWRITE)) rcw += cost;
  }
  return { rmw, rcw };
}

/** handle_stripe_dirtying: choose rmw or rcw by fewer reads, read for it, or start the write. */
function handleStripeDirtying(conf: R5Conf, sh: StripeHead): number {
  const { rmw, rcw } = countPrereads(sh);
  if (rcw === 0) return scheduleReconstruction(conf, sh, false);
  if (rmw === 0) return scheduleReconstruction(conf, sh, true);
  const useRmw = rmw < rcw;
  if (!sh.test(STRIPE.PREREAD_ACTIVE)) {
    // Reads for a write wait until raid5d activates delayed stripes, so more writes can join first.
    sh.set(STRIPE.DELAYED | STRIPE.HANDLE);
    return ACTION.DELAY;
  }
  let issued = 0;
  for (let i = 0; i < sh.dev.length; i++) {
    const dev = sh.dev[i];
    if (dev.flags & (R5.UPTODATE | R5.LOCKED) || !(dev.flags & R5.Insync)) continue;
    const needed = useRmw ? dev.towrite !== null || i === sh.pdIdx : i !== sh.pdIdx && !(dev.flags & R5.OVERWRITE);
    if (!needed) continue;
    dev.flags |= R5.Wantread | R5.LOCKED;
    s.locked++;
    issued++;
  }
  if (issued === 0) assert(false, `stripe ${sh.sector}: a write that needs reads (rmw ${rmw}, rcw ${rcw}) can read something`);
  return useRmw ? ACTION.RMW_READ : ACTION.RCW_READ;
}

/**
 * schedule_reconstruction: new data into the pages, new parity, write both. rmw runs its ops here
 * (ops_run_prexor/biodrain/reconstruct: the old data must leave parity before the new arrives); an
 * rcw only records them, and raid5d runs them for the whole pass before the unplug (raid_run_ops,
 * ops.ts), so a sequential write's copies go in long runs instead of one call per 4 KiB block.
 */
function scheduleReconstruction(conf: R5Conf, sh: StripeHead, rmw: boolean): number {
  const pd = sh.pdIdx;
  let fullWrite = true;
  for (let i = 0; i < sh.dev.length; i++) {
    if (i === pd) continue;
    const dev = sh.dev[i];
    if (!(dev.flags & R5.OVERWRITE)) fullWrite = false;
    if (dev.towrite === null) continue;
    if (rmw) {
      xorIntoParity(sh, i);
      for (let part: BioPart | null = dev.towrite; part !== null; part = part.next) copyFromBio(part, dev.page);
    }
    dev.written = dev.towrite;
    dev.towrite = null;
    dev.towriteBytes = 0;
    dev.flags = (dev.flags & ~R5.OVERWRITE) | R5.UPTODATE | R5.Wantwrite | R5.LOCKED;
    s.toWrite--;
    s.written++;
    s.locked++;
    if (rmw) xorIntoParity(sh, i);
  }
  if (!rmw) {
    for (let i = 0; i < sh.dev.length; i++) if (i !== pd && !(sh.dev[i].flags & R5.UPTODATE)) assert(false, `rcw: data block ${i} is in memory`);
    // Biodrain and parity wait for runPendingOps(); nothing reads these pages before it: the stripe
    // waits for its writes, and the unplug that issues them runs after it.
    sh.opsPending = true;
    conf.pendingOps.push(sh);
  } else {
    assert(sh.dev[pd].flags & R5.UPTODATE, 'rmw: old parity is in memory');
  }
  sh.dev[pd].flags |= R5.UPTODATE | R5.Wantwrite | R5.LOCKED;
  s.locked++;
  if (fullWrite && !sh.test(STRIPE.FULL_WRITE)) {
    sh.set(STRIPE.FULL_WRITE);
    conf.pendingFullWrites++;
  }
  return rmw ? ACTION.RMW : ACTION.RCW;
}

/** handle_parity_checks5: verify the stripe for resync/check/repair, or rebuild the missing block for recovery. */
function handleParityChecks(conf: R5Conf, sh: StripeHead): number {
  if (s.failed === 0) {
    if (s.uptodate < sh.dev.length) return 0;
    if (stripeIsConsistent(sh)) {
      sh.set(STRIPE.INSYNC);
      return ACTION.PARITY_OK;
    }
    conf.mddev.addMismatches(STRIPE_SECTORS);
    sh.set(STRIPE.INSYNC);
    if (sh.syncKind === 'check') return ACTION.MISMATCH;
    computeBlock(sh, sh.pdIdx);
    sh.dev[sh.pdIdx].flags |= R5.Wantwrite | R5.LOCKED;
    s.locked++;
    return ACTION.MISMATCH | ACTION.PARITY_REWRITE;
  }
  assert(s.failed === 1, 'a sync stripe with two lost blocks is a failed stripe');
  const dev = sh.dev[s.failedNum0];
  if (!(dev.flags & R5.UPTODATE)) return 0;
  sh.set(STRIPE.INSYNC);
  sh.clear(STRIPE.DEGRADED);
  if (conf.usableRdev(s.failedNum0) === null || sh.syncKind === 'check') return ACTION.COMPUTE;
  dev.flags |= R5.Wantwrite | R5.LOCKED;
  s.locked++;
  return ACTION.RECOVERY_WRITE;
}

function traceFlags(sh: StripeHead): string[] {
  const flags = stripeStateNames(sh.state);
  for (let i = 0; i < sh.dev.length; i++) {
    const names = devFlagNames(sh.dev[i].flags & ~R5.Insync);
    if (sh.dev[i].toread !== null) names.push('toread');
    if (sh.dev[i].towrite !== null) names.push('towrite');
    if (names.length) flags.push(`dev${i}:${names.join('|')}`);
  }
  return flags;
}

/** One handle_stripe pass. Returns the ACTION bits it took. */
export function handleStripe(conf: R5Conf, sh: StripeHead): number {
  assertStripeCoherent(sh, 'entry');
  const trace = conf.mddev.trace;
  const entryFlags = trace.wants('handle_stripe') ? traceFlags(sh) : null;
  sh.clear(STRIPE.HANDLE);
  sh.set(STRIPE.ACTIVE);
  for (const dev of sh.dev) dev.flags &= ~R5.Wantcompute;
  if (sh.test(STRIPE.SYNC_REQUESTED)) {
    sh.clear(STRIPE.SYNC_REQUESTED | STRIPE.INSYNC);
    sh.set(STRIPE.SYNCING);
  }
  analyseStripe(sh, conf, s);
  let actions = 0;
  if (s.failed > conf.maxDegraded) {
    actions |= handleFailedStripe(conf, sh);
    analyseStripe(sh, conf, s);
  }
  if (s.toRead || s.nonOverwrite || s.syncing || (s.toWrite && s.failed)) actions |= handleStripeFill(sh);
  // The steps below keep the summary's counts up to date themselves; no need to walk the members again.
  if (s.toRead) actions |= returnReads(conf, sh);
  if (s.written) actions |= returnWrites(conf, sh);
  if (s.failed <= conf.maxDegraded) actions |= handleReadErrors(conf, sh);
  if (s.toWrite && s.locked === 0 && s.written === 0 && s.failed <= conf.maxDegraded) actions |= handleStripeDirtying(conf, sh);
  if (s.syncing && s.locked === 0 && s.toWrite === 0 && s.written === 0 && !sh.test(STRIPE.INSYNC)) {
    actions |= handleParityChecks(conf, sh);
  }
  if (s.syncing && s.locked === 0 && sh.test(STRIPE.INSYNC)) {
    doneSync(conf, sh, true);
    actions |= ACTION.SYNC_DONE;
  }
  sh.clear(STRIPE.ACTIVE);
  assertStripeCoherent(sh, 'exit');
  if (entryFlags !== null) trace.emit({ fn: 'handle_stripe', sector: sh.sector, flags: entryFlags, action: actionWords(actions) });
  return actions;
}
