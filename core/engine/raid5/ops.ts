/**
 * raid_run_ops for reconstruct-writes: handle_stripe decided (the blocks are flagged for writing) and
 * recorded the stripe in conf.pendingOps; raid5d runs the ops of the whole pass here, before its unplug.
 * ops_run_biodrain copies each writer's data into the pages, merging the copies of consecutive
 * stripes: a sequential write hands one member its bio's bytes in order, and stripes in consecutive
 * slab slots have that member's pages back to back, so one copy covers a run. ops_run_reconstruct5
 * then computes each stripe's parity from its pages.
 */
import { assert } from '../../util/assert';
import type { BioPart } from './bio';
import type { R5Conf } from './conf';
import { R5 as R5_BITS } from './flags';
import { computeBlock } from './parity';
import { STRIPE_BYTES } from './stripe-bytes';
import type { StripeHead } from './stripe-head';

const R5 = R5_BITS;

/** One member's copy being extended: bytes of a bio going to back-to-back pages of one slab. */
interface CopyRun {
  source: Uint8Array | null;
  sourceOffset: number;
  target: ArrayBuffer | null;
  targetOffset: number;
  lengthBytes: number;
}

function flush(run: CopyRun): void {
  if (run.source === null || run.target === null) return;
  new Uint8Array(run.target, run.targetOffset, run.lengthBytes).set(new Uint8Array(run.source.buffer, run.source.byteOffset + run.sourceOffset, run.lengthBytes));
  run.source = null;
  run.target = null;
}

export class PendingOps {
  private readonly runs: CopyRun[];

  constructor(disks: number) {
    this.runs = Array.from({ length: disks }, () => ({ source: null, sourceOffset: 0, target: null, targetOffset: 0, lengthBytes: 0 }));
  }

  /** Biodrain then reconstruct for every stripe recorded this pass. Returns how many stripes. */
  run(conf: R5Conf): number {
    const stripes = conf.pendingOps;
    if (stripes.length === 0) return 0;
    for (const sh of stripes) this.drain(sh);
    for (const run of this.runs) flush(run);
    for (const sh of stripes) {
      if (!sh.opsPending) assert(false, `stripe ${sh.sector} runs its ops once`);
      computeBlock(sh, sh.pdIdx);
      sh.opsPending = false;
    }
    const count = stripes.length;
    stripes.length = 0;
    return count;
  }

  private drain(sh: StripeHead): void {
    for (let i = 0; i < sh.dev.length; i++) {
      if (i === sh.pdIdx) continue;
      const dev = sh.dev[i];
      // The blocks this rcw writes are those whose writers moved to `written` (one on a missing member
      // is not written, but its data still goes into parity).
      if (dev.written === null) continue;
      if (!(dev.flags & R5.UPTODATE)) assert(false, `stripe ${sh.sector}: dev ${i} is flagged up to date while its data drains`);
      for (let part: BioPart | null = dev.written; part !== null; part = part.next) this.copy(i, part, sh.slab.arena.memory, dev.pageOffset);
    }
  }

  /** Copies the part into its page, as the continuation of member i's run when it is one. */
  private copy(i: number, part: BioPart, target: ArrayBuffer, pageOffset: number): void {
    const run = this.runs[i];
    const source = part.tracker.bio.data;
    const targetOffset = pageOffset + part.pageOffsetBytes;
    const continues =
      run.source === source &&
      run.target === target &&
      run.sourceOffset + run.lengthBytes === part.bioOffsetBytes &&
      run.targetOffset + run.lengthBytes === targetOffset;
    if (continues) {
      run.lengthBytes += part.lengthBytes;
      return;
    }
    flush(run);
    run.source = source;
    run.sourceOffset = part.bioOffsetBytes;
    run.target = target;
    run.targetOffset = targetOffset;
    run.lengthBytes = part.lengthBytes;
    if (part.lengthBytes > STRIPE_BYTES) assert(false, 'a bio part fits one page');
  }
}
