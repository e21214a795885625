/**
 * FaultTimeline: faults applied now or scheduled ("after 5 s", "at 30% of recovery", "on the 100th write
 * to member 2"), and a journal of what was actually applied, when, that replays to the same run.
 *
 * Replay is exact because every journal entry records `ioSeq`, the number of member I/Os issued before
 * it took effect: a replay applies each entry just before I/O number ioSeq+1, whatever trigger first
 * fired it. The engine is deterministic under its seed, so the same I/Os see the same faults.
 *
 * The engine calls poll() once per raid5d pass (time and progress triggers); write-count triggers and
 * replayed entries fire from the members' I/O observer, so they land exactly before the I/O they name.
 */
import { z } from 'zod';
import { assert } from '../util/assert';
import type { FaultyDevice, IoOp } from './faulty-device';
import { PowerCutHalt, type PowerCutDomain } from './power-cut';
import { Prng } from './prng';
import { describeSpec, FaultError, FaultSpecSchema } from './spec';

const memberIndex = z.number().int().nonnegative();

export const TimelineActionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('inject'), member: memberIndex, spec: FaultSpecSchema }),
  /** faultId null clears every fault of the member. */
  z.object({ op: z.literal('clear'), member: memberIndex, faultId: z.number().int().positive().nullable() }),
  /** survivalProbability: chance that a write in flight reached the platter anyway; null = the domain's default. */
  z.object({ op: z.literal('power-cut'), survivalProbability: z.number().min(0).max(1).nullable().default(null) }),
]);
export type TimelineActionInput = z.input<typeof TimelineActionSchema>;
export type TimelineAction = z.output<typeof TimelineActionSchema>;

export const SyncActionSchema = z.enum(['resync', 'recover', 'check', 'repair']);
export type SyncAction = z.infer<typeof SyncActionSchema>;

export const TriggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('after'), ms: z.number().nonnegative().finite() }),
  z.object({ kind: z.literal('at'), timeMs: z.number().nonnegative().finite() }),
  /** When the running sync (of this kind, or any) has done this fraction of its work. */
  z.object({ kind: z.literal('progress'), fraction: z.number().min(0).max(1), action: SyncActionSchema.nullable().default(null) }),
  /** Just before the nth write to the member, counted from when the trigger was scheduled: that write sees it. */
  z.object({ kind: z.literal('nth-write'), member: memberIndex, n: z.number().int().positive() }),
]);
export type TriggerInput = z.input<typeof TriggerSchema>;
export type Trigger = z.output<typeof TriggerSchema>;

export const JournalEntrySchema = z.object({
  /** Member I/Os issued (over all members) before this entry took effect. */
  ioSeq: z.number().int().nonnegative(),
  timeMs: z.number().nonnegative(),
  action: TimelineActionSchema,
  /** inject: the id the member gave the fault. */
  faultId: z.number().int().positive().nullable(),
});
export type JournalEntry = z.output<typeof JournalEntrySchema>;

export const FaultJournalSchema = z.object({
  version: z.literal(1),
  seed: z.number().int().min(0).max(0xffffffff),
  entries: z.array(JournalEntrySchema),
});
export type FaultJournal = z.output<typeof FaultJournalSchema>;

export interface SyncProgress {
  action: SyncAction;
  /** Done / total of the running sync, in [0, 1]. */
  fraction: number;
}

export interface TimelineOptions {
  seed: number;
  /** Engine logical time in ms. */
  clock: () => number;
  /** The members by index; the timeline becomes their I/O observer. More may be attached later. */
  members: readonly FaultyDevice[];
  /** The running sync, or null when none runs (md's sync_completed). */
  progress?: () => SyncProgress | null;
  /** Needed for 'power-cut' actions. */
  powerCut?: PowerCutDomain;
  /**
   * A scheduled power cut stops the machine dead: right after it, PowerCutHalt is thrown out of poll()
   * or the member I/O that fired it, so no engine code runs (or logs) on a machine without power.
   */
  haltOnPowerCut?: boolean;
}

/** A trigger pinned down when it was scheduled, so "after 5 s" means 5 s after scheduling. */
type ArmedTrigger =
  | { kind: 'at'; timeMs: number }
  | { kind: 'progress'; fraction: number; action: SyncProgress['action'] | null }
  | { kind: 'write'; member: number; writeNumber: number }
  | { kind: 'io-seq'; ioSeq: number; timeMs: number; faultId: number | null };

export interface ScheduledView {
  id: number;
  action: TimelineAction;
  trigger: Trigger | { kind: 'replay'; ioSeq: number };
}

export interface RefusedStep {
  id: number;
  action: TimelineAction;
  timeMs: number;
  reason: string;
}

/** A scheduled step that fired, applied or refused: the timeline as the UI lists it. */
export interface FiredStep extends ScheduledView {
  timeMs: number;
  /** Why it was refused when it fired, or null when it was applied. */
  refused: string | null;
}

interface Scheduled extends ScheduledView {
  armed: ArmedTrigger;
}

