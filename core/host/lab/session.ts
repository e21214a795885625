/**
 * The one open array of an engine host and the loop that drives it. The engine is synchronous, so the
 * loop runs it in slices of at most SLICE_MS and yields to the host's event loop between slices: requests
 * stay answerable mid-rebuild. Snapshots, progress and trace batches are throttled to a steady rate so a
 * window sees >= 10 updates per second during a sync and is never flooded.
 */
import { TRACE_BATCH_MAX_ENTRIES, type ArraySnapshot, type EngineEvent, type LabFault, type LabTrigger, type ManageAction, type MemberFaults, type TraceEntry } from '../../api';
import type { FaultSpecInput } from '../../faults';
import { assert } from '../../util/assert';

/** Longest the engine may hold the host's thread before requests get a turn (ARCHITECTURE: <= 8 ms). */
export const SLICE_MS = 8;
/** 25 Hz: comfortably above the monitor's 10 updates/s, far below what would flood a socket. */
export const STATE_EVERY_MS = 40;
export const TRACE_EVERY_MS = 100;
/** An idle array still wakes for safemode and bitmap timers; never sleep longer than this. */
const IDLE_WAKE_MAX_MS = 500;

/** What the session needs of a running array: the engine facade, seen through one narrow seam. */
export interface LabArray {
  snapshot(): ArraySnapshot;
  /** Run the engine for at most budgetMs; busy means more work is queued right now. */
  run(budgetMs: number): { busy: boolean; nextWakeMs: number | null };
  /**
   * Where the running sync is, as /proc/mdstat counts it (curr_resync less what is in flight): finer than
   * sysfs sync_completed, which only moves at md_do_sync's checkpoints. The latest the engine reported
   * (it may belong to a sync that has ended: the session checks it against the snapshot).
   */
  progress(): { action: ArraySnapshot['syncAction']; doneSectors: number; totalSectors: number; speedKibPerSec: number } | null;
  /** How far the running sync has issued requests right now (md's curr_resync), or null: what a journal anchor records. */
  syncPosition(): number | null;
  /** Trace steps newer than afterSeq, oldest first, at most limit. */
  traceSince(afterSeq: number, limit: number): TraceEntry[];
  /** How often each trace step has run since the array started, kept in the trace or not. */
  traceSeen(): Record<string, number>;
  /** The assembly that started it was forced (mdadm --force changed events or marked it clean). */
  readonly forcedAtAssembly: boolean;
  /** Kernel log lines newer than afterSeq (dmesg), oldest first. */
  logSince(afterSeq: number): { seq: number; timeMs: number; message: string }[];
  /** Array I/O through md (the engine completes the bios before returning). */
  read(offsetBytes: number, lengthBytes: number): Uint8Array;
  write(offsetBytes: number, data: Uint8Array): void;
  /** mdadm --fail/--remove/--add/--re-add on a member by index; md's refusals throw MdRefusal. */
  manage(action: ManageAction, member: number): void;
  setSyncAction(action: SyncActionWrite): void;
  /** The fault layer under each member: what is injected, and inject/clear by image number. */
  faults(): MemberFaults[];
  /** Now, or scheduled on the fault timeline when `when` is given. */
  inject(member: number, fault: LabFault, when?: LabTrigger): void;
  /** Now, in the fault layer's own spelling (core/faults/spec.ts), as scenarios and guided labs write it. */
  injectSpec(member: number, spec: FaultSpecInput): void;
  /** `pending`: cancel scheduled fault `id` instead of clearing an active one. */
  clearFault(member: number, id: number, pending?: boolean): void;
  setSpeedLimits(minKibPerSec: number, maxKibPerSec: number): void;
  /** sysfs sync_min / sync_max (null: "max"); md's refusals throw MdRefusal. */
  setSyncRange(range: { syncMin?: number; syncMax?: number | null }): void;
  stop(): void;
  /** The machine stops dead: nothing more reaches the members, no clean marking, no checkpoint. */
  crash(): void;
}

export type SyncActionWrite = 'idle' | 'frozen' | 'check' | 'repair' | 'resync' | 'recover';

export class LabSession {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private lastStateMs = 0;
  private lastTraceMs = 0;
  private traceSeq = 0;
  private logSeq = 0;
  private closed = false;
  /** Why the loop stopped driving the engine, if it did. */
  stalled: string | null = null;

  constructor(
    readonly id: string,
    readonly array: LabArray,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    this.schedule(0);
  }

  /** After a user action: show its effect now, and make sure the loop picks up the work it queued. */
  poke(): ArraySnapshot {
    assert(!this.closed, 'poke on a closed session');
    const snapshot = this.array.snapshot();
    this.publish(snapshot, Date.now(), true);
    this.schedule(0);
    return snapshot;
  }

  close(): void {
    if (this.halt()) this.array.stop();
  }

  crash(): void {
    if (this.halt()) this.array.crash();
  }

  /** Stops driving the engine; false when already stopped. */
  private halt(): boolean {
    if (this.closed) return false;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    // setImmediate between busy slices lets pending requests and socket writes run first.
    if (delayMs <= 0) this.immediate = setImmediate(() => this.tick());
    else this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.immediate = null;
    this.timer = null;
    if (this.closed) return;
    let outcome: { busy: boolean; nextWakeMs: number | null };
    let syncing = false;
    try {
      outcome = this.array.run(SLICE_MS);
      // The same test as the snapshot's sync_completed, without building a snapshot every slice.
      syncing = this.array.syncPosition() !== null;
      const nowMs = Date.now();
      if (nowMs - this.lastStateMs >= STATE_EVERY_MS || nowMs - this.lastTraceMs >= TRACE_EVERY_MS) this.publish(this.array.snapshot(), nowMs, false);
    } catch (err) {
      // A throw here would kill the engine host; the array stops running and the UI is told why.
      this.stalled = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'log', level: 'error', timeMs: Date.now(), message: `${this.id}: the engine stopped running this array: ${this.stalled}` });
      return;
    }
    const { busy, nextWakeMs } = outcome;
    if (busy) return this.schedule(0);
    // A throttled sync sleeps in md_do_sync, but its window must still see progress at the monitor's rate.
    const maxWaitMs = syncing ? STATE_EVERY_MS : IDLE_WAKE_MAX_MS;
    const waitMs = nextWakeMs === null ? maxWaitMs : Math.min(maxWaitMs, Math.max(1, nextWakeMs));
    this.schedule(waitMs);
  }

  private publish(snapshot: ArraySnapshot, nowMs: number, force: boolean): void {
    if (force || nowMs - this.lastStateMs >= STATE_EVERY_MS) {
      this.lastStateMs = nowMs;
      this.emit({ type: 'state', snapshot });
      const progress = snapshot.syncCompleted ? this.array.progress() : null;
      if (progress && progress.action === snapshot.syncAction) this.emit({ type: 'progress', array: this.id, ...progress });
    }
    if (force || nowMs - this.lastTraceMs >= TRACE_EVERY_MS) {
      this.lastTraceMs = nowMs;
      this.flushTrace();
      this.flushLog();
    }
  }

  private flushTrace(): void {
    const entries = this.array.traceSince(this.traceSeq, TRACE_BATCH_MAX_ENTRIES);
    if (entries.length === 0) return;
    this.traceSeq = entries[entries.length - 1].seq;
    this.emit({ type: 'trace', array: this.id, entries, seen: this.array.traceSeen() });
  }

  private flushLog(): void {
    for (const line of this.array.logSince(this.logSeq)) {
      this.logSeq = line.seq;
      this.emit({ type: 'log', level: 'info', timeMs: line.timeMs, message: line.message });
    }
  }
}
