/**
 * The engine host's lab state: its workspace and the one array open in it. The open array IS a session
 * (core/session's folder: images, initial copies, manifest, journal, notes): every action on it is
 * journaled as the scenario step that performs it, before its request is answered. Handlers reach the lab
 * through labState(); nothing else in the host keeps array state.
 */
import * as path from 'node:path';
import type { ArraySnapshot, EngineEvent, ImageUsage, ImportedRun, LiveSessionInfo, PatternResult, PowerCutParams, PowerCutReply, SessionPlace } from '../../api';
import { ArrayIdSchema } from '../../api';
import { lbaPatternBytes } from '../../format/lba-pattern';
import { type CreateOptions, planCreate } from '../../md/create';
import { MdRefusal } from '../../md/errors';
import type { Lab as LabDefinition } from '../../labs';
import { inspectSession } from '../../session/inspect';
import type { Step } from '../../session/journal';
import type { ArrayConfig } from '../../session/manifest';
import { refuseSaveAsTarget, refuseUsedFolder, Session } from '../../session/session';
import type { EngineArrayOptions, PowerCuttable } from './engine-array';
import { PowerCutRefusal, powerCutStepOf } from './fault-step';
import { GuidedLab, type GuidedLabState, LAB_PATTERN_TAG, labCreateOptions } from './guided';
import { toApiError } from '../errors';
import { anchorSteps, CRASH_STEP, livePosition, patternStep, STOP_STEP } from './journal-steps';
import { readArrayGeometry, type ArrayGeometry } from './open-array';
import type { LabArray } from './session';
import { LabSession } from './session';
import { imageUsage, Workspace } from './workspace';
import { ScenarioError } from '../../scenario/schema';
import { importScenario } from '../../session/scenario-io';

export { LAB_PATTERN_TAG } from './guided';
/** Pattern I/O per step; between steps the host answers requests and the run loop publishes. */
const PATTERN_STEP_BYTES = 4 * 1024 * 1024;
/** Pattern I/O journaled as one scenario step: a replay holds one such buffer at a time. */
const PATTERN_JOURNAL_BYTES = 64 * 1024 * 1024;
/** The error code of a scenario that does not parse (the message names the offending path). */
export const SCENARIO_INVALID = 'SCENARIO_INVALID';

/** The array configuration a session records, from mdadm's own plan for these options (defaults resolved). */
export function arrayConfigOf(options: CreateOptions): ArrayConfig {
  const plan = planCreate(options);
  const sb = plan.superblocks[0];
  return {
    level: options.level,
    raidDevices: options.raidDevices,
    spareDevices: options.spareDevices ?? 0,
    layout: options.level === 5 ? sb.layout : null,
    chunkKib: sb.chunksize / 2,
    memberBytes: options.memberBytes,
    bitmap: plan.bitmap ? 'internal' : 'none',
    assumeClean: options.assumeClean ?? false,
  };
}

/** An array id for events and array.* replies, from a folder's name ("My Lab 2" -> "my-lab-2"). */
export function idOfFolder(folder: string): string {
  const id = path.basename(folder).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 32).replace(/-+$/, '');
  return ArrayIdSchema.safeParse(id).success ? id : 'session';
}

/** The open session: its folder and journal, the engine running its images, and where it was opened from. */
interface Live {
  readonly id: string;
  readonly place: SessionPlace;
  session: Session;
  run: LabSession;
  geometry: ArrayGeometry;
  /** Steps recorded since open / new / save as. */
  dirty: boolean;
  /** Wall clock (performance.now) and journal time (ms) of the latest entry: journal time counts on from there. */
  lastWallMs: number;
  lastJournalMs: number;
  /** The guided lab this session follows (its lab.json), ticked after every action. */
  guided: GuidedLab | null;
}

