/**
 * MdArray: the one facade the CLI, the scenario runner and the engine host use. It owns a running
 * Mddev (and through it the personality), pumps the md loop for synchronous callers, slices it for
 * asynchronous ones, and publishes snapshots, progress, trace batches and log lines.
 */
import * as path from 'node:path';
import type { EngineEvent, TraceEntry } from '../api/events';
import { TRACE_BATCH_MAX_ENTRIES } from '../api/events';
import type { ArraySnapshot } from '../api/snapshot';
import { createArray, type CreateOptions } from '../md/create';
import { MdRefusal } from '../md/errors';
import { assert } from '../util/assert';
import { type Clock, RealClock } from './clock';
import { addMember, failMember, removeMember } from './md/manage';
import type { Mddev } from './md/mddev';
import { mdstatStanza, mdstatText } from './md/mdstat';
import { MAX_SECTOR_NUM, type Rdev } from './md/rdev';
import { openImage, runArray, type PersonalityFactory } from './md/run-array';
import { snapshotOf, syncActionOf, syncCompletedOf, syncSpeedOf } from './md/snapshot';
import type { SyncActionRequest } from './md/flags';
import { createRaid5Personality } from './raid5';
import { TraceRing } from './trace';
import { type Bio, type MemberIoHooks, MdIoError, type SyncKind } from './types';
import type { BlockDevice } from '../format/blockdev';

export type MemberRef = number | string;

export interface MdArrayOptions {
  clock?: Clock;
  traceCapacity?: number;
  name?: string;
  /** The RAID4/5 personality; defaults to core/engine/raid5's. */
  personality?: PersonalityFactory;
  openDevice?: (imagePath: string) => BlockDevice;
  /** The fault layer's hooks around member I/O (PowerCutDomain submit/complete), given to md as mddev.memberIo. */
  memberIo?: MemberIoHooks | null;
  /**
   * The fault timeline over the members (core/faults/timeline.ts): polled at the start of every raid5d
   * pass, and its next time trigger is a wake-up of the md loop. Its write triggers fire from the
   * members' I/O observer by themselves; give it `array.syncProgress()` for progress triggers.
   */
  timeline?: FaultSchedule | null;
}

/** What MdArray needs of a FaultTimeline. */
export interface FaultSchedule {
  poll(): unknown;
  nextDueMs(): number | null;
}

/** Where the running sync is, for "at 30% of recovery" triggers. */
export interface SyncPosition {
  action: SyncKind;
  /** Done / total, in [0, 1]. */
  fraction: number;
}

/** memberIo with the timeline polled first on every pass (a power cut must precede the pass's I/O). */
function withTimeline(hooks: MemberIoHooks | null, timeline: FaultSchedule | null, clock: Clock): MemberIoHooks | null {
  if (timeline === null) return hooks;
  return {
    nowMs: () => clock.nowMs(),
    ...hooks,
    pass: () => {
      timeline.poll();
      hooks?.pass?.();
    },
  };
}

export interface SetOptions {
  speedLimitMin?: number | null;
  speedLimitMax?: number | null;
  stripeCacheSize?: number;
  syncMin?: number;
  /** null = "max". */
  syncMax?: number | null;
}

export type ArrayListener = (event: EngineEvent) => void;

/** The engine host yields to its event loop at least this often. */
export const SLICE_MS = 8;
/** Half of 10 Hz's period: events go out at the first slice boundary after it, so 100 ms gave fewer than 10 a second. */
const PROGRESS_INTERVAL_MS = 50;
/** Array I/O is cut into bios of this size so no single request pins the whole stripe cache. */
const BIO_BYTES = 1 << 20;
const BIOS_IN_FLIGHT = 4;
/** A command's after-effects take a few md passes; a bound keeps a stuck personality from hanging us. */
const PUMP_PASS_LIMIT = 10_000;
/** Enough busy slices for a sync over terabytes at speed_max in one virtual instant, far from a livelock. */
const MAX_BUSY_SLICES = 50_000_000;


