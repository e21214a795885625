/**
 * Runs a scenario headless against the real engine under a virtual clock: every step in order, progress
 * printed as mdstat prints it, stopping at the first expectation that does not hold. Same seed, same
 * images, same trace: a scenario is a repeatable experiment (labs, grading, our own tests).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ArraySnapshot } from '../api/snapshot';
import { MdArray, type MdArrayOptions, type SyncPosition } from '../engine/array';
import { type Clock, VirtualClock } from '../engine/clock';
import { statusResync } from '../engine/md/mdstat';
import type { SyncActionRequest } from '../engine/md/flags';
import { MdIoError } from '../engine/types';
import { type FaultJournal, FaultError, type FaultSpecInput, ImageFaultLayer, PowerCutHalt, type PowerCutReport, Prng, type TimelineActionInput } from '../faults';
import { FileBlockDevice } from '../format/blockdev';
import { fillLbaPattern } from '../format/lba-pattern';
import { parseLayout } from '../format/layout';
import type { CreateOptions } from '../md/create';
import { parseSizeBytes } from '../util/units';
import { checkExpectation, detailState } from './expect';
import { durationMs, parseScenario, type Scenario, ScenarioError, type Step, stepVerb } from './schema';
import { triggerOfWhen } from './when';

/** Steps another layer performs (the fault layer's inject, clear, crash, power-cut). */
export type ExtraStepHandler = (verb: string, value: unknown, array: MdArray | null) => boolean;

export interface RunScenarioOptions {
  /** Where `array.dir` is resolved from: the scenario file's folder. */
  baseDir: string;
  /** Replace `array.dir` (tests run scenarios in temporary folders). */
  arrayDir?: string;
  clock?: Clock;
  out?: (line: string) => void;
  engine?: Omit<MdArrayOptions, 'clock'>;
  extraSteps?: ExtraStepHandler;
  /** Longest a `wait` may take, in engine milliseconds. */
  waitLimitMs?: number;
}

export interface ScenarioResult {
  ok: boolean;
  /** Index of the step that failed, or -1. */
  failedStep: number;
  failure: string | null;
  steps: number;
  finalSnapshot: ArraySnapshot | null;
  /** The fault timeline's journal of each array the run started (what was applied, when, at which I/O). */
  faultJournals: FaultJournal[];
}

const DEFAULT_TAG = 'mdlab';
/** Images made by a scenario carry this creation time, so equal seeds make equal images. */
const SCENARIO_EPOCH_SECONDS = 1_767_225_600;

/** A step ran but what it expected does not hold (or it could not run): the scenario's verdict. */
export class StepFailure extends Error {
  override name = 'StepFailure';
}

function sizeOf(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const bytes = typeof value === 'string' ? parseSizeBytes(value, 1) : null;
  if (bytes === null) throw new ScenarioError(`${what} must be a size like 4096, 64K or 8M, got ${JSON.stringify(value)}`);
  return bytes;
}

export function createOptionsOf(s: Scenario): CreateOptions {
  const a = s.array;
  return {
    level: a.level,
    raidDevices: a['raid-devices'],
    spareDevices: a['spare-devices'] ?? 0,
    layout: a.layout === undefined || a.level === 4 ? undefined : parseLayout(a.layout),
    chunkKib: a.chunk === undefined ? undefined : sizeOf(typeof a.chunk === 'number' ? `${a.chunk}K` : a.chunk, 'chunk') / 1024,
    memberBytes: sizeOf(a.size, 'size'),
    bitmap: a.bitmap,
    assumeClean: a['assume-clean'] ?? false,
    name: s.name.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 26),
    homehost: 'mdlab',
    nowSeconds: SCENARIO_EPOCH_SECONDS,
    setUuid: uuidFrom(Prng.derive(s.seed, 'set-uuid')),
    deviceUuid: (i) => uuidFrom(Prng.derive(s.seed, `device-uuid-${i}`)),
  };
}

function uuidFrom(prng: Prng): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setUint32(i * 4, prng.nextU32());
  return bytes;
}

export function runScenarioFile(file: string, options: Partial<RunScenarioOptions> = {}): ScenarioResult {
  const scenario = parseScenario(fs.readFileSync(file, 'utf8'), path.basename(file));
  return runScenario(scenario, { baseDir: path.dirname(path.resolve(file)), ...options });
}

