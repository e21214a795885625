/**
 * Member I/O (ops_run_io, the block layer's plugging, raid5_end_read/write_request). handleStripe only
 * marks blocks R5_Wantread/R5_Wantwrite; opsRunIo moves them into per-member queues, and unplug sorts
 * each queue, merges runs of consecutive stripes into one readv/writev (the pages are the iovecs, so
 * nothing is copied) and performs them synchronously. Completion (bi_end_io) is a separate step: the
 * next raid5d pass reaps I/Os whose logical completion time has come (later under a timing fault), so
 * a power cut in between finds the writes still in flight. A failed merged read is retried block by
 * block (R5_ReadNoMerge) to find which blocks really failed.
 */
import { DeviceError } from '../../format/blockdev';
import { completionTimeMs } from '../../faults/faulty-device';
import { assert } from '../../util/assert';
import type { RdevView } from '../types';
import type { R5Conf } from './conf';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS } from './flags';
import { STRIPE_BYTES, STRIPE_SECTORS, type StripeHead } from './stripe-head';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

type Op = 'read' | 'write';

/** One merged member I/O between issue and completion (the in-flight queue the fault layer acts on). */
interface InFlight {
  readonly stripes: StripeHead[];
  readonly slot: number;
  readonly op: Op;
  /** Per block, when the merged request failed and blocks were retried alone; null when it succeeded. */
  readonly errors: (DeviceError | null)[] | null;
  /** PowerCutDomain token of a write, -1 when nobody asked for one. */
  readonly token: number;
  readonly completeAtMs: number;
}

/**
 * One member's plugged reads or writes: the stripes in items[0, count). The array keeps its length
 * between passes: emptying it with `length = 0` would drop its backing store and regrow it every pass.
 */
interface Plugged {
  readonly items: StripeHead[];
  count: number;
}

function plugged(): Plugged {
  return { items: [], count: 0 };
}

function plug(queue: Plugged, sh: StripeHead): void {
  queue.items[queue.count++] = sh;
}

export class MemberQueues {
  private readonly reads: Plugged[];
  private readonly writes: Plugged[];
  private inFlight: InFlight[] = [];
  /** Reused iovec array: one readv/writev at a time. */
  private readonly iov: Uint8Array[] = [];
  /** The member the next unplug serves first. */
  private firstSlot = 0;
  /** The ioDeadlineMs under which member I/O was last started. */
  private servedDeadlineMs = Number.NaN;

  constructor(readonly disks: number) {
    this.reads = Array.from({ length: disks }, plugged);
    this.writes = Array.from({ length: disks }, plugged);
  }

  get empty(): boolean {
    if (this.inFlight.length > 0) return false;
    for (let i = 0; i < this.disks; i++) if (this.reads[i].count || this.writes[i].count) return false;
    return true;
  }

  /** Whether any queued or in-flight I/O targets slot i (raid5_remove_disk refuses while nr_pending). */
  busy(i: number): boolean {
    return this.reads[i].count > 0 || this.writes[i].count > 0 || this.inFlight.some((io) => io.slot === i);
  }