/** Where the running sync is, as /proc/mdstat counts it: curr_resync less what is still in flight. */
function syncDoneSectors(m: Mddev, totalSectors: number): number {
  return Math.max(0, Math.min(m.currResync - m.recoveryActive, totalSectors));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
}

export class MdArray {
  readonly trace: TraceRing;
  /** --force changed what md started (events forced up, a dirty array marked clean): a journal must say so. */
  forcedAtAssembly = false;
  private readonly listeners = new Set<ArrayListener>();
  private lastTraceSeq = 0;
  private lastLogSeq = 0;
  private lastProgressMs = -Infinity;
  private lastSignature = '';
  private nextMemberIndex: number;

  private constructor(
    readonly mddev: Mddev,
    readonly clock: Clock,
    private readonly options: MdArrayOptions,
  ) {
    this.trace = mddev.trace;
    this.nextMemberIndex = Math.max(0, ...mddev.rdevs.map((r) => r.index + 1));
  }

  /** mdadm --create, then run it: the initial resync/recovery starts by itself unless assume-clean. */
  static create(dir: string, createOptions: CreateOptions, options: MdArrayOptions = {}): MdArray {
    const { plan, paths } = createArray(dir, createOptions);
    return MdArray.assemble(paths, { ...options, run: true, createdWithSpareTrickImage: plan.spareTrickImage });
  }

  /**
   * Starts the array from its images. `readOnly` starts it as md's start_ro does ("auto-read-only"):
   * nothing is written and no sync starts, for looking at images without changing them.
   */
  static assemble(imagePaths: readonly string[], options: MdArrayOptions & { run?: boolean; force?: boolean; readOnly?: boolean; createdWithSpareTrickImage?: number } = {}): MdArray {
    const clock = options.clock ?? new RealClock();
    const trace = new TraceRing(clock, options.traceCapacity);
    const personality = options.personality ?? createRaid5Personality;
    const { mddev, decision } = runArray(imagePaths, {
      run: options.run ?? true,
      force: options.force,
      name: options.name,
      clock,
      trace,
      createPersonality: personality,
      openDevice: options.openDevice,
      createdWithSpareTrickImage: options.createdWithSpareTrickImage,
    });
    mddev.readOnly = options.readOnly ?? false;
    mddev.memberIo = withTimeline(options.memberIo ?? null, options.timeline ?? null, clock);
    const array = new MdArray(mddev, clock, options);
    array.forcedAtAssembly = decision.forcedClean || decision.forcedEvents.length > 0;
    if (!mddev.readOnly) array.pump();
    return array;
  }

  // ---- members ----

  member(ref: MemberRef): Rdev {
    const rdev = this.mddev.rdevs.find((r) => (typeof ref === 'number' ? r.index === ref : r.name === ref || r.imagePath === ref));
    if (rdev === undefined) throw new MdRefusal(`${typeof ref === 'number' ? `member ${ref}` : ref} is not a member of ${this.mddev.name}.`);
    return rdev;
  }

  fail(ref: MemberRef): void {
    this.assertRunning();
    failMember(this.mddev, this.member(ref));
    this.pump();
  }

  remove(ref: MemberRef): void {
    this.assertRunning();
    const rdev = this.member(ref);
    // A failed member leaves its slot once md_check_recovery has run (after an interrupted sync is
    // reaped and its in-flight stripes are done), as it would have by the time a user types --remove.
    if (rdev.faulty) this.runUntilSync(() => rdev.raidDisk < 0 || this.mddev.quiescent());
    else this.pump();
    removeMember(this.mddev, rdev);
    this.formerIndex.set(rdev.imagePath, rdev.index);
    this.pump();
  }

  add(imagePath: string): Rdev {
    return this.addImage(imagePath, 'add');
  }

  reAdd(imagePath: string): Rdev {
    return this.addImage(imagePath, 're-add');
  }