export function runScenario(s: Scenario, options: RunScenarioOptions): ScenarioResult {
  const run = new ScenarioSteps(s, options);
  return run.execute();
}

/**
 * The one implementation of every scenario verb. `mdlab run` drives it over a whole scenario; a live
 * session (core/session) can attach its own MdArray and perform single steps with it.
 */
export class ScenarioSteps {
  private array: MdArray | null = null;
  private readonly clock: Clock;
  private readonly dir: string;
  private readonly out: (line: string) => void;
  private lastProgressLine = '';

  constructor(
    private readonly s: Scenario,
    private readonly options: RunScenarioOptions,
  ) {
    this.clock = options.clock ?? new VirtualClock();
    this.dir = options.arrayDir ?? path.resolve(options.baseDir, s.array.dir);
    this.out = options.out ?? (() => {});
  }

  /** Use an array someone else assembled (a session's, with its fault layer around the members). */
  attach(array: MdArray | null): void {
    this.array = array;
  }

  get current(): MdArray | null {
    return this.array;
  }

  /** Performs one step; throws StepFailure when its expectation does not hold. */
  perform(step: Step): void {
    const { verb, value } = stepVerb(step);
    try {
      this.stepUntilPowerCut(verb, value);
    } catch (err) {
      if (err instanceof ScenarioError) throw new StepFailure(err.message);
      throw err;
    }
  }

  execute(): ScenarioResult {
    this.out(`scenario ${this.s.name} (seed ${this.s.seed}), array in ${this.dir}`);
    let index = 0;
    try {
      for (; index < this.s.steps.length; index++) {
        const { verb, value } = stepVerb(this.s.steps[index]);
        this.out(`step ${index + 1}: ${verb}${value === null || value === undefined ? '' : ` ${JSON.stringify(value)}`}`);
        this.stepUntilPowerCut(verb, value);
      }
    } catch (err) {
      const failure = err instanceof StepFailure || err instanceof ScenarioError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
      this.out(`FAILED at step ${index + 1}: ${failure}`);
      const finalSnapshot = this.snapshotOrNull();
      this.stopQuietly();
      return { ok: false, failedStep: index, failure, steps: index, finalSnapshot, faultJournals: this.faultJournals() };
    }
    const finalSnapshot = this.snapshotOrNull();
    if (this.array && !this.array.mddev.stopped) this.out(this.array.mdstat().trimEnd());
    this.stopQuietly();
    this.out(`scenario ${this.s.name}: every expectation held`);
    return { ok: true, failedStep: -1, failure: null, steps: this.s.steps.length, finalSnapshot, faultJournals: this.faultJournals() };
  }

  private snapshotOrNull(): ArraySnapshot | null {
    return this.array === null ? null : this.array.snapshot();
  }

  private stopQuietly(): void {
    try {
      this.array?.stop();
    } catch {
      // The run's verdict is already decided; a failed array may refuse a clean stop.
    }
  }

  /**
   * The fault layer of the running array: a FaultyDevice under every member, one power supply (a
   * `power-cut` loses their writes in flight) and a timeline for faults scheduled with `when`. A new
   * one per create/assemble, as a reboot brings fresh device-mapper tables; every one's journal is kept.
   */
  private faults: ImageFaultLayer | null = null;
  private readonly journals: (() => FaultJournal)[] = [];

  private faultJournals(): FaultJournal[] {
    return this.journals.map((journal) => journal());
  }

  private engineOptions(): MdArrayOptions {
    const layer: ImageFaultLayer = new ImageFaultLayer({
      seed: this.s.seed,
      clock: () => this.clock.nowMs(),
      open: (imagePath) => FileBlockDevice.open(imagePath, { readOnly: false }),
      memberOf: (imagePath) => this.memberNumber(path.basename(imagePath)),
      progress: (): SyncPosition | null => (this.faults === layer ? (this.array?.syncProgress() ?? null) : null),
      haltOnPowerCut: true,
    });
    this.faults = layer;
    this.journals.push(() => layer.timeline.journal());
    return { openDevice: layer.openDevice, memberIo: layer.memberIo(), timeline: layer.timeline, ...this.options.engine, clock: this.clock, name: 'md0' };
  }

