/**
 * The seam between the lab session and the running engine: MdArray (core/engine/array.ts) with the
 * RAID4/5 personality, seen as a LabArray. The session drives the slices and throttles what it
 * publishes; trace steps are read from the engine's ring with their member, flags and action intact.
 */
import * as path from 'node:path';
import type { LabFault, LabTrigger, ManageAction, MemberFaults, PowerTimeline, TraceEntry } from '../../api';
import { MdArray, type MdArrayOptions } from '../../engine/array';
import { RealClock } from '../../engine/clock';
import { openImage } from '../../engine/md/run-array';
import { createRaid5Personality } from '../../engine/raid5';
import { describeAction, describeScheduledTrigger, type FaultSpecInput, ImageFaultLayer, PowerCutHalt, type PowerCutReport, type ScheduledView } from '../../faults';
import type { CreateOptions } from '../../md/create';
import { MdRefusal } from '../../md/errors';
import { describePowerCut, faultSpecOf, PowerCutRefusal, triggerOf } from './fault-step';
import type { LabArray, SyncActionWrite } from './session';

/** N of diskN.img: the lab names members by image number. */
function imageNumberOf(imagePath: string): number {
  const m = /disk(\d+)\.img$/.exec(imagePath);
  if (m === null) throw new MdRefusal(`${path.basename(imagePath)} is not named diskN.img.`);
  return Number(m[1]);
}

const text = (s: string): string => s.slice(0, 1024);

/** Whether a scheduled step concerns member `member`. */
const on = (member: number) => (s: ScheduledView): boolean => s.action.op !== 'power-cut' && s.action.member === member;
const isPowerCut = (s: ScheduledView): boolean => s.action.op === 'power-cut';

/** A scheduled step as the faults reply lists it. */
function pendingView(s: ScheduledView) {
  return { id: s.id, trigger: text(describeScheduledTrigger(s.trigger)), action: text(describeAction(s.action)) };
}

function firedView(s: ScheduledView & { timeMs: number; refused: string | null }) {
  return { ...pendingView(s), atMs: Math.max(0, s.timeMs), refused: s.refused === null ? null : text(s.refused) };
}

/**
 * Every member image opens through the fault layer (core/faults/image-faults.ts), so faults can be
 * injected under md at any time, the way dm targets sit under a real array, now or on its timeline.
 * md's member writes go through the layer's power-cut domain (seeded by the session), so a power cut
 * loses the writes still in flight, as the scenario runner's does; a scheduled one halts the engine.
 */
class FaultedMembers {
  readonly clock = new RealClock();
  /** Bound once the engine runs: progress triggers look at its sync. */
  md: MdArray | null = null;
  readonly layer: ImageFaultLayer;

  constructor(seed: number) {
    this.layer = new ImageFaultLayer({
      seed,
      clock: () => this.clock.nowMs(),
      open: openImage,
      memberOf: imageNumberOf,
      progress: () => this.md?.syncProgress() ?? null,
      haltOnPowerCut: true,
    });
  }

  engineOptions(): MdArrayOptions {
    const { layer } = this;
    return { personality: createRaid5Personality, clock: this.clock, openDevice: layer.openDevice, memberIo: layer.memberIo(), timeline: layer.timeline };
  }

  power(): PowerTimeline {
    const timeline = this.layer.timeline;
    return { pending: timeline.pending().filter(isPowerCut).map(pendingView), fired: timeline.fired().filter(isPowerCut).map(firedView) };
  }

  views(): MemberFaults[] {
    const timeline = this.layer.timeline;
    return this.layer.members().map((member) => {
      const dev = this.layer.device(member);
      return {
        image: dev.name,
        faults: dev.faults().map((f) => ({ id: f.id, text: text(f.text), state: f.state, hits: f.hits })),
        pending: timeline.pending().filter(on(member)).map(pendingView),
        fired: timeline.fired().filter(on(member)).map(firedView),
      };
    });
  }

  inject(member: number, spec: FaultSpecInput, when: LabTrigger | undefined): void {
    this.layer.device(member);
    const action = { op: 'inject' as const, member, spec };
    if (when === undefined) this.layer.timeline.apply(action);
    else this.layer.timeline.schedule(action, triggerOf(member, when));
  }

  clear(member: number, id: number, pending: boolean): void {
    const timeline = this.layer.timeline;
    if (!pending) {
      timeline.apply({ op: 'clear', member, faultId: id });
      return;
    }
    // A scheduled power cut belongs to no member: any member's cancel takes it off the timeline.
    if (!timeline.pending().some((s) => s.id === id && (on(member)(s) || isPowerCut(s)))) throw new MdRefusal(`disk${member}.img has no scheduled fault #${id}.`);
    timeline.cancel(id);
  }