  private addImage(imagePath: string, mode: 'add' | 're-add'): Rdev {
    this.assertRunning();
    const full = path.resolve(imagePath);
    const dev = (this.options.openDevice ?? openImage)(full);
    try {
      const known = this.knownIndex(full);
      const { rdev } = addMember(this.mddev, dev, full, known ?? this.nextMemberIndex, mode);
      if (known === null) this.nextMemberIndex++;
      this.pump();
      return rdev;
    } catch (err) {
      if (!this.mddev.rdevs.some((r) => r.dev === dev)) dev.close();
      throw err;
    }
  }

  private readonly formerIndex = new Map<string, number>();

  private knownIndex(imagePath: string): number | null {
    return this.formerIndex.get(imagePath) ?? null;
  }

  // ---- sysfs-like controls ----

  setSyncAction(action: SyncActionRequest): void {
    this.assertRunning();
    const m = this.mddev;
    const running = m.recovery.has('RUNNING');
    if (action === 'idle' || action === 'frozen') {
      if (action === 'frozen') m.recovery.add('FROZEN');
      else m.recovery.delete('FROZEN');
      if (running) m.recovery.add('INTR');
      m.recovery.add('NEEDED');
    } else {
      if (running) throw new MdRefusal(`echo ${action} > sync_action: Device or resource busy`);
      m.recovery.delete('FROZEN');
      if (action === 'check' || action === 'repair') {
        if (action === 'check') m.recovery.add('CHECK');
        m.recovery.add('REQUESTED');
        m.recovery.add('SYNC');
      } else if (action === 'recover') {
        m.recovery.add('RECOVER');
      }
      m.recovery.add('NEEDED');
    }
    this.pump();
  }

  set(options: SetOptions): void {
    const m = this.mddev;
    if (options.speedLimitMin !== undefined) m.speedLimitMinLocal = options.speedLimitMin;
    if (options.speedLimitMax !== undefined) m.speedLimitMaxLocal = options.speedLimitMax;
    if (options.stripeCacheSize !== undefined) {
      const n = options.stripeCacheSize;
      if (!Number.isInteger(n) || n < 17 || n > 32768) throw new MdRefusal(`echo ${n} > stripe_cache_size: Invalid argument`);
      m.pers?.setStripeCacheSize(n);
    }
    if (options.syncMin !== undefined) {
      const v = options.syncMin;
      if (m.recovery.has('RUNNING')) throw new MdRefusal(`echo ${v} > sync_min: Device or resource busy`);
      if (v % m.chunkSectors !== 0 || v > (m.resyncMax === MAX_SECTOR_NUM ? m.devSectors : m.resyncMax)) {
        throw new MdRefusal(`echo ${v} > sync_min: Invalid argument`);
      }
      m.resyncMin = v;
    }
    if (options.syncMax !== undefined) {
      const v = options.syncMax === null ? MAX_SECTOR_NUM : options.syncMax;
      if (v !== MAX_SECTOR_NUM && (v % m.chunkSectors !== 0 || v < m.resyncMin)) throw new MdRefusal(`echo ${v} > sync_max: Invalid argument`);
      m.resyncMax = v;
    }
    this.pump();
  }

  // ---- I/O ----

  /** Reads any byte range of the array (edges need not be sector aligned). */
  readSync(offsetBytes: number, lengthBytes: number): Uint8Array {
    const { first, buffer } = this.alignedRange(offsetBytes, lengthBytes);
    this.transfer('read', first, buffer);
    const skip = offsetBytes - first * 512;
    return buffer.subarray(skip, skip + lengthBytes);
  }

  writeSync(offsetBytes: number, data: Uint8Array): void {
    this.assertRunning();
    if (this.mddev.broken) throw new MdIoError(`${this.mddev.name}: array has failed, write refused`, Math.floor(offsetBytes / 512));
    const { first, buffer } = this.alignedRange(offsetBytes, data.byteLength, data);
    const skip = offsetBytes - first * 512;
    if (buffer === data) {
      this.transfer('write', first, buffer);
      return;
    }
    // Partial sectors: md only takes whole ones, so fetch the edges first.
    this.transfer('read', first, buffer);
    buffer.set(data, skip);
    this.transfer('write', first, buffer);
  }