  /** A step; a power cut scheduled on the timeline stops the machine dead in the middle of it. */
  private stepUntilPowerCut(verb: string, value: unknown): void {
    try {
      this.step(verb, value);
    } catch (err) {
      if (!(err instanceof PowerCutHalt)) throw err;
      this.machineDied(err.report);
    }
  }

  /** After a cut: say what it took, then the machine is dead, as after `crash`. */
  private machineDied(report: PowerCutReport): void {
    const array = this.need();
    const lost = report.writes.filter((w) => w.outcome === 'dropped');
    const kept = report.writes.length - lost.length;
    const members = [...new Set(lost.map((w) => w.member))].sort((a, b) => a - b);
    array.mddev.log(
      `power cut at ${report.timeMs} ms: ${lost.length} member write(s) in flight lost${members.length ? ` (member ${members.join(', ')})` : ''}, ${kept} reached the disk.`,
    );
    array.crash();
  }

  private layer(): ImageFaultLayer {
    this.need();
    if (this.faults === null) throw new StepFailure('faults need the array to have been started by this run');
    return this.faults;
  }

  /** Applies a fault-layer action now, or schedules it when `when` names a moment. Refusals are the step's failure. */
  private timelineStep(action: TimelineActionInput, when: unknown, member: number | null): void {
    const timeline = this.layer().timeline;
    try {
      const trigger = triggerOfWhen(when, member);
      if (trigger === null) timeline.apply(action);
      else timeline.schedule(action, trigger);
    } catch (err) {
      if (err instanceof FaultError) throw new StepFailure(err.message);
      if (err instanceof z.ZodError) throw new ScenarioError(`${err.issues[0].path.join('.') || 'fault'}: ${err.issues[0].message}`);
      throw err;
    }
  }

  /** `inject: {member, fault, when?}`. */
  private inject(spec: Record<string, unknown>): void {
    const member = this.memberNumber(spec.member);
    this.timelineStep({ op: 'inject', member, spec: spec.fault as FaultSpecInput }, spec.when, member);
  }

  /**
   * `clear: {member, fault?: id, pending?: id, when?}`: every fault, one fault, or cancel a scheduled one. A
   * scheduled power cut belongs to no member: `pending` cancels it whichever member the step names.
   */
  private clear(spec: Record<string, unknown>): void {
    const member = this.memberNumber(spec.member);
    if (spec.pending !== undefined) {
      if (spec.when !== undefined || spec.fault !== undefined) throw new ScenarioError('clear {pending} cancels a scheduled fault at once, alone');
      const timeline = this.layer().timeline;
      const id = Number(spec.pending);
      if (!timeline.pending().some((p) => p.id === id && (p.action.op === 'power-cut' || p.action.member === member))) {
        throw new StepFailure(`member ${member} has no scheduled fault #${id}`);
      }
      timeline.cancel(id);
      return;
    }
    const faultId = spec.fault === undefined ? null : Number(spec.fault);
    this.timelineStep({ op: 'clear', member, faultId }, spec.when, member);
  }

  /**
   * The power fails. With `during-write`, that write is handed to md first and md runs for `after` (logical
   * time): member writes not completed by then are lost (a member under a delay fault completes later), so a
   * stripe can end with new data and old parity. `survival` is the chance a write in flight reached the disk
   * anyway (seeded). Then the machine is dead, as after `crash`. With `when`, the cut is scheduled instead and
   * stops the machine in whatever step is running when it fires.
   */
  private powerCutStep(spec: Record<string, unknown>): void {
    const array = this.need();
    const survivalProbability = typeof spec.survival === 'number' ? spec.survival : 0;
    const during = spec['during-write'] as Record<string, unknown> | undefined;
    if (spec.when !== undefined) {
      if (during !== undefined) throw new ScenarioError('power-cut takes during-write or when, not both');
      this.timelineStep({ op: 'power-cut', survivalProbability }, spec.when, null);
      return;
    }
    if (during !== undefined) {
      const { offsetBytes, lengthBytes } = this.range(during);
      if (offsetBytes % 512 !== 0 || lengthBytes % 512 !== 0) throw new ScenarioError('a write cut by the power covers whole sectors');
      const data = this.patternBytes(during, offsetBytes, lengthBytes);
      const pers = array.mddev.pers;
      if (pers === null) throw new StepFailure('no running array: create or assemble it first');
      pers.makeRequest({ op: 'write', sector: offsetBytes / 512, data, endIo: () => undefined });
      array.sleepSync(durationMs(spec.after ?? 0));
    }
    this.timelineStep({ op: 'power-cut', survivalProbability }, undefined, null);
    this.machineDied(this.layer().powerCut.report!);
  }

