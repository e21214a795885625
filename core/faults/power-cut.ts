/**
 * PowerCutDomain: what a power cut does to the members. Member I/O is synchronous, so a write's bytes are
 * in the image the moment the engine issues it; the domain therefore keeps an undo record (the bytes the
 * write replaced) from submit until the engine's in-flight queue completes the write. At the cut, every
 * write still in flight is dropped — its undo record put back — unless the seed says it reached the
 * platter anyway. Writes already completed stay. That is how one stripe ends with new data on some
 * members and old data on others: the RAID5 write hole.
 *
 * Hook for the engine (see docs/ARCHITECTURE.md, "Fault layer"):
 *   token = domain.submit(member, offsetBytes, lengthBytes)   right BEFORE member.writev(...)
 *   domain.complete(token)                                     when the write's bi_end_io runs
 * A write either reaches the platter whole or not at all (no torn sectors): md's write hole needs no more.
 */
import { assert, assertSafeInteger } from '../util/assert';
import type { FaultyDevice } from './faulty-device';
import { Prng } from './prng';

export interface PowerCutOptions {
  seed: number;
  /** The members, by index, as the engine sees them. */
  members: readonly FaultyDevice[];
  /** Chance that a write in flight at the cut reached the platter anyway; 0 drops every one. */
  survivalProbability?: number;
  /** Undo records are bounded by the engine's in-flight I/O (the stripe cache); more is an engine bug. */
  maxInFlightBytes?: number;
}

export interface InFlightWrite {
  readonly token: number;
  readonly member: number;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly submittedMs: number;
}

interface UndoRecord extends InFlightWrite {
  /** The bytes the write replaced, or null when the image was out of reach (the write cannot land). */
  readonly before: Uint8Array | null;
}

export interface PowerCutReport {
  timeMs: number;
  seed: number;
  survivalProbability: number;
  /** Every write in flight at the cut, in submit order, with what became of it. */
  writes: (InFlightWrite & { outcome: 'dropped' | 'persisted' })[];
}

const DEFAULT_MAX_IN_FLIGHT_BYTES = 256 * 1024 * 1024;

/**
 * Thrown out of the engine at a scheduled power cut (FaultTimeline haltOnPowerCut): the machine stops
 * dead at that instant, so nothing after it runs. Whoever drives the engine catches it and abandons
 * the engine (MdArray.crash); the images hold what the cut left.
 */
export class PowerCutHalt extends Error {
  override name = 'PowerCutHalt';
  constructor(readonly report: PowerCutReport) {
    super(`power cut at ${report.timeMs} ms`);
  }
}

export class PowerCutDomain {
  private readonly prng: Prng;
  private readonly pending = new Map<number, UndoRecord>();
  private nextToken = 1;
  private pendingBytes = 0;
  private cutReport: PowerCutReport | null = null;
  readonly survivalProbability: number;
  private readonly maxInFlightBytes: number;

  constructor(private readonly options: PowerCutOptions) {
    this.prng = Prng.derive(options.seed, 'power-cut');
    this.survivalProbability = options.survivalProbability ?? 0;
    assert(this.survivalProbability >= 0 && this.survivalProbability <= 1, 'survival probability is in [0, 1]');
    this.maxInFlightBytes = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
  }

  get hasCut(): boolean {
    return this.cutReport !== null;
  }

  get report(): PowerCutReport | null {
    return this.cutReport;
  }

  inFlight(): InFlightWrite[] {
    return [...this.pending.values()].map(({ before: _, ...w }) => w);
  }

  /** Call right before issuing a member write; returns the token to complete it with. */
  submit(member: number, offsetBytes: number, lengthBytes: number, nowMs = 0): number {
    assert(member >= 0 && member < this.options.members.length, `member ${member} belongs to the domain`);
    assertSafeInteger(offsetBytes, 'offsetBytes');
    assertSafeInteger(lengthBytes, 'lengthBytes');
    for (const w of this.pending.values()) {
      // md holds a stripe locked while its writes are out, so two writes to the same member sectors are
      // never in flight together; allowing it would make "which one reached the platter" ill-defined.
      assert(
        w.member !== member || w.offsetBytes + w.lengthBytes <= offsetBytes || offsetBytes + lengthBytes <= w.offsetBytes,
        `overlapping writes in flight on member ${member} at byte ${offsetBytes}`,
      );
    }
    assert(this.pendingBytes + lengthBytes <= this.maxInFlightBytes, `in-flight writes stay below ${this.maxInFlightBytes} bytes`);
    this.pendingBytes += lengthBytes;
    const dev = this.options.members[member];
    let before: Uint8Array | null = null;
    if (!this.hasCut && dev.imageReachable && offsetBytes + lengthBytes <= dev.sizeBytes) {
      // Not zero-filled first: the read below fills every byte or throws, and this runs for every member write.
      const bytes = Buffer.allocUnsafe(lengthBytes);
      dev.withImage((image) => image.read(bytes, offsetBytes));
      before = bytes;
    }
    const token = this.nextToken++;
    this.pending.set(token, { token, member, offsetBytes, lengthBytes, submittedMs: nowMs, before });
    return token;
  }

  /** Call when the write completes (success or error): from now on a cut cannot take it back. */
  complete(token: number): void {
    const w = this.pending.get(token);
    if (!w) {
      // After a cut the engine may still unwind its queue; those writes are already settled.
      assert(this.hasCut, `write token ${token} is in flight`);
      return;
    }
    this.pending.delete(token);
    this.pendingBytes -= w.lengthBytes;
  }

  /**
   * The power goes: in-flight writes are dropped (or, by the seed, kept) and every member goes dark.
   * `survivalProbability` overrides the domain's default for this cut (the timeline records it).
   */
  cut(nowMs: number, survivalProbability: number = this.survivalProbability): PowerCutReport {
    assert(!this.hasCut, 'the power is cut once');
    assert(survivalProbability >= 0 && survivalProbability <= 1, 'survival probability is in [0, 1]');
    const writes: PowerCutReport['writes'] = [];
    // One draw per write, in submit order, so a seed names one outcome whatever the probability.
    for (const w of [...this.pending.values()].sort((a, b) => a.token - b.token)) {
      let persisted = this.prng.nextFloat() < survivalProbability;
      const dev = this.options.members[w.member];
      if (!persisted && w.before !== null) {
        const before = w.before;
        // An unplugged image that cannot be reopened keeps what it got: say so rather than pretend.
        if (dev.imageReachable) dev.withImage((image) => image.write(before, w.offsetBytes));
        else persisted = true;
      }
      const { before: _, ...view } = w;
      writes.push({ ...view, outcome: persisted ? 'persisted' : 'dropped' });
    }
    for (const dev of this.options.members) dev?.powerOff(); // members may be attached sparsely (by image number)
    this.pending.clear();
    this.pendingBytes = 0;
    this.cutReport = { timeMs: nowMs, seed: this.options.seed, survivalProbability, writes };
    return this.cutReport;
  }
}