/** The one bound on how many steps a timeline may hold: a scenario is a lesson, not a fuzzer. */
const MAX_SCHEDULED = 10_000;
/** Fired steps kept for the UI (the journal keeps every applied one). */
const MAX_HISTORY = 1_000;

/** One line for an action, as the UI lists pending and fired steps. */
export function describeAction(action: TimelineAction): string {
  switch (action.op) {
    case 'inject':
      return describeSpec(action.spec);
    case 'clear':
      return action.faultId === null ? 'clear every fault' : `clear fault #${action.faultId}`;
    case 'power-cut':
      return action.survivalProbability === null || action.survivalProbability === 0
        ? 'power cut'
        : `power cut (each write in flight survives with p=${action.survivalProbability})`;
  }
}

export class FaultTimeline {
  /** For anything random a scheduled fault needs (seeded bit rot, random fault times). */
  readonly rng: Prng;
  private ioSeq = 0;
  private nextId = 1;
  private scheduled: Scheduled[] = [];
  private readonly entries: JournalEntry[] = [];
  private firing = false;
  private readonly refusedSteps: RefusedStep[] = [];
  private readonly firedSteps: FiredStep[] = [];
  private readonly members: FaultyDevice[] = [];

  constructor(private readonly options: TimelineOptions) {
    this.rng = Prng.derive(options.seed, 'timeline');
    options.members.forEach((dev, member) => this.attach(member, dev));
  }

  /**
   * Adds member `member` (an engine that opens its members one by one, or a spare added later). The
   * timeline becomes its I/O observer; a member index is attached once.
   */
  attach(member: number, dev: FaultyDevice): void {
    assert(Number.isSafeInteger(member) && member >= 0, 'a member index is a non-negative integer');
    assert(this.members[member] === undefined, `member ${member} is attached once`);
    assert(dev.observer === null, `member ${member} has no other I/O observer`);
    this.members[member] = dev;
    dev.observer = (d, op) => this.beforeIo(member, d, op);
  }

  get seed(): number {
    return this.options.seed;
  }

  /** A fresh seed for a random fault (e.g. bit rot placement), itself determined by the timeline's seed. */
  nextSeed(): number {
    return this.rng.nextU32();
  }

  /** "At a random moment of the write stream": a seeded member and write number within the next maxWrites. */
  randomWriteTrigger(maxWrites: number): Trigger {
    assert(Number.isSafeInteger(maxWrites) && maxWrites > 0, 'a random write trigger needs a positive window');
    return { kind: 'nth-write', member: this.rng.nextInt(this.members.length), n: 1 + this.rng.nextInt(maxWrites) };
  }

  /** Applies an action now and journals it. Returns the journal entry. */
  apply(input: TimelineActionInput): JournalEntry {
    return this.perform(TimelineActionSchema.parse(input), this.options.clock(), null);
  }

  /** Schedules an action; returns its id (for cancel). */
  schedule(input: TimelineActionInput, triggerInput: TriggerInput): number {
    const action = TimelineActionSchema.parse(input);
    const trigger = TriggerSchema.parse(triggerInput);
    return this.add(action, trigger, this.arm(trigger));
  }

  cancel(id: number): void {
    const before = this.scheduled.length;
    this.scheduled = this.scheduled.filter((s) => s.id !== id);
    if (this.scheduled.length === before) throw new FaultError(`No scheduled fault #${id}.`);
  }

  /** Scheduled steps that were refused when they fired, with the reason. */
  refused(): readonly RefusedStep[] {
    return this.refusedSteps;
  }

  pending(): ScheduledView[] {
    return this.scheduled.map(({ id, action, trigger }) => ({ id, action, trigger }));
  }

  /** Scheduled steps that fired (the last MAX_HISTORY), oldest first. */
  fired(): readonly FiredStep[] {
    return this.firedSteps;
  }

  /** The earliest logical time a time trigger is due, or null: a virtual clock may jump there. */
  nextDueMs(): number | null {
    let due: number | null = null;
    for (const s of this.scheduled) if (s.armed.kind === 'at' && (due === null || s.armed.timeMs < due)) due = s.armed.timeMs;
    return due;
  }

  /** Fires every time- and progress-triggered step that is due. Returns what it applied. */
  poll(): JournalEntry[] {
    const nowMs = this.options.clock();
    const progress = this.options.progress?.() ?? null;
    return this.fire((a) => {
      if (a.kind === 'at') return nowMs >= a.timeMs;
      if (a.kind === 'progress') return progress !== null && (a.action === null || a.action === progress.action) && progress.fraction >= a.fraction;
      if (a.kind === 'io-seq') return this.ioSeq >= a.ioSeq && nowMs >= a.timeMs;
      return false;
    });
  }

  /** Journal entries so far (cheaper than journal() for a status line). */
  get journalLength(): number {
    return this.entries.length;
  }

  journal(): FaultJournal {
    return FaultJournalSchema.parse({ version: 1, seed: this.options.seed, entries: this.entries });
  }