  /** The earliest logical time an in-flight I/O may complete, null when none is in flight. */
  nextCompletionMs(): number | null {
    let next: number | null = null;
    for (const io of this.inFlight) if (next === null || io.completeAtMs < next) next = io.completeAtMs;
    return next;
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
        plug(this.writes[i], sh);
        sh.ioPending++;
      } else if (dev.flags & R5.Wantread) {
        dev.flags &= ~R5.Wantread;
        if (conf.usableRdev(i) === null) assert(false, `stripe ${sh.sector}: reads go to usable members only (slot ${i})`);
        plug(this.reads[i], sh);
        sh.ioPending++;
      }
    }
  }

  /**
   * The unplug: performs the queued I/O, writes first, merged per run. Returns the number of member I/Os.
   * Once md's clock passes ioDeadlineMs no member's I/O starts, except that the first unplug under a new
   * deadline (a new md slice) serves one member whatever the time, so md always moves. What is left stays
   * queued for a later pass, which starts with the member not served, so none waits behind the others.
   */
  unplug(conf: R5Conf, ioDeadlineMs = Number.POSITIVE_INFINITY): number {
    const nowMs = conf.mddev.memberIo?.nowMs() ?? 0;
    const clock = ioDeadlineMs === Number.POSITIVE_INFINITY ? null : (conf.mddev.clock ?? null);
    let ios = 0;
    for (let n = 0; n < this.disks; n++) {
      const i = (this.firstSlot + n) % this.disks;
      if (this.writes[i].count === 0 && this.reads[i].count === 0) continue;
      const owed = ios === 0 && this.servedDeadlineMs !== ioDeadlineMs;
      if (clock !== null && !owed && clock.nowMs() >= ioDeadlineMs) {
        this.firstSlot = i;
        return ios;
      }
      ios += this.runQueue(conf, i, 'write', this.writes[i], nowMs);
      ios += this.runQueue(conf, i, 'read', this.reads[i], nowMs);
      this.servedDeadlineMs = ioDeadlineMs;
    }
    return ios;
  }

  /** bi_end_io for every in-flight I/O whose time has come; their stripes go back for handling. */
  reap(conf: R5Conf): number {
    if (this.inFlight.length === 0) return 0;
    const hooks = conf.mddev.memberIo;
    const nowMs = hooks?.nowMs() ?? Number.POSITIVE_INFINITY;
    const pending = this.inFlight;
    this.inFlight = [];
    let reaped = 0;
    for (const io of pending) {
      if (io.completeAtMs > nowMs) {
        this.inFlight.push(io);
        continue;
      }
      reaped++;
      const rdev = conf.slots[io.slot];
      if (io.token >= 0) hooks?.writeCompleted?.(io.token);
      for (let k = 0; k < io.stripes.length; k++) {
        const sh = io.stripes[k];
        if (rdev !== null) endRequest(conf, rdev, io.slot, io.op, sh, io.errors === null ? null : io.errors[k]);
        else sh.dev[io.slot].flags &= ~(R5.LOCKED | R5.ReadNoMerge);
        sh.ioPending--;
        if (sh.ioPending === 0) {
          sh.set(STRIPE.HANDLE);
          conf.releaseStripe(sh);
        }
      }
    }
    return reaped;
  }

  private runQueue(conf: R5Conf, slot: number, op: Op, queue: Plugged, nowMs: number): number {
    const n = queue.count;
    if (n === 0) return 0;
    queue.count = 0;
    const rdev = conf.slots[slot];
    if (rdev === null) assert(false, `queued I/O for slot ${slot} has a member`);
    const items = queue.items;
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) sorted = items[k - 1].sector < items[k].sector;
    if (!sorted) items.splice(0, n, ...items.slice(0, n).sort((a, b) => a.sector - b.sector));
    let ios = 0;
    let start = 0;
    while (start < n) {
      let end = start + 1;
      while (end < n && items[end].sector === items[end - 1].sector + STRIPE_SECTORS) end++;
      this.inFlight.push(this.runMerged(conf, rdev, slot, op, items.slice(start, end), nowMs));
      ios++;
      start = end;
    }
    return ios;
  }

  private runMerged(conf: R5Conf, rdev: RdevView, slot: number, op: Op, stripes: StripeHead[], nowMs: number): InFlight {
    const iov = this.iov;
    iov.length = 0;
    // Stripes in consecutive slab slots have this member's pages back to back: one iovec per such run.
    let runStart = 0;
    for (let k = 1; k <= stripes.length; k++) {
      if (k < stripes.length && stripes[k].slab === stripes[k - 1].slab && stripes[k].slot === stripes[k - 1].slot + 1) continue;
      iov.push(k - runStart === 1 ? stripes[runStart].dev[slot].page : stripes[runStart].slab.view(stripes[runStart].dev[slot].pageOffset, (k - runStart) * STRIPE_BYTES));
      runStart = k;
    }
    const offsetBytes = (rdev.dataOffsetSectors + stripes[0].sector) * 512;
    const lengthBytes = stripes.length * STRIPE_BYTES;
    const hooks = conf.mddev.memberIo;
    const token = op === 'write' ? (hooks?.writeSubmitted?.(rdev, offsetBytes, lengthBytes, nowMs) ?? -1) : -1;
    let errors: (DeviceError | null)[] | null = null;
    if (op === 'read' && rdev.badblocks.count > 0 && rdev.badblocks.check(rdev.dataOffsetSectors + stripes[0].sector, stripes.length * STRIPE_SECTORS)) {
      // Spec §4.10 step 5: a recorded bad block is not read; it fails as a read error would.
      errors = stripes.map((sh) => (isBadBlock(rdev, sh) ? knownBad(sh, slot) : this.readAlone(rdev, slot, sh)));
      return { stripes, slot, op, errors, token, completeAtMs: hooks ? completionTimeMs(rdev.dev, nowMs) : nowMs };
    }
    try {
      if (op === 'read') rdev.dev.readv(iov, offsetBytes);
      else rdev.dev.writev(iov, offsetBytes);
      if (op === 'read') rdev.readBytes += lengthBytes;
      else rdev.writtenBytes += lengthBytes;
    } catch (err) {
      if (!(err instanceof DeviceError)) throw err;
      // Only reads are retried alone (R5_ReadNoMerge); a failed write fails every block it carried.
      const retry = op === 'read' && stripes.length > 1;
      errors = stripes.map((sh) => (retry ? this.readAlone(rdev, slot, sh) : err));
    }
    const completeAtMs = hooks ? completionTimeMs(rdev.dev, nowMs) : nowMs;
    return { stripes, slot, op, errors, token, completeAtMs };
  }

  /** The R5_ReadNoMerge retry: one block alone, so one bad block does not fail its neighbours. */
  private readAlone(rdev: RdevView, slot: number, sh: StripeHead): DeviceError | null {
    const dev = sh.dev[slot];
    dev.flags |= R5.ReadNoMerge;
    try {
      rdev.dev.read(dev.page, (rdev.dataOffsetSectors + sh.sector) * 512);
      rdev.readBytes += STRIPE_BYTES;
      return null;
    } catch (err) {
      if (!(err instanceof DeviceError)) throw err;
      return err;
    }
  }
}

