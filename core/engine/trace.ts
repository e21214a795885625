/**
 * The trace of kernel-named steps (raid5d, md_check_recovery, md_do_sync, sync_request, handle_stripe,
 * ...) kept for a UI timeline. A resync handles tens of thousands of stripes per second, so the trace
 * must never flood its reader nor grow without bound: a fixed-size ring buffer, per-step switches,
 * 1-in-N sampling of the hot steps, and counters that aggregate everything seen, kept or not.
 */
import { assert } from '../util/assert';
import type { Clock } from './clock';
import type { TraceEvent, TraceSink } from './types';

export type TraceFn = TraceEvent['fn'];

export const TRACE_FNS: readonly TraceFn[] = [
  'raid5d', 'md_check_recovery', 'md_do_sync', 'sync_request', 'handle_stripe', 'md_update_sb', 'md_error', 'bitmap_daemon',
];

/** TRACE_FNS position of a step; a switch on the callers' constant strings beats a keyed property lookup. */
function fnIndex(fn: TraceFn): number {
  switch (fn) {
    case 'raid5d': return 0;
    case 'md_check_recovery': return 1;
    case 'md_do_sync': return 2;
    case 'sync_request': return 3;
    case 'handle_stripe': return 4;
    case 'md_update_sb': return 5;
    case 'md_error': return 6;
    case 'bitmap_daemon': return 7;
  }
  assert(false, `${fn as string} is a trace step`);
}

TRACE_FNS.forEach((fn, k) => assert(fnIndex(fn) === k, `trace step ${fn} has index ${k}`));

export interface TraceRecord extends TraceEvent {
  /** Increasing across the life of the ring, so a reader can ask for "everything after seq". */
  seq: number;
}

export interface TraceControls {
  /** Steps not listed keep their current switch. */
  enabled?: Partial<Record<TraceFn, boolean>>;
  /** Keep one event in N for that step (1 = keep all). */
  sampleEvery?: Partial<Record<TraceFn, number>>;
}

export const DEFAULT_TRACE_CAPACITY = 4096;
const MAX_TRACE_CAPACITY = 1 << 20;

/** The hot steps run once per stripe; keeping all of them would drown the rare decisions. */
const DEFAULT_SAMPLE_EVERY: Record<TraceFn, number> = {
  raid5d: 64,
  md_check_recovery: 1,
  md_do_sync: 1,
  sync_request: 256,
  handle_stripe: 256,
  md_update_sb: 1,
  md_error: 1,
  bitmap_daemon: 1,
};

/** Distinct action shapes aggregate() keeps apart; bounds the table whatever the engine says. */
export const MAX_ACTION_SHAPES = 512;

export class TraceRing implements TraceSink {
  private readonly ring: (TraceRecord | undefined)[];
  private nextSeq = 1;
  /**
   * Per step, indexed by TRACE_FNS position: wants() runs several times per stripe, so its counters
   * are typed-array slots rather than Map entries (four Map operations per call were a tenth of a check).
   */
  private readonly enabled = new Uint8Array(TRACE_FNS.length);
  private readonly sampleEvery = new Float64Array(TRACE_FNS.length);
  private readonly seenCount = new Float64Array(TRACE_FNS.length);
  /** seenCount modulo sampleEvery, kept by counting: a float modulo per call cost more than the rest of wants(). */
  private readonly samplePhase = new Float64Array(TRACE_FNS.length);
  private readonly keptCount = new Map<string, number>();
  /** Per step, the keptCount key of each action text met so far: most texts recur, and working the key out was most of emit(). */
  private readonly keyOfAction: Map<string, string>[] = TRACE_FNS.map(() => new Map());

  constructor(
    private readonly clock: Clock,
    readonly capacity = DEFAULT_TRACE_CAPACITY,
  ) {
    assert(Number.isInteger(capacity) && capacity > 0 && capacity <= MAX_TRACE_CAPACITY, `trace capacity ${capacity} out of range`);
    this.ring = new Array(capacity);
    TRACE_FNS.forEach((fn, k) => {
      this.enabled[k] = 1;
      this.sampleEvery[k] = DEFAULT_SAMPLE_EVERY[fn];
    });
  }

