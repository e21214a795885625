/**
 * Test scaffolding for the personality on its own: a small MddevView that does what md.c's helpers do
 * for raid5 (md_error marks Faulty, md_done_sync counts, mismatches add up) over real block devices,
 * and drivers that play md_do_sync and the md thread loop. Assertions are always on member bytes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Prng } from '../../../core/faults/prng';
import { FileBlockDevice, MemBlockDevice, type BlockDevice } from '../../../core/format/blockdev';
import { BadBlocks } from '../../../core/engine/md/badblocks';
import { createRaid5Personality } from '../../../core/engine/raid5';
import {
  MdIoError,
  type Bio,
  type MddevView,
  type MemberIoHooks,
  type Personality,
  type RdevFlag,
  type RdevView,
  type SyncKind,
  type TraceEvent,
  type TraceSink,
  type WriteIntentBitmap,
} from '../../../core/engine/types';

export class TestRdev implements RdevView {
  raidDisk: number;
  readonly flags = new Set<RdevFlag>(['In_sync']);
  recoveryOffsetSectors = Number.POSITIVE_INFINITY;
  correctedErrors = 0;
  readErrors = 0;
  readBytes = 0;
  writtenBytes = 0;
  savedRaidDisk = -1;
  /** A member with a log, as mdadm creates them: tests switch it off with `new BadBlocks(true)`. */
  badblocks = new BadBlocks(false);

  constructor(
    readonly dev: BlockDevice,
    readonly devNumber: number,
    readonly dataOffsetSectors: number,
  ) {
    this.raidDisk = devNumber;
  }
}

export class RecordingTrace implements TraceSink {
  readonly events: Omit<TraceEvent, 'timeMs'>[] = [];
  constructor(private readonly wanted: ReadonlySet<TraceEvent['fn']> = new Set()) {}
  wants(fn: TraceEvent['fn']): boolean {
    return this.wanted.has(fn);
  }
  emit(event: Omit<TraceEvent, 'timeMs'>): void {
    this.events.push(event);
  }
}

export interface ArrayOptions {
  level?: 4 | 5;
  layout?: number;
  disks?: number;
  chunkSectors?: number;
  devSectors?: number;
  dataOffsetSectors?: number;
  /** Put members in sparse files in this folder instead of memory. */
  dir?: string;
  trace?: TraceEvent['fn'][];
  /** Wrap each member's device (fault injection, I/O counting). */
  wrap?: (dev: BlockDevice, index: number) => BlockDevice;
}

export class TestMddev implements MddevView {
  readonly raidDisks: number;
  readonly level: 4 | 5;
  readonly layout: number;
  readonly chunkSectors: number;
  readonly devSectors: number;
  readonly rdevs: TestRdev[] = [];
  readonly trace: RecordingTrace;
  bitmap: WriteIntentBitmap | null = null;
  memberIo: MemberIoHooks | null = null;
  /** md's clock, when a test drives daemon()'s I/O deadline. */
  clock: { nowMs(): number } | undefined = undefined;
  pers!: Personality;
  syncedSectors = 0;
  syncFailures = 0;
  mismatches = 0;
  writesInFlight = 0;
  checkRecoveryCalls = 0;
  readonly errors: string[] = [];

  constructor(opts: Required<Pick<ArrayOptions, 'level' | 'layout' | 'disks' | 'chunkSectors' | 'devSectors'>>, trace: RecordingTrace) {
    this.raidDisks = opts.disks;
    this.level = opts.level;
    this.layout = opts.layout;
    this.chunkSectors = opts.chunkSectors;
    this.devSectors = opts.devSectors;
    this.trace = trace;
  }

  mdError(rdev: RdevView, reason: string): void {
    if (rdev.flags.has('Faulty')) return;
    this.pers.errorHandler(rdev);
    rdev.flags.add('Faulty');
    rdev.flags.delete('In_sync');
    this.errors.push(`${rdev.dev.name}: ${reason}`);
  }
  readonly name = 'md0';
  readonly logs: string[] = [];
  log(line: string): void {
    this.logs.push(line);
  }
  rdevSetBadblocks(rdev: RdevView, sector: number, sectors: number): boolean {
    return rdev.badblocks.set(rdev.dataOffsetSectors + sector, sectors, false);
  }
  rdevClearBadblocks(rdev: RdevView, sector: number, sectors: number): void {
    rdev.badblocks.clear(rdev.dataOffsetSectors + sector, sectors);
  }
  mdDoneSync(sectors: number, ok: boolean): void {
    if (ok) this.syncedSectors += sectors;
    else this.syncFailures++;
  }
  addMismatches(sectors: number): void {
    this.mismatches += sectors;
  }
  mdWriteStart(): void {
    this.writesInFlight++;
  }
  mdWriteEnd(): void {
    this.writesInFlight--;
  }
  mdCheckRecovery(): void {
    this.checkRecoveryCalls++;
  }
}