/** raid5_end_read_request / raid5_end_write_request for one block. */
function endRequest(conf: R5Conf, rdev: RdevView, slot: number, op: Op, sh: StripeHead, error: DeviceError | null): void {
  const dev = sh.dev[slot];
  dev.flags &= ~(R5.LOCKED | R5.ReadNoMerge);
  if (op === 'write') {
    if (error === null) {
      dev.flags &= ~R5.WriteError;
      // R5_MadeGood: the block is readable again.
      if (rdev.badblocks.count > 0 && isBadBlock(rdev, sh)) conf.mddev.rdevClearBadblocks(rdev, sh.sector, STRIPE_SECTORS);
      return;
    }
    writeError(conf, rdev, slot, sh, error);
    return;
  }
  if (error === null) {
    dev.flags |= R5.UPTODATE;
    if (dev.flags & R5.ReWrite) {
      dev.flags &= ~(R5.ReWrite | R5.ReadError);
      rdev.correctedErrors += STRIPE_SECTORS;
      conf.mddev.log(`md/raid:${conf.mddev.name}: read error corrected (${STRIPE_SECTORS} sectors at ${rdev.dataOffsetSectors + sh.sector} on ${rdev.dev.name})`);
    }
    rdev.readErrors = 0;
    return;
  }
  readError(conf, rdev, slot, sh, error);
}

