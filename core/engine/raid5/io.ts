/**
 * Member I/O (ops_run_io, the block layer's plugging, raid5_end_read/write_request). handleStripe only
 * marks blocks R5_Wantread/R5_Wantwrite; opsRunIo moves them into per-member queues, and unplug sorts
 * each queue, merges runs of consecutive stripes into one readv/writev (the pages are the iovecs, so
 * nothing is copied), performs them synchronously, and completes every block. The queues are the
 * in-flight state between submit and completion: a wrapped BlockDevice may fail a run, and a failed
 * merged run is retried block by block (R5_ReadNoMerge) to find which blocks really failed.
 */
import { DeviceError } from '../../format/blockdev';
import { assert } from '../../util/assert';
import type { RdevView } from '../types';
import type { R5Conf } from './conf';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS } from './flags';
import { STRIPE_BYTES, STRIPE_SECTORS, type StripeHead } from './stripe-head';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

type Op = 'read' | 'write';

export class MemberQueues {
  private readonly reads: StripeHead[][];
  private readonly writes: StripeHead[][];
  /** Reused iovec array: one readv/writev at a time. */
  private readonly iov: Uint8Array[] = [];

  constructor(readonly disks: number) {
    this.reads = Array.from({ length: disks }, () => []);
    this.writes = Array.from({ length: disks }, () => []);
  }

  get empty(): boolean {
    for (let i = 0; i < this.disks; i++) if (this.reads[i].length || this.writes[i].length) return false;
    return true;
  }

  /** Whether any queued I/O targets slot i (raid5_remove_disk refuses while nr_pending). */
  busy(i: number): boolean {
    return this.reads[i].length > 0 || this.writes[i].length > 0;
  }

  /** ops_run_io: submit what handleStripe asked for. Writes to a lost member are skipped (STRIPE_DEGRADED). */
  opsRunIo(conf: R5Conf, sh: StripeHead): void {
    for (let i = 0; i < sh.dev.length; i++) {
      const dev = sh.dev[i];
      if (dev.flags & R5.Wantwrite) {
        dev.flags &= ~R5.Wantwrite;
        if (conf.usableRdev(i) === null) {
          dev.flags &= ~R5.LOCKED;
          sh.set(STRIPE.DEGRADED | STRIPE.HANDLE);
          continue;
        }
        this.writes[i].push(sh);
        sh.ioPending++;
      } else if (dev.flags & R5.Wantread) {
        dev.flags &= ~R5.Wantread;
        if (conf.usableRdev(i) === null) assert(false, `stripe ${sh.sector}: reads go to usable members only (slot ${i})`);
        this.reads[i].push(sh);
        sh.ioPending++;
      }
    }
  }

  /** Performs every queued I/O, writes first, then completes the blocks. Returns the number of member I/Os. */
  unplug(conf: R5Conf): number {
    let ios = 0;
    for (let i = 0; i < this.disks; i++) {
      ios += this.runQueue(conf, i, 'write', this.writes[i]);
      ios += this.runQueue(conf, i, 'read', this.reads[i]);
    }
    return ios;
  }

  private runQueue(conf: R5Conf, slot: number, op: Op, queue: StripeHead[]): number {
    if (queue.length === 0) return 0;
    const rdev = conf.slots[slot];
    if (rdev === null) assert(false, `queued I/O for slot ${slot} has a member`);
    let sorted = true;
    for (let k = 1; k < queue.length && sorted; k++) sorted = queue[k - 1].sector < queue[k].sector;
    if (!sorted) queue.sort((a, b) => a.sector - b.sector);
    let ios = 0;
    let start = 0;
    while (start < queue.length) {
      let end = start + 1;
      while (end < queue.length && queue[end].sector === queue[end - 1].sector + STRIPE_SECTORS) end++;
      this.runMerged(conf, rdev, slot, op, queue, start, end);
      ios++;
      start = end;
    }
    for (let k = 0; k < queue.length; k++) {
      const sh = queue[k];
      sh.ioPending--;
      if (sh.ioPending === 0) {
        sh.set(STRIPE.HANDLE);
        conf.releaseStripe(sh);
      }
    }
    queue.length = 0;
    return ios;
  }

