/**
 * A session is a folder: manifest.json, the member images (the truth: opening assembles the array from
 * them), initial/ (untouched copies of the members as created, where every replay starts), journal.jsonl
 * (every action, fault and seed, autosaved) and notes.md (the user's own words).
 *
 * new / open / saveAs / close. The manifest is written last on new and saveAs, so a folder interrupted
 * while being made has no manifest and is never mistaken for a session.
 */
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArraySnapshot } from '../api/snapshot';
import { type CreateOptions, createArray, imageName } from '../md/create';
import { MdRefusal } from '../md/errors';
import { uuidText } from '../util/uuid';
import { arrayContentSha256 } from './array-hash';
import type { ArrayDriver, LiveArray } from './driver';
import { SessionError } from './errors';
import { syncFolder, writeFileAtomic } from './files';
import { inspectSession, type InspectedSession } from './inspect';
import { JOURNAL_FILE, type JournalEntry, type JournalEntryInput, JournalWriter, type Step } from './journal';
import { type ArrayConfig, ArrayConfigSchema, type Manifest, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, manifestText } from './manifest';
import { realFolder, resolveInside } from './paths';
import { copySparse } from './sparse-copy';

export const NOTES_FILE = 'notes.md';
export const INITIAL_DIR = 'initial';
/** Above this much array data, close() does not hash the contents unless asked (it reads every byte). */
const HASH_ON_CLOSE_MAX_BYTES = 4 * 1024 ** 3;

export interface NewSessionOptions {
  name: string;
  array: ArrayConfig;
  seed?: number;
  driver?: ArrayDriver | null;
  /** Passed to mdadm's create policy; tests pin them for byte-identical images. */
  create?: Pick<CreateOptions, 'nowSeconds' | 'setUuid' | 'deviceUuid' | 'homehost' | 'name'>;
}

export function createOptionsOf(config: ArrayConfig): CreateOptions {
  return {
    level: config.level,
    raidDevices: config.raidDevices,
    spareDevices: config.spareDevices,
    layout: config.layout ?? undefined,
    chunkKib: config.chunkKib,
    memberBytes: config.memberBytes,
    bitmap: config.bitmap,
    assumeClean: config.assumeClean,
  };
}

/** A new session's folder must not exist yet, or be empty: mdlab never mixes its files with others. */
export function refuseUsedFolder(folder: string): void {
  if (fs.existsSync(folder) && (!fs.lstatSync(folder).isDirectory() || fs.readdirSync(folder).length > 0)) {
    throw new SessionError('EXISTS', `${folder} already exists and is not an empty folder; choose a new place for the session.`);
  }
}

/** Where Save As may copy a session: a fresh or empty folder that is not the session's own folder or inside it. */
export function refuseSaveAsTarget(sessionFolder: string, target: string): void {
  const rel = path.relative(sessionFolder, path.resolve(target));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new SessionError('EXISTS', 'A session cannot be saved inside its own folder; choose a folder elsewhere.');
  }
  refuseUsedFolder(path.resolve(target));
}

function prepareEmptyFolder(folder: string): { root: string; made: boolean } {
  let made = false;
  refuseUsedFolder(folder);
  if (!fs.existsSync(folder)) {
    fs.mkdirSync(folder);
    made = true;
  }
  return { root: realFolder(folder), made };
}

/**
 * Fills a fresh (empty) folder; if anything fails, removes what was put there, so a refused or failed
 * New / Save As leaves nothing behind. Everything inside was made by us: the folder started empty.
 */