  /** The power fails now (the domain's report), or a cut is scheduled (null). */
  powerCut(survival: number | undefined, when: LabTrigger | undefined, member: number): PowerCutReport | null {
    const action = { op: 'power-cut' as const, survivalProbability: survival ?? null };
    if (when !== undefined) {
      this.layer.device(member);
      this.layer.timeline.schedule(action, triggerOf(member, when));
      return null;
    }
    this.layer.timeline.apply(action);
    return this.layer.powerCut.report;
  }
}

/** What the lab needs beyond LabArray to cut the power (the engine array has it; test doubles may not). */
export interface PowerCuttable {
  power(): PowerTimeline;
  /** Now: the writes in flight are lost, the machine is dead (crash), and the report line is returned. */
  powerCut(survival: number | undefined, when: LabTrigger | undefined, member: number): string | null;
}

export function canCutPower(array: LabArray): array is LabArray & PowerCuttable {
  return 'powerCut' in array && 'power' in array;
}

/** Called once when a scheduled power cut has stopped the machine, with the domain's report line. */
export type PowerCutListener = (array: LabArray, report: string) => void;

function toTraceEntry(record: ReturnType<MdArray['trace']['since']>[number]): TraceEntry {
  const flags = record.flags ? [...record.flags].slice(0, 64) : undefined;
  return {
    seq: record.seq,
    timeMs: Math.max(0, record.timeMs),
    fn: record.fn,
    sector: record.sector ?? null,
    detail: (flags && flags.length > 0 ? `${record.action} [${flags.join(' ')}]` : record.action).slice(0, 1024),
    member: record.member ?? null,
    flags,
    action: record.action.slice(0, 256),
  };
}

class EngineLabArray implements LabArray, PowerCuttable {
  /** The domain's report line once the power has been cut: md is dead, nothing more reaches it. */
  private cutReport: string | null = null;
  private unsubscribed = false;
  private readonly logs: { seq: number; timeMs: number; message: string }[] = [];
  private logSeq = 0;
  private readonly unsubscribe: () => void;
  private lastProgress: ReturnType<LabArray['progress']> = null;

  constructor(
    private readonly md: MdArray,
    /** Image paths by image number (disk<N>.img), so add and re-add can name what the UI picked. */
    private readonly imagePaths: readonly string[],
    private readonly members: FaultedMembers,
    private readonly onPowerCut: PowerCutListener | null,
  ) {
    // The engine's own log lines (md: ..., raid5: ...) are collected here and handed out by the session,
    // starting with what the assembly said before anyone listened (mdadm's start or --force messages).
    for (const message of md.mddev.logs) this.logs.push({ seq: ++this.logSeq, timeMs: Date.now(), message });
    this.unsubscribe = md.subscribe((event) => {
      if (event.type === 'progress') {
        this.lastProgress = { action: event.action, doneSectors: event.doneSectors, totalSectors: event.totalSectors, speedKibPerSec: event.speedKibPerSec };
        return;
      }
      if (event.type !== 'log') return;
      this.logs.push({ seq: ++this.logSeq, timeMs: Date.now(), message: event.message });
      if (this.logs.length > 256) this.logs.shift();
    });
  }

  snapshot() {
    return this.md.snapshot();
  }

  run(budgetMs: number) {
    if (this.cutReport !== null) return { busy: false, nextWakeMs: null };
    const { busy, nextWakeMs } = this.guard(() => this.md.runSlice(budgetMs));
    return { busy, nextWakeMs: nextWakeMs === null ? null : Math.max(0, nextWakeMs - this.md.clock.nowMs()) };
  }

  progress(): ReturnType<LabArray['progress']> {
    return this.lastProgress;
  }

  syncPosition(): number | null {
    const m = this.md.mddev;
    return m.syncThread !== null && m.recovery.has('RUNNING') ? m.currResync : null;
  }

  traceSince(afterSeq: number, limit: number): TraceEntry[] {
    return this.md.trace.since(afterSeq, limit).map(toTraceEntry);
  }

  get forcedAtAssembly(): boolean {
    return this.md.forcedAtAssembly;
  }

  traceSeen(): Record<string, number> {
    return this.md.trace.seen();
  }

