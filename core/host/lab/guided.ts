/**
 * A guided lab running LIVE on the open session: the student acts in the other panels (or asks to be
 * shown), and the current step is ticked as soon as all its checks hold on the running array. Checks are
 * judged "now", never waited for: `expect` on the engine snapshot (core/scenario/expect.ts's evaluator),
 * `verify` by reading the pattern back through md (lab arrays are small: bounded by VERIFY_MAX_BYTES),
 * `wait {...}` as "is it true now". Which lab a session follows, and how far it got, is lab.json in the
 * session folder (beside the manifest, which stays as it is), so a reopened session keeps its lab.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ArraySnapshot } from '../../api';
import { lbaPatternBytes } from '../../format/lba-pattern';
import { findLab, type Lab } from '../../labs';
import { labScenario } from '../../labs/scenario';
import type { FaultSpecInput } from '../../faults';
import { MdRefusal } from '../../md/errors';
import { checkExpectation, detailState } from '../../scenario/expect';
import { createOptionsOf } from '../../scenario/runner';
import { durationMs, ScenarioSchema } from '../../scenario/schema';
import { writeFileAtomic } from '../../session/files';
import type { Step } from '../../session/journal';
import { parseSizeBytes } from '../../util/units';
import { manageStep, syncActionStep } from './journal-steps';
import type { LabArray } from './session';

/** Beside manifest.json: which built-in lab this session follows and the step it stands at. */
export const LAB_ATTACHMENT_FILE = 'lab.json';
const LabAttachmentSchema = z
  .object({
    lab: z.string().regex(/^[a-z0-9-]+$/),
    current: z.number().int().min(0),
    /** The student has acted since the current step became current (see needsStudent). */
    acted: z.boolean().optional(),
  })
  .strict();

/** Actions labs.start has done (create) or that the real clock does by itself (sleep, wait). */
const SELF_DOING_VERBS = new Set(['create', 'sleep', 'wait']);

/**
 * A step with something for the student to do is ticked only after they have acted since it became current:
 * its checks may hold before (a fresh array is clean, degraded 0) and a tick for nothing teaches nothing.
 */
function needsStudent(step: Lab['steps'][number]): boolean {
  return step.actions.some((action) => !SELF_DOING_VERBS.has(Object.keys(action)[0]));
}

/** A verify check reads this much through md at most per evaluation: lab arrays are tens of MiB. */
const VERIFY_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Tag of the live session's `lba` pattern (golden/README.md: 6 characters, as the golden cases use): what
 * the Data panel writes, so an untagged pattern in a lab means this one live.
 */
export const LAB_PATTERN_TAG = 'mdlab1';

export type GuidedVerdict = 'pass' | 'pending' | 'current';
export interface GuidedLabState {
  name: string;
  /** Index of the current step; steps.length once every step is ticked. */
  current: number;
  finished: boolean;
  steps: { id: string; verdict: GuidedVerdict; detail: string }[];
}

/** What doStep needs of the host's Lab: journaled actions on the open array, and md's power cut. */
export interface GuidedActor {
  act<T>(step: Step, perform: () => T): T;
  crashAndRestart(): Promise<unknown>;
  stopAndAssemble(): Promise<unknown>;
}

/** Sizes in a lab are numbers of bytes or strings like "4M". */
function bytesOf(value: unknown): number {
  const bytes = typeof value === 'number' ? value : typeof value === 'string' ? parseSizeBytes(value, 1) : null;
  if (bytes === null || !Number.isSafeInteger(bytes) || bytes < 0) throw new MdRefusal(`a lab size must be like 4096 or 4M, got ${JSON.stringify(value)}`);
  return bytes;
}

function patternRange(spec: Record<string, unknown>): { tag: string; offsetBytes: number; lengthBytes: number } {
  if ((spec.pattern ?? 'lba') !== 'lba') throw new MdRefusal(`only the lba pattern can be checked live, not ${JSON.stringify(spec.pattern)}`);
  return { tag: typeof spec.tag === 'string' ? spec.tag : LAB_PATTERN_TAG, offsetBytes: bytesOf(spec.offset ?? 0), lengthBytes: bytesOf(spec.length) };
}

