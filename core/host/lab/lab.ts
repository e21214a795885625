/**
 * The engine host's lab state: its workspace and the one array open in it. Handlers reach it through
 * labState(); nothing else in the host keeps array state.
 */
import type { ArraySnapshot, EngineEvent, PatternResult } from '../../api';
import { lbaPatternBytes } from '../../format/lba-pattern';
import { MdRefusal } from '../../md/errors';
import type { CreateOptions } from '../../md/create';
import type { LabArray } from './session';
import { readArrayGeometry, type ArrayGeometry } from './open-array';
import { LabSession } from './session';
import { Workspace } from './workspace';

/** Tag of the lab's `lba` pattern (golden/README.md): 6 characters, as the golden cases use. */
export const LAB_PATTERN_TAG = 'mdlab1';
/** Pattern I/O per step; between steps the host answers requests and the run loop publishes. */
const PATTERN_STEP_BYTES = 4 * 1024 * 1024;

export class Lab {
  readonly workspace: Workspace;
  private session: LabSession | null = null;
  private geometry: ArrayGeometry | null = null;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    workspaceRoot?: string,
  ) {
    this.workspace = new Workspace(workspaceRoot);
  }

  get openId(): string | null {
    return this.session?.id ?? null;
  }

  /** mdadm --create into the workspace, then run it: the new array becomes the open one. */
  async create(id: string, options: CreateOptions): Promise<{ id: string; snapshot: ArraySnapshot }> {
    const dir = this.workspace.claim(id);
    const { createEngineArray } = await loadEngine();
    this.close();
    const array = createEngineArray(dir, options, () => this.workspace.imagePaths(id));
    return this.adopt(id, array);
  }

  async open(id: string): Promise<{ id: string; snapshot: ArraySnapshot }> {
    const imagePaths = this.workspace.imagePaths(id);
    const { openEngineArray } = await loadEngine();
    this.close();
    return this.adopt(id, openEngineArray(imagePaths));
  }

  private adopt(id: string, array: LabArray): { id: string; snapshot: ArraySnapshot } {
    const imagePaths = this.workspace.imagePaths(id);
    let geometry: ArrayGeometry;
    try {
      geometry = readArrayGeometry(imagePaths);
    } catch (err) {
      array.stop();
      throw err;
    }
    this.geometry = geometry;
    this.session = new LabSession(id, array, this.emit);
    this.emit({ type: 'log', level: 'info', timeMs: Date.now(), message: `opened array ${id} (${imagePaths.length} images)` });
    return { id, snapshot: this.session.poke() };
  }

  close(): boolean {
    if (!this.session) return false;
    const id = this.session.id;
    this.session.close();
    this.session = null;
    this.geometry = null;
    this.emit({ type: 'log', level: 'info', timeMs: Date.now(), message: `closed array ${id}` });
    return true;
  }

  /** Power cut and reboot: md gets no shutdown at all, then assembles from whatever the images hold. */
  async crashAndRestart(): Promise<{ id: string; snapshot: ArraySnapshot }> {
    const { session } = this.current();
    session.crash();
    this.session = null;
    this.geometry = null;
    this.emit({ type: 'log', level: 'warn', timeMs: Date.now(), message: `${session.id}: power cut; restarting and assembling from the images` });
    return this.open(session.id);
  }

  current(): { session: LabSession; geometry: ArrayGeometry } {
    if (!this.session || !this.geometry) throw new MdRefusal('No array is open: create one or open one from the workspace.');
    return { session: this.session, geometry: this.geometry };
  }

  /** Writes or checks the lba pattern over the array, yielding between steps so a sync keeps running. */
  async pattern(op: 'write' | 'verify', lengthBytes: number | undefined): Promise<PatternResult> {
    const { session, geometry } = this.current();
    const arrayBytes = geometry.arraySectors * 512;
    const total = Math.min(lengthBytes ?? arrayBytes, arrayBytes);
    const startedMs = Date.now();
    let badSectors = 0;
    let firstBadSector: number | null = null;
    for (let offset = 0; offset < total; offset += PATTERN_STEP_BYTES) {
      const length = Math.min(PATTERN_STEP_BYTES, total - offset);
      const expected = lbaPatternBytes(LAB_PATTERN_TAG, offset, length);
      if (op === 'write') {
        session.array.write(offset, expected);
      } else {
        const actual = session.array.read(offset, length);
        for (let s = 0; s < length; s += 512) {
          if (Buffer.compare(actual.subarray(s, s + 512), expected.subarray(s, s + 512)) === 0) continue;
          badSectors++;
          firstBadSector ??= (offset + s) / 512;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (this.session !== session) throw new MdRefusal('The array was closed while the pattern was running.');
    }
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

let lab: Lab | null = null;

/** The host's lab, made on first use with the host's event stream. */
export function labState(emit: (event: EngineEvent) => void): Lab {
  lab ??= new Lab(emit);
  return lab;
}
