/**
 * Replay: re-run a session's journal from copies of its initial images on the scenario runner, with the
 * session's seed, under a virtual clock. The engine is deterministic, so the replay reaches the same state
 * and the same array contents as the recorded run. Going to step k re-runs steps 1..k from the initial
 * images: the only honest way back, since md cannot un-write a stripe.
 *
 * The copies live in a work folder of their own (a fresh temp folder unless given): replay never writes
 * to the session folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArraySnapshot } from '../api/snapshot';
import { VirtualClock } from '../engine/clock';
import { layoutName } from '../format/layout';
import { runScenario } from '../scenario/runner';
import type { Scenario } from '../scenario/schema';
import { arrayContentSha256 } from './array-hash';
import { SessionError } from './errors';
import { inspectSession, type InspectedSession } from './inspect';
import type { JournalEntry, Step } from './journal';
import type { Manifest } from './manifest';
import { copySparse } from './sparse-copy';

/** One journal entry as a scenario step: actions as recorded, a close/open pair as stop and assemble. */
export function scenarioStepOf(entry: JournalEntry): Step | null {
  if (entry.type === 'step') return entry.step;
  if (entry.type === 'close') return { stop: null };
  if (entry.type === 'open') return { assemble: null };
  return null;
}

/**
 * The journal's replayable entries; a trailing close is bookkeeping (stopping there leaves nothing to see).
 * After a close of a dead machine nothing runs until an `assemble` step (the lab journals one when a later
 * open starts the array, --force included): the close and the opens in between stop and start nothing.
 */
export function replayableEntries(entries: readonly JournalEntry[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  let dead = false;
  for (const e of entries) {
    if (e.type === 'close' && e.dead) dead = true;
    else if (e.type === 'step' && 'assemble' in e.step) dead = false;
    if (scenarioStepOf(e) === null || (dead && (e.type === 'open' || e.type === 'close'))) continue;
    out.push(e);
  }
  if (out.at(-1)?.type === 'close') out.pop();
  return out;
}

/** The session's array as a scenario `array:` block, in the scenario's YAML spelling. */
export function scenarioArrayOf(m: Manifest, dir: string): Scenario['array'] {
  const a = m.array;
  return {
    dir,
    level: a.level,
    'raid-devices': a.raidDevices,
    'spare-devices': a.spareDevices,
    ...(a.level === 5 && a.layout !== null ? { layout: layoutName(5, a.layout) } : {}),
    chunk: `${a.chunkKib}K`,
    size: a.memberBytes,
    bitmap: a.bitmap,
    'assume-clean': a.assumeClean,
  };
}

export function scenarioNameOf(m: Manifest): string {
  return m.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'session';
}

export interface ReplayState {
  /** Replayable entries performed. */
  position: number;
  length: number;
  /** What md reported after the last performed entry (the array may be stopped by then). */
  snapshot: ArraySnapshot | null;
  last: JournalEntry | null;
  /** Why the replay could not perform an entry, or null. */
  failure: string | null;
  /** What the runner printed (steps, mdstat progress), each at the logical time it was printed. */
  lines: { timeMs: number; text: string }[];
}

export class ReplayCursor {
  private readonly entries: JournalEntry[];
  private current: ReplayState;
  readonly imagePaths: string[];

  private constructor(
    private readonly session: InspectedSession,
    readonly workDir: string,
    private readonly ownsWorkDir: boolean,
  ) {
    this.entries = replayableEntries(session.journal.entries);
    this.imagePaths = session.manifest.members.map((m) => path.join(workDir, path.basename(m.image)));
    this.current = { position: 0, length: this.entries.length, snapshot: null, last: null, failure: null, lines: [] };
  }

  /** Inspects the session as open does (read-only), the initial copies included, then replays 0 steps. */
  static open(folder: string, opts: { workDir?: string } = {}): ReplayCursor {
    const session = inspectSession(folder, { checkInitial: true });
    if (!session.initialPaths) throw new SessionError('IMAGE_MISSING', 'This session kept no initial images, so it cannot be replayed.');
    const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-replay-'));
    const cursor = new ReplayCursor(session, workDir, opts.workDir === undefined);
    cursor.seek(0);
    return cursor;
  }

  get length(): number {
    return this.entries.length;
  }

  state(): ReplayState {
    return this.current;
  }

  /** Replays from the initial images through the first `position` replayable entries. */
  seek(position: number): ReplayState {
    const target = Math.max(0, Math.min(position, this.entries.length));
    for (const p of this.imagePaths) fs.rmSync(p, { force: true });
    this.session.initialPaths!.forEach((src, i) => copySparse(src, this.imagePaths[i]));
    const clock = new VirtualClock();
    const m = this.session.manifest;
    const scenario: Scenario = {
      name: scenarioNameOf(m),
      seed: m.seed,
      array: scenarioArrayOf(m, '.'),
      steps: [{ assemble: null }, ...this.entries.slice(0, target).map((e) => scenarioStepOf(e)!)],
    };
    const lines: ReplayState['lines'] = [];
    const result = runScenario(scenario, {
      baseDir: this.workDir,
      arrayDir: this.workDir,
      clock,
      out: (text) => lines.push({ timeMs: clock.nowMs(), text }),
    });
    this.current = {
      position: result.ok ? target : Math.max(0, result.failedStep - 1),
      length: this.entries.length,
      snapshot: result.finalSnapshot,
      last: target === 0 ? null : this.entries[target - 1],
      failure: result.failure,
      lines,
    };
    return this.current;
  }

  forward(): ReplayState {
    return this.seek(this.current.position + 1);
  }

  backward(): ReplayState {
    return this.seek(this.current.position - 1);
  }

  /** sha256 of the array contents where the replay stands (the runner has stopped the array cleanly). */
  arraySha256(): string {
    return arrayContentSha256(this.imagePaths);
  }

  /** Removes the copies replay made, and the work folder if replay made it. */
  dispose(): void {
    for (const p of this.imagePaths) fs.rmSync(p, { force: true });
    if (this.ownsWorkDir) fs.rmdirSync(this.workDir);
  }
}
