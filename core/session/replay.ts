/**
 * Replay: re-run a session's journal from copies of its initial images, with the same seed, each step at
 * the logical time it was recorded. The engine is deterministic under a virtual clock, so the replay
 * reaches the same state and the same array contents; going back one step is a replay to step k-1, the
 * only honest way back (md cannot un-write a stripe).
 *
 * The copies live in a work folder of their own (a fresh temp folder unless given): replay never writes
 * to the session folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArraySnapshot } from '../api/snapshot';
import { arrayContentSha256 } from './array-hash';
import type { LiveArray } from './driver';
import { SessionError } from './errors';
import { inspectSession, type InspectedSession } from './inspect';
import type { JournalEntry, Step } from './journal';
import { MdArrayDriver } from './md-driver';
import { copySparse } from './sparse-copy';

/** One journal entry as replay performs it: steps as recorded, a close/open pair as a stop and assemble. */
function replayStepOf(entry: JournalEntry): Step | null {
  if (entry.type === 'step') return entry.step;
  if (entry.type === 'close') return { stop: null };
  if (entry.type === 'open') return { assemble: null };
  return null;
}

export interface ReplayState {
  /** Replayable entries performed so far. */
  position: number;
  /** How many replayable entries the journal holds. */
  length: number;
  /** null while the array is stopped (between a recorded close and open). */
  snapshot: ArraySnapshot | null;
  /** The entry performed last, or null at the start. */
  last: JournalEntry | null;
}

export class ReplayCursor {
  private live: (LiveArray & { advanceTo(ms: number): void }) | null = null;
  private position = 0;
  private running = false;
  private readonly entries: JournalEntry[];
  readonly workDir: string;
  readonly imagePaths: string[];

  private constructor(
    private readonly session: InspectedSession,
    workDir: string,
    private readonly ownsWorkDir: boolean,
  ) {
    this.entries = session.journal.entries.filter((e) => replayStepOf(e) !== null);
    // A trailing close is bookkeeping: stopping there would leave nothing to look at.
    if (this.entries.at(-1)?.type === 'close') this.entries.pop();
    this.workDir = workDir;
    this.imagePaths = session.manifest.members.map((m) => path.join(workDir, path.basename(m.image)));
  }

  /** Opens the session read-only for replay; every image check of open applies to the initial copies too. */
  static async open(folder: string, opts: { workDir?: string } = {}): Promise<ReplayCursor> {
    const session = inspectSession(folder, { checkInitial: true });
    if (!session.initialPaths) throw new SessionError('IMAGE_MISSING', 'This session kept no initial images, so it cannot be replayed.');
    const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-replay-'));
    const cursor = new ReplayCursor(session, workDir, opts.workDir === undefined);
    await cursor.restart();
    return cursor;
  }

  get length(): number {
    return this.entries.length;
  }

  private async restart(): Promise<void> {
    if (this.live && this.running) await this.live.stop();
    this.live = null;
    this.running = false;
    for (const p of this.imagePaths) fs.rmSync(p, { force: true });
    this.session.initialPaths!.forEach((src, i) => copySparse(src, this.imagePaths[i]));
    this.live = await new MdArrayDriver().assemble(this.imagePaths, { seed: this.session.manifest.seed });
    this.running = true;
    this.position = 0;
  }

  state(): ReplayState {
    return {
      position: this.position,
      length: this.entries.length,
      snapshot: this.running ? this.live!.snapshot() : null,
      last: this.position === 0 ? null : this.entries[this.position - 1],
    };
  }

  async forward(): Promise<ReplayState> {
    if (this.position >= this.entries.length) return this.state();
    const entry = this.entries[this.position];
    const step = replayStepOf(entry)!;
    const live = this.live!;
    live.advanceTo(entry.atMs);
    await live.perform(step);
    this.running = !('stop' in step);
    this.position++;
    return this.state();
  }

  /** Replays from the initial images up to `position` replayable entries. */
  async seek(position: number): Promise<ReplayState> {
    const target = Math.max(0, Math.min(position, this.entries.length));
    if (target < this.position) await this.restart();
    while (this.position < target) await this.forward();
    return this.state();
  }

  async backward(): Promise<ReplayState> {
    return this.seek(this.position - 1);
  }

  /** Stops the replayed array and hashes its contents; the cursor can seek again afterwards. */
  async finish(): Promise<{ snapshot: ArraySnapshot | null; arraySha256: string }> {
    const snapshot = this.running ? this.live!.snapshot() : null;
    if (this.running) await this.live!.stop();
    this.running = false;
    this.position = this.entries.length + 1;
    return { snapshot, arraySha256: arrayContentSha256(this.imagePaths) };
  }

  /** Removes the copies replay made, and the work folder if replay made it. */
  async dispose(): Promise<void> {
    if (this.running) await this.live!.stop();
    this.running = false;
    for (const p of this.imagePaths) fs.rmSync(p, { force: true });
    if (this.ownsWorkDir) fs.rmdirSync(this.workDir);
  }
}