  /** A timeline that re-applies a journal at the same points of the I/O stream, on fresh members. */
  static replay(journalInput: unknown, options: Omit<TimelineOptions, 'seed'>): FaultTimeline {
    const journal = FaultJournalSchema.parse(journalInput);
    const timeline = new FaultTimeline({ ...options, seed: journal.seed });
    for (const e of journal.entries) {
      timeline.add(e.action, { kind: 'replay', ioSeq: e.ioSeq }, { kind: 'io-seq', ioSeq: e.ioSeq, timeMs: e.timeMs, faultId: e.faultId });
    }
    return timeline;
  }

  // ---- internals ----

  private add(action: TimelineAction, trigger: ScheduledView['trigger'], armed: ArmedTrigger): number {
    assert(this.scheduled.length < MAX_SCHEDULED, `a timeline holds at most ${MAX_SCHEDULED} steps`);
    if (action.op !== 'power-cut') this.checkMember(action.member);
    const id = this.nextId++;
    this.scheduled.push({ id, action, trigger, armed });
    return id;
  }

  private arm(trigger: Trigger): ArmedTrigger {
    switch (trigger.kind) {
      case 'after':
        return { kind: 'at', timeMs: this.options.clock() + trigger.ms };
      case 'at':
        return trigger;
      case 'progress':
        return trigger;
      case 'nth-write':
        this.checkMember(trigger.member);
        return { kind: 'write', member: trigger.member, writeNumber: this.members[trigger.member].counters.writes + trigger.n };
    }
  }

  private checkMember(member: number): void {
    if (this.members[member] === undefined) throw new FaultError(`There is no member ${member} under the fault layer.`);
  }

  /** The members' I/O observer: runs before the I/O reaches any fault. */
  private beforeIo(member: number, dev: FaultyDevice, op: IoOp): void {
    if (!this.firing) {
      const nowMs = this.options.clock();
      const nextWrite = dev.counters.writes + 1;
      this.fire((a) => {
        if (a.kind === 'io-seq') return this.ioSeq >= a.ioSeq;
        if (a.kind === 'write') return op === 'write' && a.member === member && nextWrite >= a.writeNumber;
        if (a.kind === 'at') return nowMs >= a.timeMs;
        return false;
      });
    }
    this.ioSeq++;
  }

  /** Applies due steps in the order they were scheduled. */
  private fire(due: (a: ArmedTrigger) => boolean): JournalEntry[] {
    const fired: JournalEntry[] = [];
    const ready = this.scheduled.filter((s) => due(s.armed));
    if (ready.length === 0) return fired;
    this.scheduled = this.scheduled.filter((s) => !ready.includes(s));
    this.firing = true; // a power cut or bit rot does I/O of its own, which must not re-enter here
    let cut = false;
    try {
      for (const s of ready) {
        const replayed = s.armed.kind === 'io-seq' ? s.armed : null;
        const timeMs = replayed?.timeMs ?? this.options.clock();
        let refused: string | null = null;
        try {
          fired.push(this.perform(s.action, timeMs, replayed?.faultId ?? null));
          cut ||= s.action.op === 'power-cut';
        } catch (err) {
          // A step refused when it fires (e.g. clearing a fault already gone) must not surface inside the
          // engine's member I/O: it is recorded for the UI and the run goes on, as a refused mdadm command would.
          if (!(err instanceof FaultError)) throw err;
          refused = err.message;
          this.refusedSteps.push({ id: s.id, action: s.action, timeMs, reason: err.message });
        }
        if (this.firedSteps.length >= MAX_HISTORY) this.firedSteps.shift();
        this.firedSteps.push({ id: s.id, action: s.action, trigger: s.trigger, timeMs, refused });
      }
    } finally {
      this.firing = false;
    }
    if (cut && this.options.haltOnPowerCut) throw new PowerCutHalt(this.options.powerCut!.report!);
    return fired;
  }

  private perform(action: TimelineAction, timeMs: number, expectedFaultId: number | null): JournalEntry {
    if (action.op !== 'power-cut') this.checkMember(action.member);
    let faultId: number | null = null;
    const wasFiring = this.firing;
    this.firing = true;
    try {
      if (action.op === 'inject') {
        faultId = this.members[action.member].inject(action.spec, timeMs);
        assert(expectedFaultId === null || faultId === expectedFaultId, 'a replayed fault gets the id it had when recorded');
      } else if (action.op === 'clear') {
        const dev = this.members[action.member];
        if (action.faultId === null) dev.clearAll();
        else dev.clear(action.faultId);
      } else {
        if (!this.options.powerCut) throw new FaultError('This timeline has no power-cut domain.');
        // The journal keeps the probability actually used, so a replay under another default cuts the same way.
        const domain = this.options.powerCut;
        const survivalProbability = action.survivalProbability ?? domain.survivalProbability;
        action = { ...action, survivalProbability };
        domain.cut(timeMs, survivalProbability); // the domain keeps the report for the UI
      }
    } finally {
      this.firing = wasFiring;
    }
    const entry: JournalEntry = { ioSeq: this.ioSeq, timeMs, action, faultId };
    this.entries.push(entry);
    return entry;
  }
}
