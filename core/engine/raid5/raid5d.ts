/**
 * raid5d: the md thread of a RAID4/5 array. Each pass runs md_check_recovery first (as the kernel
 * does), attaches waiting bios, writes out bitmap bits that held writes back, activates delayed
 * stripes, handles batches of up to 8 stripes by priority (handle_list before hold_list, with the
 * preread bypass threshold), then unplugs: all member I/O of the pass, merged per member.
 */
import type { R5Conf } from './conf';
import { IO_THRESHOLD, MAX_STRIPE_BATCH } from './conf';
import { STRIPE as STRIPE_BITS } from './flags';
import { handleStripe } from './handle';
import type { MemberQueues } from './io';
import { feedDeferred } from './make-request';
import type { PendingOps } from './ops';
import type { StripeHead } from './stripe-head';

const STRIPE = STRIPE_BITS;

export { MAX_STRIPE_BATCH, PASS_IO_BYTES } from './conf';

/** What the UI's "recent stripes" panel shows: a fixed ring of copied numbers, no allocation per stripe. */
export class RecentStripes {
  private readonly sectors = new Float64Array(MAX_STRIPE_BATCH);
  private readonly states = new Int32Array(MAX_STRIPE_BATCH);
  private readonly devFlags: Int32Array;
  private next = 0;
  private count = 0;

  constructor(private readonly disks: number) {
    this.devFlags = new Int32Array(MAX_STRIPE_BATCH * disks);
  }

  record(sh: StripeHead): void {
    const k = this.next;
    this.sectors[k] = sh.sector;
    this.states[k] = sh.state;
    for (let i = 0; i < this.disks; i++) this.devFlags[k * this.disks + i] = sh.dev[i].flags;
    this.next = (k + 1) % MAX_STRIPE_BATCH;
    this.count = Math.min(this.count + 1, MAX_STRIPE_BATCH);
  }

  /** Oldest first. */
  entries(): { sector: number; state: number; devFlags: number[] }[] {
    const out = [];
    for (let n = 0; n < this.count; n++) {
      const k = (this.next - this.count + n + MAX_STRIPE_BATCH) % MAX_STRIPE_BATCH;
      out.push({ sector: this.sectors[k], state: this.states[k], devFlags: Array.from(this.devFlags.subarray(k * this.disks, (k + 1) * this.disks)) });
    }
    return out;
  }
}

/** raid5_activate_delayed: when no pre-read is running, let every delayed stripe issue its reads. */
function activateDelayed(conf: R5Conf): void {
  if (conf.prereadActiveStripes >= IO_THRESHOLD) return;
  let sh: StripeHead | null;
  while ((sh = conf.delayedList.popHead()) !== null) {
    sh.clear(STRIPE.DELAYED);
    if (!sh.test(STRIPE.PREREAD_ACTIVE)) {
      sh.set(STRIPE.PREREAD_ACTIVE);
      conf.prereadActiveStripes++;
    }
    conf.holdList.pushTail(sh);
  }
}

/** __get_priority_stripe: handle_list first; hold_list when nothing else or the bypass count says so. */
function getPriorityStripe(conf: R5Conf): StripeHead | null {
  const handle = conf.handleList.first();
  const hold = conf.holdList.first();
  if (handle !== null) {
    if (hold === null) conf.bypassCount = 0;
    else if (!handle.test(STRIPE.PREREAD_ACTIVE)) {
      if (hold === conf.lastHold) conf.bypassCount++;
      else {
        conf.lastHold = hold;
        conf.bypassCount = Math.max(0, conf.bypassCount - conf.bypassThreshold);
      }
    }
    conf.handleList.remove(handle);
    return handle;
  }
  if (hold !== null && ((conf.bypassThreshold > 0 && conf.bypassCount > conf.bypassThreshold) || conf.pendingFullWrites === 0)) {
    conf.bypassCount = Math.max(0, conf.bypassCount - conf.bypassThreshold);
    conf.holdList.remove(hold);
    return hold;
  }
  return null;
}

/** Flush the bitmap bits new writes set, then let those writes go (activate_bit_delay). */
function activateBitDelay(conf: R5Conf): boolean {
  if (conf.bitmapList.empty) return false;
  conf.mddev.bitmap?.unplug();
  let sh: StripeHead | null;
  while ((sh = conf.bitmapList.popHead()) !== null) {
    sh.clear(STRIPE.BIT_DELAY);
    conf.releaseStripe(sh);
  }
  return true;
}

/** One pass; returns whether it did any work. At most PASS_IO_BYTES of member blocks are handled per pass. */
export function raid5d(conf: R5Conf, queues: MemberQueues, recent: RecentStripes, ops: PendingOps, ioDeadlineMs = Number.POSITIVE_INFINITY): boolean {
  const mddev = conf.mddev;
  mddev.mdCheckRecovery();
  conf.refreshSlots();
  mddev.memberIo?.pass?.();
  let worked = queues.reap(conf) > 0;
  worked = feedDeferred(conf) || worked;
  worked = activateBitDelay(conf) || worked;
  activateDelayed(conf);
  let handled = 0;
  const batch = conf.batch;
  while (handled < conf.passStripes) {
    let n = 0;
    let sh: StripeHead | null;
    while (n < MAX_STRIPE_BATCH && (sh = getPriorityStripe(conf)) !== null) batch[n++] = sh;
    if (n === 0) break;
    for (let k = 0; k < n; k++) {
      handleStripe(conf, batch[k]);
      recent.record(batch[k]);
      queues.opsRunIo(conf, batch[k]);
    }
    for (let k = 0; k < n; k++) conf.releaseStripe(batch[k]);
    handled += n;
  }
  // raid_run_ops for the pass's reconstruct-writes: their data and parity must be in the pages before any of their writes is issued.
  ops.run(conf);
  const ios = queues.unplug(conf, ioDeadlineMs);
  const ended = endBios(conf);
  if (mddev.trace.wants('raid5d')) {
    mddev.trace.emit({ fn: 'raid5d', action: `handled ${handled} stripes, ${ios} merged member I/Os, ended ${ended} bios; active ${conf.activeStripes}/${conf.maxNrStripes}` });
  }
  return worked || handled > 0 || ios > 0 || ended > 0;
}

/** return_io: end finished bios outside handle_stripe, so callbacks may submit new bios safely. */
export function endBios(conf: R5Conf): number {
  if (conf.returnBios.length === 0) return 0;
  const finished = conf.returnBios.splice(0, conf.returnBios.length);
  for (const tracker of finished) {
    if (tracker.writeStarted) conf.mddev.mdWriteEnd();
    tracker.bio.endIo(tracker.error);
  }
  return finished.length;
}
