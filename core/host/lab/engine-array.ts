/**
 * The seam between the lab session and the running engine: MdArray (core/engine/array.ts) with the
 * RAID4/5 personality, seen as a LabArray. The session drives the slices and throttles what it
 * publishes; trace steps are read from the engine's ring with their member, flags and action intact.
 */
import * as path from 'node:path';
import type { LabFault, LabTrigger, ManageAction, MemberFaults, TraceEntry } from '../../api';
import { MdArray, type MdArrayOptions } from '../../engine/array';
import { RealClock } from '../../engine/clock';
import { openImage } from '../../engine/md/run-array';
import { createRaid5Personality } from '../../engine/raid5';
import { describeAction, describeScheduledTrigger, ImageFaultLayer, type ScheduledView } from '../../faults';
import type { CreateOptions } from '../../md/create';
import { MdRefusal } from '../../md/errors';
import { faultSpecOf, triggerOf } from './fault-step';
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

/**
 * Every member image opens through the fault layer (core/faults/image-faults.ts), so faults can be
 * injected under md at any time, the way dm targets sit under a real array, now or on its timeline.
 * The lab cuts power with MdArray.crash, so md's writes carry no power-cut undo records here.
 */
class FaultedMembers {
  readonly clock = new RealClock();
  /** Bound once the engine runs: progress triggers look at its sync. */
  md: MdArray | null = null;
  readonly layer = new ImageFaultLayer({
    seed: 0,
    clock: () => this.clock.nowMs(),
    open: openImage,
    memberOf: imageNumberOf,
    progress: () => this.md?.syncProgress() ?? null,
  });

  engineOptions(): MdArrayOptions {
    return { personality: createRaid5Personality, clock: this.clock, openDevice: this.layer.openDevice, timeline: this.layer.timeline };
  }

  views(): MemberFaults[] {
    const timeline = this.layer.timeline;
    return this.layer.members().map((member) => {
      const dev = this.layer.device(member);
      return {
        image: dev.name,
        faults: dev.faults().map((f) => ({ id: f.id, text: text(f.text), state: f.state, hits: f.hits })),
        pending: timeline.pending().filter(on(member)).map((s) => ({ id: s.id, trigger: text(describeScheduledTrigger(s.trigger)), action: text(describeAction(s.action)) })),
        fired: timeline.fired().filter(on(member)).map((s) => ({
          id: s.id,
          trigger: text(describeScheduledTrigger(s.trigger)),
          action: text(describeAction(s.action)),
          atMs: Math.max(0, s.timeMs),
          refused: s.refused === null ? null : text(s.refused),
        })),
      };
    });
  }

  inject(member: number, fault: LabFault, when: LabTrigger | undefined): void {
    this.layer.device(member);
    const action = { op: 'inject' as const, member, spec: faultSpecOf(fault) };
    if (when === undefined) this.layer.timeline.apply(action);
    else this.layer.timeline.schedule(action, triggerOf(member, when));
  }

  clear(member: number, id: number, pending: boolean): void {
    const timeline = this.layer.timeline;
    if (!pending) {
      timeline.apply({ op: 'clear', member, faultId: id });
      return;
    }
    if (!timeline.pending().some((s) => s.id === id && on(member)(s))) throw new MdRefusal(`disk${member}.img has no scheduled fault #${id}.`);
    timeline.cancel(id);
  }
}

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

class EngineLabArray implements LabArray {
  private readonly logs: { seq: number; timeMs: number; message: string }[] = [];
  private logSeq = 0;
  private readonly unsubscribe: () => void;
  private lastProgress: ReturnType<LabArray['progress']> = null;

  constructor(
    private readonly md: MdArray,
    /** Image paths by image number (disk<N>.img), so add and re-add can name what the UI picked. */
    private readonly imagePaths: readonly string[],
    private readonly members: FaultedMembers,
  ) {
    // The engine's own log lines (md: ..., raid5: ...) are collected here and handed out by the session.
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
    const { busy, nextWakeMs } = this.md.runSlice(budgetMs);
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

  logSince(afterSeq: number) {
    return this.logs.filter((line) => line.seq > afterSeq);
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    return this.md.readSync(offsetBytes, lengthBytes);
  }

  write(offsetBytes: number, data: Uint8Array): void {
    this.md.writeSync(offsetBytes, data);
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
    this.members.inject(member, fault, when);
  }

  clearFault(member: number, id: number, pending = false): void {
    this.imagePath(member);
    this.members.clear(member, id, pending);
  }

  manage(action: ManageAction, member: number): void {
    const imagePath = this.imagePath(member);
    if (action === 'fail') this.md.fail(imagePath);
    else if (action === 'remove') this.md.remove(imagePath);
    else if (action === 'add') this.md.add(imagePath);
    else this.md.reAdd(imagePath);
  }

  setSyncAction(action: SyncActionWrite): void {
    this.md.setSyncAction(action);
  }

  setSpeedLimits(minKibPerSec: number, maxKibPerSec: number): void {
    if (minKibPerSec > maxKibPerSec) throw new MdRefusal(`speed_limit_min (${minKibPerSec}) must not exceed speed_limit_max (${maxKibPerSec}).`);
    this.md.set({ speedLimitMin: minKibPerSec, speedLimitMax: maxKibPerSec });
  }

  stop(): void {
    this.unsubscribe();
    this.md.stop();
  }

  crash(): void {
    this.unsubscribe();
    this.md.crash();
  }
}

export function openEngineArray(imagePaths: readonly string[]): LabArray {
  const members = new FaultedMembers();
  const md = MdArray.assemble(imagePaths, members.engineOptions());
  members.md = md;
  return new EngineLabArray(md, imagePaths, members);
}

/** mdadm --create, then started as md would start it (the spare trick's recovery begins on its own). */
export function createEngineArray(dir: string, options: CreateOptions, imagePathsOf: () => string[]): LabArray {
  const members = new FaultedMembers();
  const md = MdArray.create(dir, options, members.engineOptions());
  members.md = md;
  return new EngineLabArray(md, imagePathsOf(), members);
}