  get sizeBytes(): number {
    return (this.mddev.pers?.arraySectors ?? 0) * 512;
  }

  /** `whole`: the caller's bytes, used as they are when they already cover whole sectors. */
  private alignedRange(offsetBytes: number, lengthBytes: number, whole?: Uint8Array): { first: number; buffer: Uint8Array } {
    assert(Number.isSafeInteger(offsetBytes) && offsetBytes >= 0 && Number.isSafeInteger(lengthBytes) && lengthBytes >= 0, 'byte range is a non-negative safe integer range');
    if (offsetBytes + lengthBytes > this.sizeBytes) {
      throw new MdRefusal(`${this.mddev.name}: ${lengthBytes} bytes at ${offsetBytes} reach past the end of the array (${this.sizeBytes} bytes).`);
    }
    const first = Math.floor(offsetBytes / 512);
    const last = Math.ceil((offsetBytes + lengthBytes) / 512);
    // md copies a write's bytes into stripe pages before the write returns, so they need no copy of their own.
    if (whole !== undefined && first * 512 === offsetBytes && (last - first) * 512 === lengthBytes) return { first, buffer: whole };
    return { first, buffer: new Uint8Array((last - first) * 512) };
  }

  /** Submits the range as bios of at most BIO_BYTES, a few in flight, pumping md until all complete. */
  private transfer(op: 'read' | 'write', firstSector: number, buffer: Uint8Array): void {
    this.assertRunning();
    const pers = this.mddev.pers;
    assert(pers !== null, 'a running array has a personality');
    let submitted = 0;
    let inFlight = 0;
    let error: MdIoError | null = null;
    for (;;) {
      while (submitted < buffer.byteLength && inFlight < BIOS_IN_FLIGHT && error === null) {
        const length = Math.min(BIO_BYTES, buffer.byteLength - submitted);
        const bio: Bio = {
          op,
          sector: firstSector + submitted / 512,
          data: buffer.subarray(submitted, submitted + length),
          endIo: (e) => {
            inFlight--;
            if (e !== null && error === null) error = e;
          },
        };
        inFlight++;
        submitted += length;
        this.mddev.otherIoSectors += length / 512;
        pers.makeRequest(bio);
      }
      if (inFlight === 0) break;
      const waitingFor = inFlight;
      this.runUntilSync(() => inFlight < waitingFor);
    }
    if (error !== null) throw error;
  }

  // ---- the loop ----

  /** One slice of md work (≤ budget), then publish what changed. For the engine host's loop. */
  runSlice(budgetMs = SLICE_MS, maxPasses?: number): { busy: boolean; nextWakeMs: number | null } {
    const ran = this.mddev.run(budgetMs, maxPasses);
    this.publish();
    const dueMs = this.options.timeline?.nextDueMs() ?? null;
    const result = dueMs === null ? ran : { busy: ran.busy, nextWakeMs: Math.min(ran.nextWakeMs ?? dueMs, dueMs) };
    if (syncCompletedOf(this.mddev) === null) return result;
    // Progress is due every PROGRESS_INTERVAL_MS while a sync runs, even while md_do_sync sleeps.
    const progressDueMs = this.lastProgressMs + PROGRESS_INTERVAL_MS;
    return { busy: result.busy, nextWakeMs: Math.min(result.nextWakeMs ?? progressDueMs, progressDueMs) };
  }

  /**
   * After a command: let md react (md_check_recovery, superblock writes, starting a sync) one pass at a
   * time, and hand back as soon as a sync runs, so the caller sees it from its first stripes.
   */
  private pump(): void {
    const m = this.mddev;
    for (let pass = 0; pass < PUMP_PASS_LIMIT && !m.quiescent(); pass++) {
      this.runSlice(SLICE_MS, 1);
      if (m.recovery.has('RUNNING') && !m.recovery.has('DONE')) return;
    }
  }