function fillFresh<T>(folder: string, fill: (root: string) => T): T {
  const { root, made } = prepareEmptyFolder(folder);
  try {
    return fill(root);
  } catch (err) {
    for (const name of fs.readdirSync(root)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    if (made) fs.rmdirSync(root);
    throw err;
  }
}

/** The array's sha256, or null when md would not start it (a failed array has no contents to hash). */
function hashIfReadable(imagePaths: readonly string[]): string | null {
  try {
    return arrayContentSha256(imagePaths);
  } catch (err) {
    if (err instanceof MdRefusal) return null;
    throw err;
  }
}

export class Session {
  private closed = false;

  private constructor(
    readonly folder: string,
    readonly manifest: Manifest,
    private readonly journal: JournalWriter,
    private readonly entries: JournalEntry[],
    private array: LiveArray | null,
    private readonly driver: ArrayDriver | null,
    /** What the user should be told about the open (e.g. a dropped torn journal line). */
    readonly messages: readonly string[],
  ) {}

  static async create(folder: string, opts: NewSessionOptions): Promise<Session> {
    if (opts.name.length < 1 || opts.name.length > 200) throw new SessionError('MANIFEST_MALFORMED', 'A session name is 1 to 200 characters long.');
    if (!ArrayConfigSchema.safeParse(opts.array).success) throw new SessionError('MANIFEST_MALFORMED', 'The array configuration is not one mdlab can create.');
    const made = fillFresh(folder, (root) => Session.makeFolder(root, opts));
    const driver = opts.driver ?? null;
    const array = driver ? await driver.assemble(made.paths, { seed: made.manifest.seed }) : null;
    return new Session(made.root, made.manifest, made.journal, made.entries, array, driver, []);
  }

  private static makeFolder(root: string, opts: NewSessionOptions) {
    const { plan, paths } = createArray(root, { ...createOptionsOf(opts.array), ...opts.create });
    fs.mkdirSync(path.join(root, INITIAL_DIR));
    const initialImages = paths.map((_, i) => `${INITIAL_DIR}/${imageName(i)}`);
    paths.forEach((p, i) => copySparse(p, path.join(root, initialImages[i])));
    const seed = opts.seed ?? randomInt(0, 0x1_0000_0000);
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      product: 'mdlab-session',
      name: opts.name,
      createdAt: new Date().toISOString(),
      arrayUuid: uuidText(plan.superblocks[0].setUuid),
      array: opts.array,
      seed,
      members: paths.map((p, i) => ({ image: imageName(i), sizeBytes: fs.statSync(p).size })),
      initialImages,
      journal: JOURNAL_FILE,
      notes: NOTES_FILE,
    };
    const journal = JournalWriter.create(path.join(root, JOURNAL_FILE));
    const entries = [journal.append({ type: 'seed', atMs: 0, seed })];
    try {
      writeFileAtomic(path.join(root, NOTES_FILE), '');
      writeFileAtomic(path.join(root, MANIFEST_FILE), manifestText(manifest));
    } catch (err) {
      journal.close();
      throw err;
    }
    return { root, manifest, journal, entries, paths };
  }

  /** Opens after inspectSession found nothing wrong; until then not one byte of the folder is written. */
  static async open(folder: string, opts: { driver?: ArrayDriver | null } = {}): Promise<Session> {
    const found: InspectedSession = inspectSession(folder);
    const journal = JournalWriter.openForAppend(found.journalPath, found.journal);
    const entries = [...found.journal.entries];
    const driver = opts.driver ?? null;
    let array: LiveArray | null = null;
    try {
      const startMs = found.journal.entries.at(-1)?.atMs ?? 0;
      array = driver ? await driver.assemble(found.imagePaths, { seed: found.manifest.seed, startMs }) : null;
    } catch (err) {
      journal.close();
      throw err;
    }
    const session = new Session(found.folder, found.manifest, journal, entries, array, driver, found.messages);
    session.append({ type: 'open', atMs: array?.nowMs() ?? session.lastAtMs() });
    return session;
  }

  get imagePaths(): string[] {
    return this.manifest.members.map((m) => resolveInside(this.folder, m.image));
  }

  get initialPaths(): string[] | null {
    return this.manifest.initialImages?.map((name) => resolveInside(this.folder, name)) ?? null;
  }

  get journalEntries(): readonly JournalEntry[] {
    return this.entries;
  }

  get running(): LiveArray | null {
    return this.array;
  }

  snapshot(): ArraySnapshot | null {
    return this.array?.snapshot() ?? null;
  }

  private lastAtMs(): number {
    return this.entries.at(-1)?.atMs ?? 0;
  }

  private append(entry: JournalEntryInput): JournalEntry {
    this.assertOpen();
    const written = this.journal.append(entry);
    this.entries.push(written);
    return written;
  }

  private assertOpen(): void {
    if (this.closed) throw new SessionError('CLOSED', 'This session is closed; reopen it to continue.');
  }

  /** Journals a step the caller has already performed (a host that drives the engine itself). */
  record(step: Step, atMs: number = this.array?.nowMs() ?? this.lastAtMs()): JournalEntry {
    return this.append({ type: 'step', atMs, step });
  }

  /** Performs a step on the running array, then journals it (autosaved before this returns). */
  async perform(step: Step): Promise<JournalEntry> {
    this.assertOpen();
    if (!this.array) throw new SessionError('CLOSED', 'This session has no running array; open it with an engine to act on it.');
    const atMs = this.array.nowMs();
    await this.array.perform(step);
    return this.record(step, atMs);
  }

  readNotes(): string {
    return fs.readFileSync(resolveInside(this.folder, this.manifest.notes), 'utf8');
  }

  writeNotes(text: string): void {
    this.assertOpen();
    writeFileAtomic(resolveInside(this.folder, this.manifest.notes), text);
  }

  private async stopArray(): Promise<void> {
    const array = this.array;
    this.array = null;
    if (array) await array.stop();
  }

  /**
   * Stops the array cleanly, journals the close (with the array's sha256) and flushes everything. `dead`:
   * no array ran (md would not start it), which a replay must know to start it again only as the journal says.
   */
  async close(opts: { hash?: boolean; dead?: boolean } = {}): Promise<{ arraySha256: string | null }> {
    if (this.closed) return { arraySha256: null };
    await this.stopArray();
    const a = this.manifest.array;
    const wantHash = opts.hash ?? a.memberBytes * (a.raidDevices - 1) <= HASH_ON_CLOSE_MAX_BYTES;
    const arraySha256 = wantHash ? hashIfReadable(this.imagePaths) : null;
    this.append({ type: 'close', atMs: this.lastAtMs(), arraySha256, ...(opts.dead ? { dead: true as const } : {}) });
    this.journal.close();
    syncFolder(this.folder);
    this.closed = true;
    return { arraySha256 };
  }

  /**
   * Copies the whole session (images sparsely) to a new folder and continues there. The array is stopped
   * first so the copied images are clean, then assembled again from the copies: the images stay the truth.
   */
  async saveAs(folder: string): Promise<Session> {
    this.assertOpen();
    const target = path.resolve(folder);
    refuseSaveAsTarget(this.folder, target);
    // The copy's journal says the array was stopped here, so its replay stops before it assembles again.
    if (this.array) this.record({ stop: null });
    await this.stopArray();
    const root = fillFresh(target, (into) => {
      const copy = (name: string, sparse: boolean): void => {
        const dst = resolveInside(into, name);
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        if (sparse) copySparse(resolveInside(this.folder, name), dst);
        else fs.copyFileSync(resolveInside(this.folder, name), dst, fs.constants.COPYFILE_EXCL);
      };
      for (const m of this.manifest.members) copy(m.image, true);
      for (const name of this.manifest.initialImages ?? []) copy(name, true);
      copy(this.manifest.journal, false);
      copy(this.manifest.notes, false);
      writeFileAtomic(path.join(into, MANIFEST_FILE), manifestText(this.manifest));
      return into;
    });
    // The original stays as it was at the moment of saving; its journal is closed without a close entry
    // being needed, since nothing more happens there.
    this.journal.close();
    this.closed = true;
    return Session.open(root, { driver: this.driver });
  }
}