/** A `verify` check read through md now: null when it holds, else why not. */
function verifyNow(array: LabArray, spec: Record<string, unknown>): string | null {
  const { tag, offsetBytes, lengthBytes } = patternRange(spec);
  if (lengthBytes > VERIFY_MAX_BYTES) return `verify of ${lengthBytes} bytes is too large to check live (at most ${VERIFY_MAX_BYTES})`;
  let got: Uint8Array;
  try {
    got = array.read(offsetBytes, lengthBytes);
  } catch (err) {
    return spec['expect-error'] === true ? null : `reading ${lengthBytes} bytes at ${offsetBytes} failed: ${(err as Error).message}`;
  }
  if (spec['expect-error'] === true) return `the read at ${offsetBytes} succeeded, but an I/O error was expected`;
  const want = lbaPatternBytes(tag, offsetBytes, lengthBytes);
  const firstBad = got.findIndex((b, i) => b !== want[i]);
  if (spec['expect-wrong'] === true) return firstBad === -1 ? `the ${lengthBytes} bytes at ${offsetBytes} read back as written, but wrong data was expected` : null;
  return firstBad === -1 ? null : `array byte ${offsetBytes + firstBad} (sector ${Math.floor((offsetBytes + firstBad) / 512)}) differs from the lba pattern "${tag}"`;
}

/** A `wait` check as "is it true now" (the live engine keeps running; a later evaluation sees more). */
function waitHoldsNow(s: ArraySnapshot, value: unknown): string | null {
  const spec = typeof value === 'string' ? { until: value } : ((value ?? { until: 'idle' }) as Record<string, unknown>);
  if (spec.until === 'idle') return s.syncAction === 'idle' && s.syncCompleted === null ? null : `md is still doing ${s.syncAction}`;
  if (typeof spec.state === 'string') return detailState(s) === spec.state || s.arrayState === spec.state ? null : `state is ${detailState(s)}, waiting for ${spec.state}`;
  const action = spec.sync_action ?? spec['sync-action'];
  if (typeof action === 'string') return s.syncAction === action ? null : `sync_action is ${s.syncAction}, waiting for ${action}`;
  if (typeof spec.progress === 'number') {
    const c = s.syncCompleted;
    const pct = c === null ? (s.syncAction === 'idle' ? 100 : 0) : (c.doneSectors * 100) / c.totalSectors;
    return pct >= spec.progress ? null : `sync progress ${pct.toFixed(1)}%, waiting for ${spec.progress}%`;
  }
  return `this wait (${JSON.stringify(value)}) cannot be judged on a live array`;
}

/** One check step on the live array: null when it holds now, else the first reason it does not. */
export function checkNow(array: LabArray, check: Step, verify: typeof verifyNow = verifyNow): string | null {
  const [verb, value] = Object.entries(check)[0] ?? ['', null];
  switch (verb) {
    case 'expect': {
      const snapshot = array.snapshot();
      for (const [key, wanted] of Object.entries(value as Record<string, unknown>)) {
        if (key === 'log') {
          if (!array.logSince(0).some((line) => line.message.includes(String(wanted)))) return `expect log: no log line contains ${JSON.stringify(wanted)}`;
          continue;
        }
        const failure = checkExpectation(snapshot, key, wanted);
        if (failure !== null) return `expect ${key}: ${failure}`;
      }
      return null;
    }
    case 'verify':
      return verify(array, value as Record<string, unknown>);
    case 'wait':
      return waitHoldsNow(array.snapshot(), value);
    default:
      return `"${verb}" is not a check`;
  }
}

/** The first check of a step that does not hold now (in order: a cheap expect before a verify's read), or null. */
function firstFailure(array: LabArray, checks: readonly Step[], verify: typeof verifyNow): string | null {
  for (const check of checks) {
    const failure = checkNow(array, check, verify);
    if (failure !== null) return failure;
  }
  return null;
}

const WAITING_FOR_STUDENT = 'waiting for you to do this step (or Show me)';

/** The live session mdlab creates for a lab: its array block (and seed's UUIDs), as `mdlab run --lab` makes it. */
export function labCreateOptions(lab: Lab) {
  return createOptionsOf(ScenarioSchema.parse(labScenario(lab).document));
}

export class GuidedLab {
  /** Why the current step does not hold yet, from the latest evaluation. */
  private detail = '';
  /** Actions taken on the array since the lab was attached here: what the verify cache is keyed on, with md's state. */
  private actions = 0;
  /** The last verdict of each verify check, and what the array looked like then. */
  private readonly verified = new Map<string, { key: string; failure: string | null }>();