export class Lab {
  readonly workspace: Workspace;
  private live: Live | null = null;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    workspaceRoot?: string,
  ) {
    this.workspace = new Workspace(workspaceRoot);
  }

  get openId(): string | null {
    return this.live?.id ?? null;
  }

  /** Where a place is on disk: a workspace id inside the workspace, a dialog's folder as it is. */
  folderOf(place: SessionPlace): string {
    return 'workspace' in place ? this.workspace.dirOf(place.workspace) : path.resolve(place.folder);
  }

  private idOf(place: SessionPlace): string {
    return 'workspace' in place ? place.workspace : idOfFolder(place.folder);
  }

  /** mdadm --create into the workspace (the wizard's array.create), as a new session. */
  async create(id: string, options: CreateOptions): Promise<{ id: string; snapshot: ArraySnapshot }> {
    this.workspace.claim(id);
    const { session, snapshot } = await this.newSession({ workspace: id }, options.name ?? id, options);
    return { id: session.id, snapshot };
  }

  /** A new session folder: images created as mdadm would, initial copies, manifest and seed; then it runs. */
  async newSession(place: SessionPlace, name: string, options: CreateOptions, seed?: number): Promise<{ session: LiveSessionInfo; snapshot: ArraySnapshot }> {
    const array = arrayConfigOf(options);
    const folder = this.folderOf(place);
    refuseUsedFolder(folder);
    const { openEngineArray } = await loadEngine();
    await this.close();
    const session = await Session.create(folder, { name, array, seed, create: { name: options.name } });
    return this.adopt(place, session, openEngineArray);
  }

  async open(id: string): Promise<{ id: string; snapshot: ArraySnapshot }> {
    const { session, snapshot } = await this.openSession({ workspace: id });
    return { id: session.id, snapshot };
  }

  /** Opens a session folder; a folder that cannot be opened is refused before the open one is touched. */
  /**
   * Opens a session folder; a folder that cannot be opened is refused before the open one is touched.
   * A session whose machine was left dead (md refused to start it) gets its assembly journaled, with
   * `force` (mdadm --assemble --force) when that changed what md started: the replay must start it the same way.
   */
  async openSession(place: SessionPlace, force = false): Promise<{ session: LiveSessionInfo; snapshot: ArraySnapshot }> {
    const folder = this.folderOf(place);
    if ('workspace' in place) this.workspace.imagePaths(place.workspace);
    inspectSession(folder);
    const { openEngineArray } = await loadEngine();
    await this.close();
    const session = await Session.open(folder);
    const lastClose = session.journalEntries.findLast((e) => e.type === 'close');
    const opened = this.adopt(place, session, openEngineArray, force);
    if (lastClose?.type === 'close' && lastClose.dead) this.record([{ assemble: this.live?.run.array.forcedAtAssembly ? { force: true } : null }]);
    return opened;
  }

  /** Copies the open session to a new folder and continues there; the original keeps what it had. */
  async saveAs(place: SessionPlace): Promise<{ session: LiveSessionInfo; snapshot: ArraySnapshot }> {
    const live = this.current().live;
    const { openEngineArray } = await loadEngine();
    const target = this.folderOf(place);
    refuseSaveAsTarget(live.session.folder, target);
    this.flushPattern();
    // The copies must be clean images: md stops the array first, and the journal says so for the replay.
    this.record(this.withAnchor(STOP_STEP));
    live.run.close();
    this.live = null;
    let copy: Session;
    try {
      copy = await live.session.saveAs(target);
    } catch (err) {
      // The copy failed (no space...): the original is still open; carry on there, from the same images.
      this.adopt(live.place, live.session, openEngineArray);
      this.record([{ assemble: null }]);
      throw err;
    }
    live.guided?.moveTo(copy.folder);
    return this.adopt(place, copy, openEngineArray);
  }

  /**
   * A new session made from a scenario's text, then opened: the user imported it to carry on from where it
   * ends. A scenario that does not parse, or a used place, is refused before the open session is touched.
   */
  async importSession(place: SessionPlace, yaml: string, source = 'scenario'): Promise<{ session: LiveSessionInfo; snapshot: ArraySnapshot; run: ImportedRun }> {
    const folder = this.folderOf(place);
    refuseUsedFolder(folder);
    let imported: Awaited<ReturnType<typeof importScenario>>;
    try {
      // The run holds this thread until it ends; its steps still reach the UI as they start (posted at once).
      imported = await importScenario(yaml, folder, source, (step, steps, text) => this.emit({ type: 'import', source, step, steps, text }));
    } catch (err) {
      // The parser's sentence names the offending path; it is a refusal of the text, not an mdlab failure.
      if (err instanceof ScenarioError) throw Object.assign(new Error(err.message), { code: SCENARIO_INVALID });
      throw err;
    }
    const { ok, steps, failure } = imported.run;
    return { ...(await this.openSession(place)), run: { ok, steps, failure } };
  }

  private adopt(place: SessionPlace, session: Session, openEngineArray: OpenEngine, force = false): { session: LiveSessionInfo; snapshot: ArraySnapshot } {
    const imagePaths = session.imagePaths;
    let array: LabArray | null = null;
    let geometry: ArrayGeometry;
    try {
      array = openEngineArray(imagePaths, { ...this.engineOptions(session), force });
      geometry = readArrayGeometry(imagePaths);
    } catch (err) {
      array?.stop();
      void session.close({ hash: false, dead: true });
      throw err;
    }
    const id = this.idOf(place);
    const lastJournalMs = session.journalEntries.at(-1)?.atMs ?? 0;
    const guided = GuidedLab.reopen(session.folder);
    this.live = { id, place, session, run: new LabSession(id, array, this.emit), geometry, dirty: false, lastWallMs: performance.now(), lastJournalMs, guided };
    this.emit({ type: 'log', level: 'info', timeMs: Date.now(), message: `opened session ${session.manifest.name} (${path.basename(session.folder)}, ${imagePaths.length} images)` });
    return { session: this.info()!, snapshot: this.live.run.poke() };
  }

  /** The open session as the contract describes it, or null. */
  info(): LiveSessionInfo | null {
    const live = this.live;
    if (live === null) return null;
    const s = live.session;
    return {
      id: live.id,
      name: s.manifest.name,
      folder: s.folder,
      folderName: path.basename(s.folder),
      place: live.place,
      createdAt: s.manifest.createdAt,
      arrayUuid: s.manifest.arrayUuid,
      steps: s.journalEntries.filter((e) => e.type === 'step').length,
      dirty: live.dirty,
      autosaved: true,
      messages: [...s.messages],
    };
  }

  /** The open session's images: nominal size against blocks allocated. */
  usage(): ImageUsage[] {
    return imageUsage(this.current().live.session.imagePaths);
  }

  readNotes(): string {
    return this.current().live.session.readNotes();
  }

  writeNotes(text: string): number {
    this.current().live.session.writeNotes(text);
    return text.length;
  }

  /** Stops the array cleanly, journals the close (with the array's sha256 when cheap) and flushes everything. */
  async close(): Promise<{ closed: boolean; arraySha256: string | null }> {
    const live = this.live;
    if (live === null) return { closed: false, arraySha256: null };
    this.flushPattern();
    // Where a sync had got to when it was stopped decides where it resumes: the replay stops there too.
    const anchor = this.anchor();
    if (anchor.length > 0) this.record(anchor);
    this.live = null;
    let stopped = true;
    try {
      live.run.close();
    } catch (err) {
      // An engine that stalled may not stop cleanly; the journal and notes are still closed and synced.
      stopped = false;
      this.emit({ type: 'log', level: 'error', timeMs: Date.now(), message: `${live.id}: md could not stop the array cleanly: ${err instanceof Error ? err.message : String(err)}` });
    }
    const { arraySha256 } = await live.session.close(stopped ? {} : { hash: false });
    this.emit({ type: 'log', level: 'info', timeMs: Date.now(), message: `closed session ${live.session.manifest.name}${arraySha256 ? ` (array sha256 ${arraySha256.slice(0, 16)}...)` : ''}` });
    return { closed: true, arraySha256 };
  }

  /** The engine killed (writes md had issued all land), then a reboot that assembles from the images. */
  crashAndRestart(): Promise<{ id: string; snapshot: ArraySnapshot }> {
    return this.restart(CRASH_STEP, (run) => run.crash(), 'crash; restarting and assembling from the images');
  }

  /** md's STOP_ARRAY, then mdadm --assemble from the images: a clean restart (the superblocks keep the checkpoint). */
  stopAndAssemble(): Promise<{ id: string; snapshot: ArraySnapshot }> {
    return this.restart(STOP_STEP, (run) => run.close(), 'stopped; assembling again from the images');
  }

  /** Journals `step` (anchored), ends the running array with `end`, then reboots from the images. */
  private async restart(step: Step, end: (run: LabSession) => void, what: string): Promise<{ id: string; snapshot: ArraySnapshot }> {
    const { live } = this.current();
    const { openEngineArray } = await loadEngine();
    this.flushPattern();
    this.record(this.withAnchor(step));
    end(live.run);
    return this.reboot(live, openEngineArray, `${live.id}: ${what}`);
  }

  /**
   * A real power cut now (member writes in flight lost, per the session-seeded domain), then the reboot; or,
   * with `when`, the cut scheduled on the fault timeline (powerFailed reboots when it fires).
   */
  async powerCut({ survival, when, member = 0 }: PowerCutParams): Promise<PowerCutReply> {
    const { live, session } = this.current();
    const { openEngineArray, canCutPower } = await loadEngine();
    const array = session.array;
    if (!canCutPower(array)) throw new MdRefusal('This array has no power-cut domain.');
    const step = powerCutStepOf(survival, when, member);
    if (when !== undefined) {
      this.act(step, () => array.powerCut(survival, when, member));
      return { id: live.id, snapshot: session.poke(), report: null, members: array.faults(), power: array.power() };
    }
    this.flushPattern();
    this.record(this.withAnchor(step));
    const report = array.powerCut(survival, undefined, member)!;
    live.run.crash();
    this.emit({ type: 'log', level: 'warn', timeMs: Date.now(), message: `${live.id}: ${report}` });
    const { snapshot } = await this.reboot(live, openEngineArray, `${live.id}: power cut; restarting and assembling from the images`);
    const next = live.run.array as LabArray & PowerCuttable;
    return { id: live.id, snapshot, report, members: next.faults(), power: next.power() };
  }

  /** The engine of an open session: its fault layer seeded by the session, a scheduled power cut reported here. */
  private engineOptions(session: Session): EngineArrayOptions {
    return { seed: session.manifest.seed, onPowerCut: (array, report) => setImmediate(() => void this.powerFailed(array, report)) };
  }

  /** A scheduled power cut fired in `array`: journal the reboot, then reboot. */
  private async powerFailed(array: LabArray, report: string): Promise<void> {
    const live = this.live;
    if (live === null || live.run.array !== array) return;
    this.emit({ type: 'log', level: 'warn', timeMs: Date.now(), message: `${live.id}: ${report}` });
    const { openEngineArray } = await loadEngine();
    this.flushPattern();
    // Nothing to journal before the reboot: the replay's timeline fires the cut at the same member write.
    live.run.crash();
    try {
      await this.reboot(live, openEngineArray, `${live.id}: power cut; restarting and assembling from the images`);
    } catch (err) {
      this.emit({ type: 'log', level: 'error', timeMs: Date.now(), message: `${live.id}: md would not assemble after the power cut: ${err instanceof Error ? err.message : String(err)}` });
      // No request is waiting for this answer: the UI hears it as an event.
      this.emit({ type: 'session-closed', place: live.place, error: toApiError(err) });
    }
  }

  /**
   * After the machine died (or md stopped): boot and assemble from whatever the images hold, journaled once
   * md started the array. When md refuses (a dirty degraded array needs --force), the session closes with
   * its journal ending where the machine died, and the refusal says whether --force would start it.
   */
  private async reboot(live: Live, openEngineArray: OpenEngine, message: string): Promise<{ id: string; snapshot: ArraySnapshot }> {
    this.emit({ type: 'log', level: 'warn', timeMs: Date.now(), message });
    let array: LabArray;
    try {
      array = openEngineArray(live.session.imagePaths, this.engineOptions(live.session));
    } catch (err) {
      this.live = null;
      await live.session.close({ hash: false, dead: true });
      throw err;
    }
    this.record([{ assemble: null }]);
    live.run = new LabSession(live.id, array, this.emit);
    this.tickGuided();
    return { id: live.id, snapshot: live.run.poke() };
  }

  current(): { session: LabSession; geometry: ArrayGeometry; live: Live } {
    if (!this.live) throw new MdRefusal('No array is open: create one or open one from the workspace.');
    return { session: this.live.run, geometry: this.live.geometry, live: this.live };
  }

  /**
   * Performs a user action on the open array and journals it (anchored to where md stood) before the
   * request is answered. A refused action is not journaled: md did nothing.
   */
  act<T>(step: Step, perform: () => T): T {
    this.flushPattern();
    const steps = this.withAnchor(step);
    const result = perform();
    this.record(steps);
    this.tickGuided();
    return result;
  }

  /**
   * A built-in lab as a new live session: its array block and seed, as `mdlab run --lab` creates them, with
   * the lab attached (lab.json) so its steps tick as the student acts, here or after a reopen.
   */
  async startGuided(place: SessionPlace, lab: LabDefinition): Promise<{ session: LiveSessionInfo; snapshot: ArraySnapshot; lab: GuidedLabState }> {
    const opened = await this.newSession(place, lab.name, labCreateOptions(lab), lab.seed);
    const live = this.current().live;
    live.guided = GuidedLab.attach(live.session.folder, lab);
    return { ...opened, lab: live.guided.evaluate(live.run.array) };
  }

  /** The attached lab judged against the array as it is now, or null when the open session follows none. */
  guidedState(): GuidedLabState | null {
    const live = this.live;
    return live?.guided?.evaluate(live.run.array) ?? null;
  }

  /** "Show me": the current step's actions on the live array, journaled like the student's own. */
  async doGuidedStep(): Promise<GuidedLabState> {
    const { live } = this.current();
    if (live.guided === null) throw new MdRefusal('The open session follows no guided lab: start one from the Guided labs panel.');
    await live.guided.doStep(this, () => this.current().session.array);
    live.run.poke();
    return live.guided.evaluate(live.run.array);
  }

  /** Right after an action, before md's loop runs on: a step whose effect is brief (degraded before a rebuild) is seen. */
  private tickGuided(): void {
    const live = this.live;
    live?.guided?.noteAction();
    live?.guided?.evaluate(live.run.array);
  }

  private withAnchor(...steps: Step[]): Step[] {
    return [...this.anchor(), ...steps];
  }

  /** Where md stands now, as the step a replay must take to stand there too. */
  private anchor(): Step[] {
    const live = this.current().live;
    const array = live.run.array;
    const exact = array.syncPosition();
    return anchorSteps(livePosition(array.snapshot(), array.progress(), exact, performance.now() - live.lastWallMs));
  }

  /** Appends steps to the journal (synced before this returns), stamped with journal time. */
  private record(steps: readonly Step[]): void {
    const live = this.live;
    if (live === null) return;
    const nowWall = performance.now();
    const atMs = Math.round(live.lastJournalMs + (nowWall - live.lastWallMs));
    for (const step of steps) live.session.record(step, atMs);
    live.lastWallMs = nowWall;
    live.lastJournalMs = atMs;
    if (steps.length > 0) live.dirty = true;
  }

  /** Pattern I/O done but not journaled yet: one step per PATTERN_JOURNAL_BYTES, anchored at its start. */
  private pendingPattern: { live: Live; anchor: Step[]; op: 'write' | 'verify'; offsetBytes: number; lengthBytes: number; badSectors: number } | null = null;

  private flushPattern(): void {
    const p = this.pendingPattern;
    this.pendingPattern = null;
    if (p === null || p.lengthBytes === 0 || p.live !== this.live) return;
    const step = patternStep(p.op, LAB_PATTERN_TAG, p.offsetBytes, p.lengthBytes, p.badSectors);
    this.record([...p.anchor, step]);
  }

  /** Writes or checks the lba pattern over the array, yielding between steps so a sync keeps running. */
  async pattern(op: 'write' | 'verify', lengthBytes: number | undefined): Promise<PatternResult> {
    const { session, geometry, live } = this.current();
    const arrayBytes = geometry.arraySectors * 512;
    const total = Math.min(lengthBytes ?? arrayBytes, arrayBytes);
    const startedMs = Date.now();
    let badSectors = 0;
    let firstBadSector: number | null = null;
    this.flushPattern();
    for (let offset = 0; offset < total; offset += PATTERN_STEP_BYTES) {
      if (this.live !== live || live.run !== session) throw new MdRefusal('The array was closed while the pattern was running.');
      if (this.pendingPattern === null || this.pendingPattern.lengthBytes >= PATTERN_JOURNAL_BYTES) {
        this.flushPattern();
        this.pendingPattern = { live, anchor: this.anchor(), op, offsetBytes: offset, lengthBytes: 0, badSectors: 0 };
      }
      const length = Math.min(PATTERN_STEP_BYTES, total - offset);
      const expected = lbaPatternBytes(LAB_PATTERN_TAG, offset, length);
      if (op === 'write') {
        try {
          session.array.write(offset, expected);
        } catch (err) {
          // The cut fired inside this write: the replay performs it too, and the cut stops it at the same I/O.
          if (err instanceof PowerCutRefusal) this.pendingPattern.lengthBytes += length;
          throw err;
        }
      } else {
        const actual = session.array.read(offset, length);
        for (let s = 0; s < length; s += 512) {
          if (Buffer.compare(actual.subarray(s, s + 512), expected.subarray(s, s + 512)) === 0) continue;
          badSectors++;
          this.pendingPattern.badSectors++;
          firstBadSector ??= (offset + s) / 512;
        }
      }
      this.pendingPattern.lengthBytes += length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.live !== live || live.run !== session) throw new MdRefusal('The array was closed while the pattern was running.');
    this.flushPattern();
    this.tickGuided();
    session.poke();
    const elapsedMs = Date.now() - startedMs;
    const result = { op, bytes: total, badSectors, firstBadSector, elapsedMs };
    const verdict = op === 'write' ? 'written' : badSectors === 0 ? 'verified: every sector matches' : `verified: ${badSectors} sectors differ`;
    this.emit({ type: 'log', level: badSectors ? 'warn' : 'info', timeMs: Date.now(), message: `lba pattern ${verdict} (${total} bytes, ${elapsedMs} ms)` });
    return result;
  }
}

/**
 * The engine (md core, raid5, fault layer) loads on the first array, not at host start: a host that only
 * answers engine.info and the wizard comes up in half the time on a busy machine.
 */
function loadEngine(): Promise<typeof import('./engine-array')> {
  return import('./engine-array');
}

type OpenEngine = (typeof import('./engine-array'))['openEngineArray'];

let lab: Lab | null = null;

/** The host's lab, made on first use with the host's event stream. */
export function labState(emit: (event: EngineEvent) => void): Lab {
  lab ??= new Lab(emit);
  return lab;
}