  /**
   * Runs md until `done()` holds. With a virtual clock, idle gaps jump to the next timer; with the real
   * clock they are slept. Throws when nothing could ever make `done()` true.
   */
  runUntilSync(done: () => boolean, timeoutMs = Number.POSITIVE_INFINITY): void {
    for (const wakeMs of this.slicesUntil(done, timeoutMs)) if (wakeMs !== null) this.waitUntil(wakeMs);
  }

  /** Async: same as runUntilSync but yields to the event loop between slices and while waiting. */
  async runUntil(done: () => boolean, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    for (const wakeMs of this.slicesUntil(done, timeoutMs)) {
      if (wakeMs === null) await this.yieldOnce();
      else if (this.clock.virtual) this.clock.advanceTo(wakeMs);
      else await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(wakeMs - this.clock.nowMs(), 50))));
    }
  }

  /**
   * The one loop behind runUntilSync and runUntil: runs slices until `done()`, yielding null when md is
   * still busy and the time of md's next timer when it is idle, for the caller to wait its own way.
   */
  private *slicesUntil(done: () => boolean, timeoutMs: number): Generator<number | null, void, void> {
    const startMs = this.clock.nowMs();
    let busySlices = 0;
    while (!done()) {
      const { busy, nextWakeMs } = this.runSlice(SLICE_MS);
      if (done()) return;
      if (this.clock.nowMs() - startMs > timeoutMs) throw new MdRefusal(`${this.mddev.name}: timed out after ${timeoutMs} ms`);
      if (busy) {
        // Under a virtual clock time stands still while md is busy; endless busy slices are a bug.
        assert(!this.clock.virtual || ++busySlices < MAX_BUSY_SLICES, 'md stays busy without progress under a virtual clock');
        yield null;
        continue;
      }
      busySlices = 0;
      if (nextWakeMs === null) throw new MdRefusal(`${this.mddev.name}: waiting for something md will never do`);
      yield nextWakeMs;
    }
  }

  /** Lets time pass (virtual: jump; real: sleep) while md keeps working. */
  sleepSync(ms: number): void {
    const until = this.clock.nowMs() + ms;
    for (;;) {
      const { busy, nextWakeMs } = this.runSlice(SLICE_MS);
      if (this.clock.nowMs() >= until) return;
      if (busy) continue;
      this.waitUntil(Math.min(until, nextWakeMs ?? until));
    }
  }

  private waitUntil(ms: number): void {
    if (this.clock.virtual) this.clock.advanceTo(ms);
    else sleepSync(Math.min(Math.max(0, ms - this.clock.nowMs()), 50));
  }

  /** Sync (if any) finished and nothing is in flight. */
  idle(): boolean {
    const m = this.mddev;
    return !m.recovery.has('RUNNING') && !m.recovery.has('NEEDED') && m.quiescent();
  }

  waitIdleSync(timeoutMs?: number): void {
    this.runUntilSync(() => this.idle(), timeoutMs);
  }

  private yieldOnce(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  // ---- stop ----

  /** mdadm --stop: interrupt any sync at a checkpoint, flush the bitmap, mark clean, close. */
  stop(): void {
    const m = this.mddev;
    if (m.stopped) return;
    m.recovery.add('FROZEN');
    if (m.recovery.has('RUNNING')) m.recovery.add('INTR');
    this.runUntilSync(() => !m.recovery.has('RUNNING') && (m.pers === null || m.pers.idle()));
    m.bitmap?.flush();
    if (!m.inSync || m.sbFlags.size > 0) {
      m.inSync = true;
      m.updateSb(true);
    }
    // A Faulty member is never written again (md_update_sb skips it), so it is not flushed either:
    // its device may be the very thing that failed.
    for (const rdev of m.rdevs) if (!rdev.faulty) rdev.dev.flush();
    for (const rdev of m.rdevs) rdev.dev.close();
    m.stopped = true;
    m.log(`md: ${m.name} stopped.`);
    this.publish(true);
  }

  /** The machine stops dead: nothing more reaches the members, no clean marking, no checkpoint. */
  crash(): void {
    const m = this.mddev;
    if (m.stopped) return;
    for (const rdev of m.rdevs) rdev.dev.close();
    m.stopped = true;
    m.log(`md: ${m.name}: the machine stopped without shutting the array down.`);
  }

  /** Lets go of the images without any md shutdown writes (for read-only looks). */
  close(): void {
    const m = this.mddev;
    if (m.stopped) return;
    assert(m.readOnly, 'only a read-only array is closed without a stop');
    for (const rdev of m.rdevs) rdev.dev.close();
    m.stopped = true;
  }

  private assertRunning(): void {
    if (this.mddev.stopped) throw new MdRefusal(`${this.mddev.name} is not running.`);
  }

  // ---- observing ----

  /** The running sync's position as /proc/mdstat counts it (curr_resync less what is in flight), or null. */
  syncProgress(): SyncPosition | null {
    const m = this.mddev;
    if (m.stopped) return null;
    const completed = syncCompletedOf(m);
    const action = syncActionOf(m);
    if (completed === null || completed.totalSectors === 0) return null;
    if (action !== 'resync' && action !== 'recover' && action !== 'check' && action !== 'repair') return null;
    return { action, fraction: syncDoneSectors(m, completed.totalSectors) / completed.totalSectors };
  }

  snapshot(): ArraySnapshot {
    return snapshotOf(this.mddev);
  }

  mdstat(): string {
    return mdstatText(this.mddev.stopped ? [] : [mdstatStanza(this.mddev)]);
  }

  subscribe(listener: ArrayListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what changed since the last call: trace batch, log lines, state, progress (≥ 10 Hz in a sync). */
  private publish(force = false): void {
    if (this.listeners.size === 0) {
      this.lastTraceSeq = this.trace.lastSeq;
      this.lastLogSeq = this.mddev.logSeq;
      if (this.clock.nowMs() - this.lastProgressMs >= PROGRESS_INTERVAL_MS) this.lastProgressMs = this.clock.nowMs();
      return;
    }
    const m = this.mddev;
    const now = this.clock.nowMs();
    if (this.trace.lastSeq > this.lastTraceSeq) {
      const records = this.trace.since(this.lastTraceSeq, TRACE_BATCH_MAX_ENTRIES);
      this.lastTraceSeq = this.trace.lastSeq;
      const entries: TraceEntry[] = records.map((r) => ({
        seq: r.seq,
        timeMs: Math.max(0, r.timeMs),
        fn: r.fn,
        sector: r.sector ?? null,
        detail: (r.flags && r.flags.length > 0 ? `${r.action} [${r.flags.join(' ')}]` : r.action).slice(0, 1024),
      }));
      this.emit({ type: 'trace', array: m.name, entries });
    }
    if (m.logSeq > this.lastLogSeq) {
      const fresh = Math.min(m.logSeq - this.lastLogSeq, m.logs.length);
      for (const line of m.logs.slice(m.logs.length - fresh)) {
        this.emit({ type: 'log', level: /failure|Cannot|error/i.test(line) ? 'warn' : 'info', timeMs: Math.max(0, now), message: line.slice(0, 4096) });
      }
      this.lastLogSeq = m.logSeq;
    }
    const completed = syncCompletedOf(m);
    if (completed !== null && now - this.lastProgressMs >= PROGRESS_INTERVAL_MS) {
      this.lastProgressMs = now;
      this.emit({
        type: 'progress',
        array: m.name,
        action: syncActionOf(m),
        doneSectors: syncDoneSectors(m, completed.totalSectors),
        totalSectors: completed.totalSectors,
        speedKibPerSec: syncSpeedOf(m),
      });
    }
    const signature = this.signature();
    if (force || signature !== this.lastSignature) {
      this.lastSignature = signature;
      this.emit({ type: 'state', snapshot: this.snapshot() });
    }
  }

  private signature(): string {
    const m = this.mddev;
    const members = m.rdevs.map((r) => `${r.index}:${r.raidDisk}:${[...r.flags].join(',')}`).join('|');
    return `${m.events}/${m.inSync}/${m.stopped}/${m.broken}/${[...m.recovery].sort().join(',')}/${members}/${m.mismatches}`;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