  /**
   * A verify reads megabytes through md (~70 ms for 4 MiB), too long to repeat at every ask while nothing
   * changed: array content only changes by an action (a write, a fault) or while md syncs or repairs, and
   * md's events, sync position and member states say when that may have happened.
   */
  private readonly verifyCached = (array: LabArray, spec: Record<string, unknown>): string | null => {
    const s = array.snapshot();
    const members = s.members.map((m) => `${m.image}:${m.state.join(',')}:${m.errors}`).join(' ');
    const key = `${this.actions}|${s.events}|${s.syncAction}|${s.syncCompleted?.doneSectors ?? '-'}|${s.mismatchCnt}|${members}`;
    const id = JSON.stringify(spec);
    const known = this.verified.get(id);
    if (known?.key === key) return known.failure;
    const failure = verifyNow(array, spec);
    this.verified.set(id, { key, failure });
    return failure;
  };

  /** Set while "Show me" performs a step: its actions are judged once, together, not one by one. */
  private performing = false;

  private constructor(
    readonly lab: Lab,
    private current: number,
    private folder: string,
    private acted = false,
  ) {}

  /** Attaches a lab to a session folder (starting at its first step) and records it there. */
  static attach(folder: string, lab: Lab): GuidedLab {
    const guided = new GuidedLab(lab, 0, folder);
    guided.save();
    return guided;
  }

  /** The lab a session folder follows, or null (none, or a lab.json this mdlab does not know: the session opens anyway). */
  static reopen(folder: string): GuidedLab | null {
    const file = path.join(folder, LAB_ATTACHMENT_FILE);
    if (!fs.existsSync(file)) return null;
    let parsed: z.infer<typeof LabAttachmentSchema>;
    try {
      parsed = LabAttachmentSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      return null;
    }
    const lab = findLab(parsed.lab);
    return lab === null ? null : new GuidedLab(lab, Math.min(parsed.current, lab.steps.length), folder, parsed.acted ?? false);
  }

  /** The session continues in another folder (Save As): the lab and its progress go with it. */
  moveTo(folder: string): void {
    this.folder = folder;
    this.save();
  }

  private save(): void {
    writeFileAtomic(path.join(this.folder, LAB_ATTACHMENT_FILE), `${JSON.stringify({ lab: this.lab.name, current: this.current, acted: this.acted })}\n`);
  }

  get finished(): boolean {
    return this.current >= this.lab.steps.length;
  }

  /** Ticks the current step while all its checks hold on the live array (several, if later ones hold too). */
  /** The student (or Show me) changed the array: the current step may now be ticked. */
  noteAction(): void {
    this.actions++;
    if (this.performing || this.acted) return;
    this.acted = true;
    this.save();
  }

  evaluate(array: LabArray): GuidedLabState {
    if (this.performing) return this.state();
    const before = this.current;
    this.detail = '';
    while (!this.finished) {
      const step = this.lab.steps[this.current];
      const blocker = firstFailure(array, step.checks, this.verifyCached) ?? (needsStudent(step) && !this.acted ? WAITING_FOR_STUDENT : null);
      if (blocker !== null) {
        this.detail = blocker;
        break;
      }
      this.current++;
      this.acted = false;
    }
    if (this.current !== before) this.save();
    return this.state();
  }

  state(): GuidedLabState {
    return {
      name: this.lab.name,
      current: this.current,
      finished: this.finished,
      steps: this.lab.steps.map((step, i) => ({
        id: step.id,
        verdict: i < this.current ? 'pass' : i === this.current ? 'current' : 'pending',
        detail: i === this.current ? this.detail : '',
      })),
    };
  }

  /** "Show me": performs the current step's actions on the live array, each journaled as the student's would be. */
  async doStep(actor: GuidedActor, array: () => LabArray): Promise<void> {
    if (this.finished) throw new MdRefusal(`The lab ${this.lab.name} is finished: every step is ticked.`);
    const actions = this.lab.steps[this.current].actions;
    // All or nothing: a step half shown would leave the array where no instruction put it.
    const unshowable = actions.map((action) => Object.keys(action)[0]).find((verb) => !LIVE_VERBS.has(verb));
    if (unshowable !== undefined) throw new MdRefusal(`"${unshowable}" cannot be shown on the live array: do this step yourself (the headless check runs it).`);
    this.performing = true;
    try {
      for (let i = 0; i < actions.length; i++) {
        const [verb, value] = Object.entries(actions[i])[0];
        // A power cut (or a stop) and the boot after it are one thing on a live machine.
        if ((verb === 'crash' || verb === 'stop') && Object.keys(actions[i + 1] ?? {})[0] === 'assemble') i++;
        await performLive(actor, array(), verb, value);
      }
    } finally {
      this.performing = false;
    }
    this.noteAction();
  }
}