/**
 * Spec §4.11: the stripe goes degraded and the bitmap keeps its bit (R5_WriteError), and the block is
 * recorded as bad; only a member that cannot record it is failed.
 */
function writeError(conf: R5Conf, rdev: RdevView, slot: number, sh: StripeHead, error: DeviceError): void {
  sh.dev[slot].flags |= R5.WriteError;
  sh.set(STRIPE.DEGRADED);
  rdev.flags.add('WriteErrorSeen');
  rdev.flags.add('WantReplacement');
  recordOrFail(conf, rdev, sh, `write error at sector ${sh.sector} (${error.code})`, false);
}

/** Spec §4.10: decide what a failed block read means for the member. */
function readError(conf: R5Conf, rdev: RdevView, slot: number, sh: StripeHead, error: DeviceError): void {
  const dev = sh.dev[slot];
  const name = conf.mddev.name;
  const at = `sector ${rdev.dataOffsetSectors + sh.sector} on ${rdev.dev.name}`;
  dev.flags &= ~R5.UPTODATE;
  if (error === KNOWN_BAD && !(dev.flags & R5.ReWrite)) {
    // Already recorded: reconstruct it (and try to make it good by rewriting) without counting a new error.
    dev.flags |= R5.ReadError;
    return;
  }
  rdev.readErrors++;
  let othersLost = 0;
  for (let i = 0; i < conf.disks; i++) if (i !== slot && !(sh.dev[i].flags & R5.Insync)) othersLost++;
  if (othersLost >= conf.maxDegraded) {
    dev.flags &= ~(R5.ReWrite | R5.ReadError);
    conf.mddev.log(`md/raid:${name}: read error not correctable (${at}).`);
    recordOrFail(conf, rdev, sh, `read error not correctable (sector ${sh.sector}, ${error.code})`);
    return;
  }
  if (dev.flags & R5.ReWrite) {
    dev.flags &= ~(R5.ReWrite | R5.ReadError);
    conf.mddev.log(`md/raid:${name}: read error NOT corrected!! (${at}).`);
    recordOrFail(conf, rdev, sh, `read error NOT corrected!! (sector ${sh.sector}, ${error.code})`);
    return;
  }
  if (rdev.readErrors > conf.maxNrStripes) {
    conf.mddev.log(`md/raid:${name}: ${rdev.readErrors} read_errors > ${conf.maxNrStripes} stripes`);
    conf.mddev.log(`md/raid:${name}: Too many read errors, failing device ${rdev.dev.name}.`);
    conf.mddev.mdError(rdev, 'Too many read errors, failing device');
    return;
  }
  dev.flags |= R5.ReadError;
}

/**
 * rdev_set_badblocks, or md_error when the log cannot take the block. A read error is recorded only on an
 * In_sync member: a member being rebuilt would have to record every block it cannot yet read.
 */
function recordOrFail(conf: R5Conf, rdev: RdevView, sh: StripeHead, reason: string, needInSync = true): void {
  if ((!needInSync || rdev.flags.has('In_sync')) && conf.mddev.rdevSetBadblocks(rdev, sh.sector, STRIPE_SECTORS)) {
    conf.mddev.log(`md/raid:${conf.mddev.name}: ${reason}: recorded as a bad block on ${rdev.dev.name}`);
    return;
  }
  conf.mddev.mdError(rdev, reason);
}

/** Marks a read that was not issued because the block is on the member's bad-block list. */
const KNOWN_BAD = new DeviceError('EIO', 'bad-block list', 0, 'recorded bad block');

export function isBadBlock(rdev: RdevView, sh: StripeHead): boolean {
  return rdev.badblocks.check(rdev.dataOffsetSectors + sh.sector, STRIPE_SECTORS);
}

function knownBad(sh: StripeHead, slot: number): DeviceError {
  sh.dev[slot].flags |= R5.ReadNoMerge;
  return KNOWN_BAD;
}