export interface TestArray {
  mddev: TestMddev;
  pers: Personality;
  /** The unwrapped member devices, for checking bytes behind the engine's back. */
  devs: BlockDevice[];
  dataOffsetSectors: number;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-raid5-'));
}

export function makeArray(options: ArrayOptions = {}): TestArray {
  const opts = {
    level: options.level ?? 5,
    layout: options.layout ?? 2,
    disks: options.disks ?? 4,
    chunkSectors: options.chunkSectors ?? 128,
    devSectors: options.devSectors ?? 128 * 16,
  };
  const dataOffsetSectors = options.dataOffsetSectors ?? 2048;
  const trace = new RecordingTrace(new Set(options.trace ?? []));
  const mddev = new TestMddev(opts, trace);
  const devs: BlockDevice[] = [];
  for (let i = 0; i < opts.disks; i++) {
    const sizeBytes = (dataOffsetSectors + opts.devSectors) * 512;
    const dev = options.dir ? FileBlockDevice.create(path.join(options.dir, `disk${i}.img`), sizeBytes) : new MemBlockDevice(`disk${i}.img`, sizeBytes);
    devs.push(dev);
    mddev.rdevs.push(new TestRdev(options.wrap ? options.wrap(dev, i) : dev, i, dataOffsetSectors));
  }
  mddev.pers = createRaid5Personality(mddev);
  return { mddev, pers: mddev.pers, devs, dataOffsetSectors };
}

/** The md thread loop: raid5d passes until the personality has nothing left. */
export function runUntilIdle(pers: Personality, maxPasses = 1_000_000): number {
  let passes = 0;
  while (!pers.idle()) {
    pers.daemon();
    if (++passes > maxPasses) throw new Error('personality never became idle');
  }
  return passes;
}

export interface Submitted {
  done: boolean;
  error: MdIoError | null;
}

export function submit(pers: Personality, op: 'read' | 'write', sector: number, data: Uint8Array): Submitted {
  const state: Submitted = { done: false, error: null };
  const bio: Bio = {
    op,
    sector,
    data,
    endIo(error) {
      if (state.done) throw new Error('bio ended twice');
      state.done = true;
      state.error = error;
    },
  };
  pers.makeRequest(bio);
  return state;
}

function finish(pers: Personality, state: Submitted): void {
  runUntilIdle(pers);
  if (!state.done) throw new Error('bio never ended');
  if (state.error) throw state.error;
}

export function writeArray(pers: Personality, sector: number, data: Uint8Array): void {
  finish(pers, submit(pers, 'write', sector, data));
}

export function readArray(pers: Personality, sector: number, sectors: number): Uint8Array {
  const data = new Uint8Array(sectors * 512);
  finish(pers, submit(pers, 'read', sector, data));
  return data;
}

/** md_do_sync reduced to its loop: ask for stripes until the cache is full, let raid5d work, repeat. */
export function runSync(pers: Personality, kind: SyncKind, devSectors: number, from = 0): void {
  let j = from;
  while (j < devSectors) {
    const n = pers.syncRequest(j, kind);
    if (n === 0) pers.daemon();
    else j += n;
  }
  runUntilIdle(pers);
}

/** Deterministic pseudo-random bytes from mdlab's one PRNG, so failures reproduce. */
export function pattern(bytes: number, seed: number): Uint8Array {
  const prng = new Prng(seed);
  const out = new Uint8Array(bytes);
  const words = new Uint32Array(out.buffer, 0, bytes >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = prng.nextU32();
  for (let i = words.length * 4; i < bytes; i++) out[i] = prng.nextU32() & 0xff;
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readMember(t: TestArray, i: number, devSector: number, sectors: number): Uint8Array {
  const out = new Uint8Array(sectors * 512);
  t.devs[i].read(out, (t.dataOffsetSectors + devSector) * 512);
  return out;
}

export function writeMember(t: TestArray, i: number, devSector: number, data: Uint8Array): void {
  t.devs[i].write(data, (t.dataOffsetSectors + devSector) * 512);
}