  /** N of diskN.img, from a member index or an image name. */
  private memberNumber(ref: unknown): number {
    const image = typeof ref === 'number' ? `disk${ref}.img` : typeof ref === 'string' ? path.basename(ref) : null;
    const m = image === null ? null : /^disk(\d+)\.img$/.exec(image);
    if (m === null) throw new ScenarioError(`a member is named by index or image name (diskN.img), got ${JSON.stringify(ref)}`);
    return Number(m[1]);
  }

  private need(): MdArray {
    if (this.array === null || this.array.mddev.stopped) throw new StepFailure('no running array: create or assemble it first');
    return this.array;
  }

  private images(): string[] {
    if (!fs.existsSync(this.dir)) throw new StepFailure(`${this.dir} does not exist`);
    return fs
      .readdirSync(this.dir)
      .filter((f) => /^disk\d+\.img$/.test(f))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
      .map((f) => path.join(this.dir, f));
  }

  private memberImage(ref: unknown): string {
    if (typeof ref === 'number') return path.join(this.dir, `disk${ref}.img`);
    if (typeof ref === 'string') return path.isAbsolute(ref) ? ref : path.join(this.dir, ref);
    throw new ScenarioError(`a member is named by index or image name, got ${JSON.stringify(ref)}`);
  }

  private memberRef(ref: unknown): number | string {
    if (typeof ref === 'number' || typeof ref === 'string') return ref;
    throw new ScenarioError(`a member is named by index or image name, got ${JSON.stringify(ref)}`);
  }

  private step(verb: string, value: unknown): void {
    switch (verb) {
      case 'create':
        this.array = MdArray.create(this.dir, createOptionsOf(this.s), this.engineOptions());
        return;
      case 'assemble':
        this.array = MdArray.assemble(this.images(), { ...this.engineOptions(), run: true, force: assembleForce(value) });
        return;
      case 'stop':
        this.need().stop();
        return;
      case 'write':
        return this.write(value as Record<string, unknown>);
      case 'verify':
        return this.verify(value as Record<string, unknown>);
      case 'fail':
        this.need().fail(this.memberRef(value));
        return;
      case 'remove':
        this.need().remove(this.memberRef(value));
        return;
      case 'add':
        this.need().add(this.memberImage(value));
        return;
      case 're-add':
        this.need().reAdd(this.memberImage(value));
        return;
      case 'set':
        return this.set(value as Record<string, unknown>);
      case 'sync-action':
        this.need().setSyncAction(value as SyncActionRequest);
        return;
      case 'wait':
        return this.wait(value);
      case 'sleep':
        this.need().sleepSync(durationMs(value));
        return;
      case 'expect':
        return this.expect(value as Record<string, unknown>);
      case 'crash':
        this.need().crash();
        return;
      case 'inject':
        return this.inject((value ?? {}) as Record<string, unknown>);
      case 'clear':
        return this.clear((value ?? {}) as Record<string, unknown>);
      case 'power-cut':
        return this.powerCutStep((value ?? {}) as Record<string, unknown>);
      default:
        if (this.options.extraSteps?.(verb, value, this.array)) return;
        throw new StepFailure(`step "${verb}" needs the fault layer, which this run does not have`);
    }
  }