  configure(controls: TraceControls): void {
    for (const [fn, on] of Object.entries(controls.enabled ?? {}) as [TraceFn, boolean][]) this.enabled[fnIndex(fn)] = on ? 1 : 0;
    for (const [fn, n] of Object.entries(controls.sampleEvery ?? {}) as [TraceFn, number][]) {
      assert(Number.isInteger(n) && n >= 1, `sampleEvery for ${fn} must be a positive integer`);
      const k = fnIndex(fn);
      this.sampleEvery[k] = n;
      this.samplePhase[k] = this.seenCount[k] % n;
    }
  }

  controls(): Required<TraceControls> {
    return {
      enabled: Object.fromEntries(TRACE_FNS.map((fn, k) => [fn, this.enabled[k] === 1])) as Record<TraceFn, boolean>,
      sampleEvery: Object.fromEntries(TRACE_FNS.map((fn, k) => [fn, this.sampleEvery[k]])) as Record<TraceFn, number>,
    };
  }

  /** Counts every call, so the aggregate stays exact even for steps that are sampled away. */
  wants(fn: TraceFn): boolean {
    const k = fnIndex(fn);
    this.seenCount[k]++;
    const phase = this.samplePhase[k];
    this.samplePhase[k] = phase + 1 === this.sampleEvery[k] ? 0 : phase + 1;
    return this.enabled[k] === 1 && phase === 0;
  }

  emit(event: Omit<TraceEvent, 'timeMs'>): void {
    // Field by field: spreading events of several shapes took V8's slow path, ~5 us an event.
    const record: TraceRecord = { fn: event.fn, action: event.action, timeMs: this.clock.nowMs(), seq: this.nextSeq++ };
    if (event.sector !== undefined) record.sector = event.sector;
    if (event.member !== undefined) record.member = event.member;
    if (event.flags !== undefined) record.flags = event.flags;
    this.ring[record.seq % this.capacity] = record;
    this.countKept(event.fn, event.action);
  }

  /**
   * Actions carry numbers (sectors, counts), so they are counted by their shape ("handled N stripes"): a
   * long sync would otherwise grow the table by one key per pass. Shapes past the cap share one key.
   */
  private countKept(fn: TraceFn, action: string): void {
    const keys = this.keyOfAction[fnIndex(fn)];
    let key = keys.get(action);
    if (key === undefined) {
      key = `${fn}: ${action.replace(/\d+/g, 'N')}`;
      if (!this.keptCount.has(key) && this.keptCount.size >= MAX_ACTION_SHAPES) key = `${fn}: (other)`;
      // Texts with numbers in them rarely recur; the bound keeps them from filling memory.
      if (keys.size < MAX_ACTION_SHAPES) keys.set(action, key);
    }
    this.keptCount.set(key, (this.keptCount.get(key) ?? 0) + 1);
  }

  /** The newest sequence number handed out (0 before the first event). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Kept events newer than `afterSeq`, oldest first; older ones may have been overwritten. */
  since(afterSeq: number, limit = this.capacity): TraceRecord[] {
    const first = Math.max(afterSeq + 1, this.nextSeq - this.capacity);
    const out: TraceRecord[] = [];
    for (let seq = first; seq < this.nextSeq && out.length < limit; seq++) {
      const record = this.ring[seq % this.capacity];
      if (record !== undefined && record.seq === seq) out.push(record);
    }
    return out;
  }

  /** How often each step ran, kept or sampled away. */
  seen(): Record<TraceFn, number> {
    return Object.fromEntries(TRACE_FNS.map((fn, k) => [fn, this.seenCount[k]])) as Record<TraceFn, number>;
  }

  /** How often each step ran (whether kept or not), and how often each kept action was chosen. */
  aggregate(): { seen: Record<TraceFn, number>; actions: Record<string, number> } {
    return { seen: this.seen(), actions: Object.fromEntries(this.keptCount) };
  }
}