/** Longest pause "Show me" waits out before it answers. */
const SHOW_SLEEP_MAX_MS = 2000;

/** The lab actions "Show me" can perform on the live array (performLive). */
const LIVE_VERBS = new Set(['create', 'sleep', 'wait', 'write', 'fail', 'remove', 'add', 're-add', 'sync-action', 'inject', 'clear', 'set', 'crash', 'stop', 'assemble']);
/** Longest "Show me" waits for a sync to end before the next action (lab arrays are small; the checks say the rest). */
const SHOW_WAIT_IDLE_MAX_MS = 60_000;

async function untilIdle(array: LabArray): Promise<void> {
  const deadline = Date.now() + SHOW_WAIT_IDLE_MAX_MS;
  while (array.snapshot().syncAction !== 'idle' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** One lab action on the live array, journaled as the scenario step that does it. */
async function performLive(actor: GuidedActor, array: LabArray, verb: string, value: unknown): Promise<void> {
  switch (verb) {
    case 'create': // labs.start created the array
      return;
    case 'wait':
      // The live engine runs on a real clock: a sync goes on by itself. Only `wait: idle` holds Show me back,
      // because md refuses the next sync action while one runs; otherwise the step's checks say when it is done.
      if (value === 'idle') await untilIdle(array);
      return;
    case 'inject': {
      const { member, fault } = value as { member: number; fault: FaultSpecInput };
      actor.act({ inject: { member, fault } as Step['inject'] }, () => array.injectSpec(member, fault));
      return;
    }
    case 'clear': {
      // A lab clears a member's faults all at once, as dmsetup would remove the target.
      const { member } = value as { member: number };
      const faults = array.faults().find((m) => m.image === `disk${member}.img`)?.faults ?? [];
      actor.act({ clear: { member } }, () => {
        for (const fault of faults) array.clearFault(member, fault.id);
      });
      return;
    }
    case 'sleep': {
      // A short pause is part of what the step shows (md marks the array clean after its safemode delay);
      // a long one is left to the clock, and the step ticks when its checks hold.
      const ms = durationMs(value);
      if (ms <= SHOW_SLEEP_MAX_MS) await new Promise((resolve) => setTimeout(resolve, ms));
      return;
    }
    case 'write': {
      const { tag, offsetBytes, lengthBytes } = patternRange(value as Record<string, unknown>);
      const data = lbaPatternBytes(tag, offsetBytes, lengthBytes);
      actor.act({ write: { pattern: 'lba', tag, offset: offsetBytes, length: lengthBytes } }, () => array.write(offsetBytes, data));
      return;
    }
    case 'fail':
    case 'remove':
    case 'add':
    case 're-add': {
      const member = typeof value === 'number' ? value : Number(/^disk(\d+)\.img$/.exec(String(value))?.[1] ?? NaN);
      if (!Number.isInteger(member)) throw new MdRefusal(`a lab names a member by index or diskN.img, got ${JSON.stringify(value)}`);
      actor.act(manageStep(verb, member), () => array.manage(verb, member));
      return;
    }
    case 'sync-action': {
      const action = value as Parameters<typeof syncActionStep>[0];
      actor.act(syncActionStep(action), () => array.setSyncAction(action));
      return;
    }
    case 'set': {
      // The sync window (sysfs sync_min / sync_max) is what labs set; "max" lifts the limit.
      const { sync_min: syncMin, sync_max: max, ...rest } = value as Record<string, unknown>;
      if (Object.keys(rest).length > 0) throw new MdRefusal(`Show me sets only sync_min and sync_max, not ${Object.keys(rest).join(', ')}.`);
      const range = { syncMin: syncMin as number | undefined, syncMax: max === 'max' ? null : (max as number | undefined) };
      actor.act({ set: value as Step['set'] }, () => array.setSyncRange(range));
      return;
    }
    case 'crash':
      await actor.crashAndRestart();
      return;
    case 'stop':
      await actor.stopAndAssemble();
      return;
    default:
      throw new MdRefusal(`"${verb}" cannot be shown on the live array here.`);
  }
}