  private patternBytes(spec: Record<string, unknown>, offsetBytes: number, lengthBytes: number): Uint8Array {
    if (typeof spec.file === 'string') {
      const data = fs.readFileSync(path.resolve(this.options.baseDir, spec.file));
      return new Uint8Array(data.buffer, data.byteOffset, spec.length === undefined ? data.byteLength : Math.min(lengthBytes, data.byteLength));
    }
    const pattern = spec.pattern ?? 'lba';
    const bytes = new Uint8Array(lengthBytes);
    if (pattern === 'lba') {
      if (offsetBytes % 512 !== 0 || lengthBytes % 512 !== 0) throw new ScenarioError('the lba pattern covers whole sectors: offset and length must be multiples of 512');
      fillLbaPattern(bytes, typeof spec.tag === 'string' ? spec.tag : DEFAULT_TAG, offsetBytes / 512);
    } else if (pattern === 'random') {
      const prng = Prng.derive(this.s.seed, `write-${offsetBytes}-${lengthBytes}`);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i + 4 <= lengthBytes; i += 4) view.setUint32(i, prng.nextU32());
    } else if (pattern !== 'zero') {
      throw new ScenarioError(`pattern must be lba, random or zero, got ${JSON.stringify(pattern)}`);
    }
    return bytes;
  }

  private range(spec: Record<string, unknown>): { offsetBytes: number; lengthBytes: number } {
    const offsetBytes = sizeOf(spec.offset ?? 0, 'offset');
    const lengthBytes =
      spec.length !== undefined ? sizeOf(spec.length, 'length') : typeof spec.file === 'string' ? fs.statSync(path.resolve(this.options.baseDir, spec.file)).size : -1;
    if (lengthBytes < 0) throw new ScenarioError('write/verify need a length (or a file)');
    return { offsetBytes, lengthBytes };
  }

  private write(spec: Record<string, unknown>): void {
    const array = this.need();
    const { offsetBytes, lengthBytes } = this.range(spec);
    const data = this.patternBytes(spec, offsetBytes, lengthBytes);
    try {
      array.writeSync(offsetBytes, data);
    } catch (err) {
      if (spec['expect-error'] === true && err instanceof MdIoError) return;
      throw err;
    }
    if (spec['expect-error'] === true) throw new StepFailure(`the write of ${lengthBytes} bytes at ${offsetBytes} succeeded, but an I/O error was expected`);
  }

  private verify(spec: Record<string, unknown>): void {
    const array = this.need();
    const { offsetBytes, lengthBytes } = this.range(spec);
    const want = this.patternBytes(spec, offsetBytes, lengthBytes);
    let got: Uint8Array;
    try {
      got = array.readSync(offsetBytes, lengthBytes);
    } catch (err) {
      if (spec['expect-error'] === true && err instanceof MdIoError) return;
      throw new StepFailure(`reading ${lengthBytes} bytes at ${offsetBytes} failed: ${(err as Error).message}`);
    }
    if (spec['expect-error'] === true) throw new StepFailure(`the read at ${offsetBytes} succeeded, but an I/O error was expected`);
    if (spec['expect-wrong'] === true) {
      // The write hole's lesson: md returns bytes that were never written there, and says no error.
      if (got.every((b, i) => b === want[i])) throw new StepFailure(`reading ${lengthBytes} bytes at ${offsetBytes} returned the expected data, but wrong data was expected`);
      return;
    }
    for (let i = 0; i < lengthBytes; i++) {
      if (got[i] !== want[i]) {
        const sector = Math.floor((offsetBytes + i) / 512);
        throw new StepFailure(`array byte ${offsetBytes + i} (sector ${sector}) differs from the expected data`);
      }
    }
  }

  private set(spec: Record<string, unknown>): void {
    const array = this.need();
    const key = (k: string): unknown => spec[k] ?? spec[k.replace(/_/g, '-')];
    const limit = (v: unknown): number | null | undefined => (v === undefined ? undefined : v === 'system' ? null : Number(v));
    array.set({
      speedLimitMin: limit(key('speed_limit_min') ?? key('sync_speed_min')),
      speedLimitMax: limit(key('speed_limit_max') ?? key('sync_speed_max')),
      stripeCacheSize: key('stripe_cache_size') === undefined ? undefined : Number(key('stripe_cache_size')),
      syncMin: key('sync_min') === undefined ? undefined : Number(key('sync_min')),
      syncMax: key('sync_max') === undefined ? undefined : key('sync_max') === 'max' ? null : Number(key('sync_max')),
    });
  }

  private wait(value: unknown): void {
    const array = this.need();
    const limitMs = this.options.waitLimitMs ?? 24 * 3600 * 1000;
    const spec: Record<string, unknown> = typeof value === 'string' ? { until: value } : ((value ?? { until: 'idle' }) as Record<string, unknown>);
    let done: () => boolean;
    let what: string;
    let release = (): void => {};
    if (spec.until === 'idle') {
      done = () => array.idle();
      what = 'idle';
    } else if (spec.progress === 'held') {
      const m = array.mddev;
      done = () => m.syncThread !== null && m.syncThread.j >= m.resyncMax && m.recoveryActive === 0;
      what = 'the sync to hold at sync_max';
    } else if (typeof spec.progress === 'number') {
      const pct = spec.progress;
      done = () => {
        const c = array.snapshot().syncCompleted;
        return c === null ? array.idle() : (c.doneSectors * 100) / c.totalSectors >= pct;
      };
      what = `sync progress ${pct}%`;
    } else if (typeof spec.sector === 'number') {
      // A live session's anchor: the sync had issued requests up to this sector (md's curr_resync) when the
      // next step was taken. Once that sync runs, md is held there as sync_max holds it (released when the
      // wait ends), so the step is taken at the very same sector. A sync that ends first ends the wait too.
      const sector = spec.sector;
      const want = spec.sync_action ?? spec['sync-action'];
      const m = array.mddev;
      let heldFrom: number | null = null;
      done = () => {
        if (m.syncThread === null || !m.recovery.has('RUNNING')) return array.idle();
        if (want !== undefined && array.snapshot().syncAction !== want) return false;
        if (heldFrom === null && m.resyncMax > sector) {
          heldFrom = m.resyncMax;
          m.resyncMax = sector;
        }
        return m.currResync >= sector;
      };
      release = () => {
        if (heldFrom !== null) m.resyncMax = heldFrom;
      };
      what = `${want === undefined ? 'the sync' : String(want)} to reach sector ${sector}`;
    } else if (typeof spec.state === 'string') {
      const want = spec.state;
      done = () => {
        const s = array.snapshot();
        return detailState(s) === want || s.arrayState === want;
      };
      what = `state ${want}`;
    } else if (typeof spec.sync_action === 'string' || typeof spec['sync-action'] === 'string') {
      const want = spec.sync_action ?? spec['sync-action'];
      done = () => array.snapshot().syncAction === want;
      what = `sync_action ${String(want)}`;
    } else {
      throw new ScenarioError(`wait takes idle, {progress: N|held}, {state: S}, {sync_action: A} or {sector: N, sync_action?: A}, got ${JSON.stringify(value)}`);
    }
    const showProgress = (): void => {
      const line = statusResync(array.mddev);
      const bucket = line === null ? '' : line.replace(/\(.*$/, '');
      if (line !== null && bucket !== this.lastProgressLine) {
        this.lastProgressLine = bucket;
        this.out(`      ${line}`);
      }
    };
    showProgress();
    const unsubscribe = array.subscribe((e) => {
      if (e.type === 'progress') showProgress();
    });
    try {
      array.runUntilSync(done, limitMs);
    } catch (err) {
      throw new StepFailure(`waiting for ${what}: ${(err as Error).message}`);
    } finally {
      release();
      unsubscribe();
    }
  }

  private expect(spec: Record<string, unknown>): void {
    const array = this.array;
    if (array === null) throw new StepFailure('expect needs an array');
    const snapshot = array.snapshot();
    for (const [key, wanted] of Object.entries(spec)) {
      // `log`: a line of md's kernel log (dmesg) since the array started contains this text.
      if (key === 'log') {
        if (!array.mddev.logs.some((line) => line.includes(String(wanted)))) throw new StepFailure(`expect log: no log line contains ${JSON.stringify(wanted)}`);
        continue;
      }
      const failure = checkExpectation(snapshot, key, wanted);
      if (failure !== null) throw new StepFailure(`expect ${key}: ${failure}`);
    }
  }
}

/** `assemble: null`, or `assemble: { force: true }` for mdadm --assemble --force. */
function assembleForce(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const keys = typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  const force = (value as { force?: unknown }).force;
  if (keys.length !== 1 || keys[0] !== 'force' || typeof force !== 'boolean') throw new StepFailure('assemble takes null or { force: true }');
  return force;
}
