/**
 * raid5_sync_request: md_do_sync asks for one stripe at per-member sector `sectorNr`. The stripe is
 * marked STRIPE_SYNC_REQUESTED and handled by raid5d like any other; md_done_sync is called when its
 * parity is verified or its missing block written. Regions the sync can skip are reported at once.
 */
import { assert } from '../../util/assert';
import type { SyncKind } from '../types';
import type { R5Conf } from './conf';
import { STRIPE as STRIPE_BITS } from './flags';
import { STRIPE_SECTORS } from './stripe-head';

const STRIPE = STRIPE_BITS;

/** raid5_calc_degraded: slots without an In_sync member. */
export function calcDegraded(conf: R5Conf): number {
  let degraded = 0;
  for (const rdev of conf.slots) if (rdev === null || rdev.flags.has('Faulty') || !rdev.flags.has('In_sync')) degraded++;
  return degraded;
}

/** Returns the sectors accounted for; conf.lastSyncSkipped says whether they were skipped without I/O (`*skipped`). */
export function syncRequest(conf: R5Conf, sectorNr: number, kind: SyncKind): number {
  conf.lastSyncSkipped = false;
  if (sectorNr % STRIPE_SECTORS !== 0 || sectorNr < 0 || sectorNr >= conf.devSectors) assert(false, `sync sector ${sectorNr} is a stripe inside the member`);
  const mddev = conf.mddev;
  const remaining = conf.devSectors - sectorNr;
  // Spec §4.1: with no redundancy left there is nothing a resync/check/repair could verify.
  if (kind !== 'recover' && conf.degradedSlots >= conf.maxDegraded) {
    traceSync(conf, sectorNr, kind, `skip ${remaining} sectors: array degraded`);
    conf.lastSyncSkipped = true;
    return remaining;
  }
  const bitmap = mddev.bitmap;
  if (bitmap !== null && (kind === 'resync' || kind === 'recover') && !conf.fullsync) {
    const answer = bitmap.startSync(sectorNr, conf.unusableSlots() > 0);
    if (!answer.needSync && answer.sectors >= STRIPE_SECTORS) {
      const skip = Math.min(remaining, answer.sectors - (answer.sectors % STRIPE_SECTORS));
      traceSync(conf, sectorNr, kind, `skip ${skip} sectors: bitmap clean`);
      conf.lastSyncSkipped = true;
      return skip;
    }
  }
  // The kernel's md_do_sync and raid5d run on CPUs of their own, and how far the sync runs ahead of
  // raid5d is set by timing. Here it waits once a raid5d pass's worth of its stripes is in flight, so
  // the stripes it cycles through stay in the CPU caches instead of sweeping the whole cache (a check
  // of 4 x 96 MiB took ~135 ms this way against ~180 ms filling all 256 stripes).
  if (conf.syncStripesInFlight >= conf.passStripes) return 0;
  const sh = conf.getActiveStripe(sectorNr);
  if (sh === null) return 0;
  conf.syncStripesInFlight++;
  if (sh.test(STRIPE.SYNCING | STRIPE.SYNC_REQUESTED)) assert(false, `stripe ${sectorNr} is requested once per sync pass`);
  sh.set(STRIPE.SYNC_REQUESTED | STRIPE.HANDLE);
  sh.syncKind = kind;
  conf.releaseStripe(sh);
  traceSync(conf, sectorNr, kind, 'stripe requested');
  return STRIPE_SECTORS;
}

function traceSync(conf: R5Conf, sector: number, kind: SyncKind, what: string): void {
  const trace = conf.mddev.trace;
  if (trace.wants('sync_request')) trace.emit({ fn: 'sync_request', sector, action: `${kind}: ${what}` });
}