  private runMerged(conf: R5Conf, rdev: RdevView, slot: number, op: Op, queue: StripeHead[], start: number, end: number): void {
    const iov = this.iov;
    iov.length = 0;
    for (let k = start; k < end; k++) iov.push(queue[k].dev[slot].page);
    const offsetBytes = (rdev.dataOffsetSectors + queue[start].sector) * 512;
    try {
      if (op === 'read') rdev.dev.readv(iov, offsetBytes);
      else rdev.dev.writev(iov, offsetBytes);
    } catch (err) {
      if (!(err instanceof DeviceError)) throw err;
      // Only reads are retried alone (R5_ReadNoMerge); a failed write fails every block it carried.
      const retry = op === 'read' && end - start > 1;
      for (let k = start; k < end; k++) this.runSingle(conf, rdev, slot, op, queue[k], retry ? null : err);
      return;
    }
    const bytes = (end - start) * STRIPE_BYTES;
    if (op === 'read') rdev.readBytes += bytes;
    else rdev.writtenBytes += bytes;
    for (let k = start; k < end; k++) endRequest(conf, rdev, slot, op, queue[k], null);
  }

  /** The R5_ReadNoMerge retry: one block alone, so one bad block does not fail its neighbours. */
  private runSingle(conf: R5Conf, rdev: RdevView, slot: number, op: Op, sh: StripeHead, knownError: DeviceError | null): void {
    const dev = sh.dev[slot];
    let error = knownError;
    if (error === null) {
      dev.flags |= R5.ReadNoMerge;
      const offsetBytes = (rdev.dataOffsetSectors + sh.sector) * 512;
      try {
        if (op === 'read') rdev.dev.read(dev.page, offsetBytes);
        else rdev.dev.write(dev.page, offsetBytes);
        if (op === 'read') rdev.readBytes += STRIPE_BYTES;
        else rdev.writtenBytes += STRIPE_BYTES;
      } catch (err) {
        if (!(err instanceof DeviceError)) throw err;
        error = err;
      }
    }
    endRequest(conf, rdev, slot, op, sh, error);
  }
}

/** raid5_end_read_request / raid5_end_write_request for one block. */
function endRequest(conf: R5Conf, rdev: RdevView, slot: number, op: Op, sh: StripeHead, error: DeviceError | null): void {
  const dev = sh.dev[slot];
  dev.flags &= ~(R5.LOCKED | R5.ReadNoMerge);
  if (op === 'write') {
    if (error === null) {
      dev.flags &= ~R5.WriteError;
      return;
    }
    // Spec §4.11 would first try the bad-block log; without one the member fails.
    dev.flags |= R5.WriteError;
    sh.set(STRIPE.DEGRADED);
    conf.mddev.mdError(rdev, `write error at sector ${sh.sector} (${error.code})`);
    return;
  }
  if (error === null) {
    dev.flags |= R5.UPTODATE;
    if (dev.flags & R5.ReWrite) {
      dev.flags &= ~(R5.ReWrite | R5.ReadError);
      rdev.correctedErrors += STRIPE_SECTORS;
    }
    rdev.readErrors = 0;
    return;
  }
  readError(conf, rdev, slot, sh, error);
}

/** Spec §4.10: decide what a failed block read means for the member. */
function readError(conf: R5Conf, rdev: RdevView, slot: number, sh: StripeHead, error: DeviceError): void {
  const dev = sh.dev[slot];
  if (dev.flags & R5.ReWrite) {
    dev.flags &= ~(R5.ReWrite | R5.ReadError);
    conf.mddev.mdError(rdev, `read error NOT corrected!! (sector ${sh.sector}, ${error.code})`);
    return;
  }
  dev.flags &= ~R5.UPTODATE;
  rdev.readErrors++;
  if (rdev.readErrors > conf.maxNrStripes) {
    conf.mddev.mdError(rdev, 'Too many read errors, failing device');
    return;
  }
  let othersLost = 0;
  for (let i = 0; i < conf.disks; i++) if (i !== slot && !(sh.dev[i].flags & R5.Insync)) othersLost++;
  if (othersLost >= conf.maxDegraded) {
    conf.mddev.mdError(rdev, `read error not correctable (sector ${sh.sector}, ${error.code})`);
    return;
  }
  dev.flags |= R5.ReadError;
}