  logSince(afterSeq: number) {
    return this.logs.filter((line) => line.seq > afterSeq);
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    return this.guard(() => this.md.readSync(offsetBytes, lengthBytes));
  }

  write(offsetBytes: number, data: Uint8Array): void {
    this.guard(() => this.md.writeSync(offsetBytes, data));
  }

  private imagePath(member: number): string {
    const imagePath = this.imagePaths[member];
    if (imagePath === undefined) throw new MdRefusal(`There is no disk${member}.img in this array's folder.`);
    return imagePath;
  }

  faults(): MemberFaults[] {
    return this.members.views();
  }

  inject(member: number, fault: LabFault, when?: LabTrigger): void {
    this.imagePath(member);
    this.members.inject(member, faultSpecOf(fault), when);
  }

  injectSpec(member: number, spec: FaultSpecInput): void {
    this.imagePath(member);
    this.members.inject(member, spec, undefined);
  }

  clearFault(member: number, id: number, pending = false): void {
    this.imagePath(member);
    this.members.clear(member, id, pending);
  }

  manage(action: ManageAction, member: number): void {
    const imagePath = this.imagePath(member);
    this.guard(() => {
      if (action === 'fail') this.md.fail(imagePath);
      else if (action === 'remove') this.md.remove(imagePath);
      else if (action === 'add') this.md.add(imagePath);
      else this.md.reAdd(imagePath);
    });
  }

  setSyncAction(action: SyncActionWrite): void {
    this.guard(() => this.md.setSyncAction(action));
  }

  setSyncRange(range: { syncMin?: number; syncMax?: number | null }): void {
    this.guard(() => this.md.set(range));
  }

  setSpeedLimits(minKibPerSec: number, maxKibPerSec: number): void {
    if (minKibPerSec > maxKibPerSec) throw new MdRefusal(`speed_limit_min (${minKibPerSec}) must not exceed speed_limit_max (${maxKibPerSec}).`);
    this.md.set({ speedLimitMin: minKibPerSec, speedLimitMax: maxKibPerSec });
  }

  stop(): void {
    this.release();
    this.md.stop();
  }

  crash(): void {
    this.release();
    this.md.crash();
  }

  power(): PowerTimeline {
    return this.members.power();
  }

  powerCut(survival: number | undefined, when: LabTrigger | undefined, member: number): string | null {
    if (when !== undefined) this.imagePath(member);
    const report = this.members.powerCut(survival, when, member);
    return report === null ? null : this.died(report);
  }

  /**
   * Engine work during which a scheduled power cut may fire: the cut stops md dead there (PowerCutHalt),
   * the machine is crashed, the lab is told, and the request that was running is refused.
   */
  private guard<T>(work: () => T): T {
    if (this.cutReport !== null) throw new MdRefusal(`The power is off: ${this.cutReport}`);
    try {
      return work();
    } catch (err) {
      if (!(err instanceof PowerCutHalt)) throw err;
      const line = this.died(err.report);
      this.onPowerCut?.(this, line);
      throw new PowerCutRefusal(line);
    }
  }

  /** After the cut: md gets no shutdown at all (its images hold what the cut left). */
  private died(report: PowerCutReport): string {
    this.cutReport = describePowerCut(report);
    this.crash();
    return this.cutReport;
  }

  private release(): void {
    if (this.unsubscribed) return;
    this.unsubscribed = true;
    this.unsubscribe();
  }
}

/** `seed`: the session's, as its replay seeds the fault layer; `onPowerCut`: a scheduled cut fired. */
export interface EngineArrayOptions {
  seed?: number;
  onPowerCut?: PowerCutListener;
  /** mdadm --assemble --force. */
  force?: boolean;
}

export function openEngineArray(imagePaths: readonly string[], options: EngineArrayOptions = {}): LabArray {
  const members = new FaultedMembers(options.seed ?? 0);
  const md = MdArray.assemble(imagePaths, { ...members.engineOptions(), force: options.force });
  members.md = md;
  return new EngineLabArray(md, imagePaths, members, options.onPowerCut ?? null);
}

/** mdadm --create, then started as md would start it (the spare trick's recovery begins on its own). */
export function createEngineArray(dir: string, options: CreateOptions, imagePathsOf: () => string[], engine: EngineArrayOptions = {}): LabArray {
  const members = new FaultedMembers(engine.seed ?? 0);
  const md = MdArray.create(dir, options, members.engineOptions());
  members.md = md;
  return new EngineLabArray(md, imagePathsOf(), members, engine.onPowerCut ?? null);
}
