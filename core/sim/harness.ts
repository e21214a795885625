/**
 * The deterministic simulation harness (issue #5, item 6): one seed gives an array on in-memory
 * members under the fault layer, a random workload with failures, re-adds, syncs, stop/assemble
 * cycles, scheduled faults and power cuts, and after every step the invariants:
 *  - every read returns what the shadow says (acknowledged writes survive any single failure);
 *  - no read returns bytes never written there — except the RAID5 write hole, which the harness
 *    predicts (a power cut during a write, then a member lost before the resync finished) and reports;
 *  - a clean, complete array has consistent parity in every stripe (read from the images, XOR);
 *  - superblock events never go backwards (beyond md's one-step clean-mark undo);
 *  - a cut with writes in flight leaves an unclean array that resyncs on the next assembly;
 *  - after a second failure reads fail with MdIoError rather than return wrong bytes.
 * An AssertionError from the engine is a bug and fails the run like a broken invariant.
 */
import { MdArray } from '../engine/array';
import { VirtualClock } from '../engine/clock';
import type { Mddev } from '../engine/md/mddev';
import { MAX_SECTOR_NUM } from '../engine/md/rdev';
import { syncActionOf, syncCompletedOf } from '../engine/md/snapshot';
import { MdIoError, type MemberIoHooks } from '../engine/types';
import { FaultLayer } from '../faults/layer';
import { Prng } from '../faults/prng';
import type { SyncAction } from '../faults/timeline';
import type { MemBlockDevice } from '../format/blockdev';
import { planCreate, type CreatePlan } from '../md/create';
import { MdRefusal } from '../md/errors';
import { AssertionError } from '../util/assert';
import { EventsWatch, firstInconsistentStripe } from './checks';
import { createMemImages, DiskHandle, simImageIndex, simImagePath } from './mem-disks';
import { ShadowArray } from './shadow';
import { chooseGeometry, chooseRange, nextStep, randomBytes, type StepKind } from './workload';

export interface SimOptions {
  seed: number;
  /** Workload steps after creation (default 24). */
  steps?: number;
  /** One line per step, for a replay. */
  log?: (line: string) => void;
  /**
   * false: members are lost through mdadm --fail only, never as a disk whose every I/O fails (dm-error).
   * Lets a soak explore the rest while the engine still mishandles metadata writes to a dead disk.
   */
  deadDisks?: boolean;
}

export interface SimFailure {
  step: number;
  kind: StepKind | 'create';
  message: string;
}

export interface SimResult {
  seed: number;
  steps: number;
  failure: SimFailure | null;
  /** Reads that met the write hole md would also have fallen into (reported, not a failure). */
  writeHoleReads: number;
  powerCuts: number;
  /** Power cuts that dropped writes in flight (the rest hit between writes). */
  cutsWithDroppedWrites: number;
  parityChecks: number;
  secondFailures: number;
  /** How each step kind was used, for the soak's summary. */
  kinds: Partial<Record<StepKind, number>>;
}

class InvariantBroken extends Error {
  override name = 'InvariantBroken';
}

function broken(message: string): never {
  throw new InvariantBroken(message);
}

/** The array ended (second failure): no more steps make sense. */
class RunOver extends Error {}

const SECTOR_BYTES = 512;

class SimRun {
  readonly clock = new VirtualClock();
  readonly prng: Prng;
  readonly plan: CreatePlan;
  readonly images: MemBlockDevice[];
  readonly shadow: ShadowArray;
  readonly events = new EventsWatch();
  readonly rowBytes: number;
  readonly bitmap: boolean;
  handles: DiskHandle[] = [];
  layer!: FaultLayer;
  array!: MdArray;
  cycle = 0;
  /** Chunk rows a power cut left with writes maybe half done, until a resync covers them. */
  readonly exposedRows = new Set<number>();
  readonly result: SimResult;

  constructor(
    readonly seed: number,
    private readonly log: (line: string) => void,
    private readonly deadDisks: boolean,
  ) {
    this.prng = Prng.derive(seed, 'sim workload');
    const options = chooseGeometry(Prng.derive(seed, 'sim geometry'));
    this.plan = planCreate(options);
    this.bitmap = this.plan.bitmap !== null;
    this.images = createMemImages(this.plan);
    const dataDisks = options.raidDevices - 1;
    this.rowBytes = dataDisks * this.plan.superblocks[0].chunksize * SECTOR_BYTES;
    this.shadow = new ShadowArray(dataDisks * this.plan.componentSectors * SECTOR_BYTES);
    this.result = { seed, steps: 0, failure: null, writeHoleReads: 0, powerCuts: 0, cutsWithDroppedWrites: 0, parityChecks: 0, secondFailures: 0, kinds: {} };
    const layout = options.level === 5 ? ` layout ${options.layout}` : '';
    this.log(`create raid${options.level}${layout}, ${options.raidDevices} members, chunk ${options.chunkKib}K, ${this.plan.componentSectors / 2} KiB each, bitmap ${this.bitmap ? 'internal' : 'none'}${options.assumeClean ? ', assume-clean' : ''}`);
  }

  get mddev(): Mddev {
    return this.array.mddev;
  }

  // ---- assembly ----

  assemble(firstRun: boolean): void {
    this.cycle++;
    this.handles = this.images.map((image) => new DiskHandle(image));
    this.layer = new FaultLayer({
      seed: Prng.derive(this.seed, `sim faults ${this.cycle}`).nextU32(),
      clock: () => this.clock.nowMs(),
      members: this.handles,
      progress: () => this.progress(),
    });
    const openDevice = (imagePath: string) => {
      const i = simImageIndex(imagePath);
      this.handles[i].reopen();
      return this.layer.devices[i];
    };
    this.array = MdArray.assemble(
      this.images.map((_, i) => simImagePath(i)),
      { clock: this.clock, openDevice, run: true, name: 'md0', createdWithSpareTrickImage: firstRun && this.plan.spareTrickImage >= 0 ? this.plan.spareTrickImage : undefined },
    );
    attachMemberIo(this.mddev, this.memberIoHooks());
  }

  private memberIoHooks(): MemberIoHooks {
    const layer = this.layer;
    return {
      nowMs: () => this.clock.nowMs(),
      pass: () => void layer.timeline.poll(),
      writeSubmitted: (rdev, offsetBytes, lengthBytes, nowMs) => layer.powerCut.submit(layer.devices.indexOf(rdev.dev as never), offsetBytes, lengthBytes, nowMs),
      writeCompleted: (token) => layer.powerCut.complete(token),
    };
  }

  private progress(): { action: SyncAction; fraction: number } | null {
    const m = this.array?.mddev;
    if (m === undefined || m.stopped) return null;
    const done = syncCompletedOf(m);
    const action = syncActionOf(m);
    if (done === null || done.totalSectors === 0) return null;
    if (action !== 'resync' && action !== 'recover' && action !== 'check' && action !== 'repair') return null;
    return { action, fraction: done.doneSectors / done.totalSectors };
  }

  /** The member index (= image index) of every active, in-sync member. */
  inSyncMembers(): number[] {
    return this.mddev.rdevs.filter((r) => r.inSync && !r.faulty && r.raidDisk >= 0).map((r) => simImageIndex(r.imagePath));
  }

  missingImages(): number[] {
    const present = new Set(this.mddev.rdevs.filter((r) => !r.faulty).map((r) => simImageIndex(r.imagePath)));
    return this.images.map((_, i) => i).filter((i) => !present.has(i));
  }

  // ---- checks ----

  /** Reads a range through md and judges it against the shadow. */
  readAndJudge(offsetBytes: number, lengthBytes: number): void {
    const actual = this.array.readSync(offsetBytes, lengthBytes);
    const verdict = this.shadow.judgeRead(offsetBytes, actual);
    if (verdict.kind === 'wrong') {
      broken(`read of ${lengthBytes} bytes at ${offsetBytes} returned bytes never written at array sector ${verdict.sector} (byte ${verdict.firstByte})`);
    }
    if (verdict.kind === 'write-hole') {
      this.result.writeHoleReads++;
      this.log(`  write hole: ${verdict.sectors.length} sector(s) from array sector ${verdict.sectors[0]} rebuilt from stale parity`);
    }
  }

  verifyAll(): void {
    const windowBytes = 256 * 1024;
    for (let at = 0; at < this.shadow.sizeBytes; at += windowBytes) this.readAndJudge(at, Math.min(windowBytes, this.shadow.sizeBytes - at));
  }

  /** Parity of a clean, complete, idle array must add up everywhere. */
  checkParityIfClean(): void {
    const m = this.mddev;
    if (!this.array.idle() || m.degraded() > 0 || m.recoveryCp !== MAX_SECTOR_NUM || this.exposedRows.size > 0) return;
    const slots = m.rdevs
      .filter((r) => r.raidDisk >= 0 && r.inSync && !r.faulty)
      .map((r) => ({ slot: r.raidDisk, image: this.images[simImageIndex(r.imagePath)], dataOffsetSectors: r.dataOffsetSectors }));
    if (slots.length !== m.raidDisks) broken(`a non-degraded array has ${slots.length} of ${m.raidDisks} slots in sync`);
    const bad = firstInconsistentStripe(slots, m.devSectors);
    this.result.parityChecks++;
    if (bad !== null) broken(`parity does not match the data in the stripe at member sector ${bad} of a clean, complete array`);
  }

  checkEvents(): void {
    const problem = this.events.observe(this.images);
    if (problem !== null) broken(problem);
  }

  afterStep(): void {
    this.checkEvents();
    this.checkParityIfClean();
  }

  // ---- steps ----

  step(kind: StepKind): void {
    switch (kind) {
      case 'write':
        return this.write();
      case 'read': {
        const { offsetBytes, lengthBytes } = chooseRange(this.prng, this.shadow.sizeBytes, this.rowBytes);
        this.log(`read ${lengthBytes} @ ${offsetBytes}`);
        return this.readAndJudge(offsetBytes, lengthBytes);
      }
      case 'fail':
        return this.fail();
      case 'read-error':
        return this.readError();
      case 'add-back':
        return this.addBack();
      case 'check':
      case 'repair':
        return this.sync(kind);
      case 'stop-assemble':
        this.log('stop, assemble');
        this.array.stop();
        this.assemble(false);
        this.array.waitIdleSync();
        this.settleResync();
        return this.verifyAll();
      case 'power-cut':
        return this.powerCut();
      case 'second-failure':
        return this.secondFailure();
    }
  }

  private write(): void {
    const { offsetBytes, lengthBytes } = chooseRange(this.prng, this.shadow.sizeBytes, this.rowBytes);
    const data = randomBytes(this.prng, lengthBytes);
    this.log(`write ${lengthBytes} @ ${offsetBytes}`);
    this.array.writeSync(offsetBytes, data);
    this.shadow.acknowledged(offsetBytes, data);
    this.readAndJudge(offsetBytes, lengthBytes);
  }

  /** One member lost: mdadm --fail, a dead disk (dm-error) found by reads, or a write error. */
  private fail(): void {
    const members = this.inSyncMembers();
    const victim = members[this.prng.nextInt(members.length)];
    const how = this.prng.nextInt(3);
    const dev = this.layer.devices[victim];
    if (how === 0 || (how === 1 && !this.deadDisks)) {
      this.log(`mdadm --fail disk${victim}`);
      this.array.fail(simImagePath(victim));
    } else if (how === 1) {
      this.log(`disk${victim} dies (dm-error); read everything, then write a stripe row`);
      dev.inject({ kind: 'fail' });
      this.verifyAll();
      // Reads never touch a member holding only parity (RAID4, parity-first/last), and md cannot notice
      // a death no I/O reaches; a full row write reaches every member, as the next write would.
      this.writeRandomRow();
    } else if (how === 2) {
      this.log(`disk${victim} refuses writes (dm-error on its data area); write a stripe row`);
      const rdev = this.array.member(simImagePath(victim));
      dev.inject({ kind: 'write-error', range: { startSector: rdev.dataOffsetSectors, lengthSectors: this.mddev.devSectors } });
      this.writeRandomRow();
      this.array.waitIdleSync();
      if (!rdev.faulty) {
        // md may keep the member and record the failed blocks in its bad-block log instead (spec §4.11).
        if (rdev.badblocks.count === 0) broken(`a write error on disk${victim} neither failed it nor recorded a bad block`);
        this.log(`  md recorded ${rdev.badblocks.count} bad block range(s) on disk${victim}; mdadm --fail it`);
        this.array.fail(simImagePath(victim));
      }
    }
    this.array.waitIdleSync();
    if (this.mddev.degraded() !== 1) broken(`after losing disk${victim} the array is ${this.mddev.degraded()} degraded, not 1`);
    dev.clearAll();
    this.verifyAll();
  }

  /** A whole stripe row of random data: one write that reaches every member, parity included. */
  private writeRandomRow(): void {
    const row = this.prng.nextInt(this.shadow.sizeBytes / this.rowBytes);
    const data = randomBytes(this.prng, this.rowBytes);
    this.array.writeSync(row * this.rowBytes, data);
    this.shadow.acknowledged(row * this.rowBytes, data);
  }

  /** dm-dust under one member: md must correct it by rewrite and keep every byte. */
  private readError(): void {
    const members = this.inSyncMembers();
    const victim = members[this.prng.nextInt(members.length)];
    const rdev = this.array.member(simImagePath(victim));
    const lengthSectors = 1 + this.prng.nextInt(8);
    const startSector = rdev.dataOffsetSectors + this.prng.nextInt(this.mddev.devSectors - lengthSectors + 1);
    const dev = this.layer.devices[victim];
    this.log(`disk${victim}: unreadable sectors ${startSector}+${lengthSectors} (dm-dust); read everything`);
    dev.inject({ kind: 'read-error', range: { startSector, lengthSectors } });
    this.verifyAll();
    this.array.waitIdleSync();
    // Parity sectors are only read by a sync; what the reads did not reach stays bad and is cleared here,
    // so a later single failure stays a single failure.
    dev.clearAll();
  }

  private addBack(): void {
    const failed = this.mddev.rdevs.find((r) => r.faulty);
    if (failed !== undefined) {
      this.log(`mdadm --remove ${failed.name}`);
      this.array.remove(failed.imagePath);
    }
    const missing = this.missingImages();
    const image = missing[this.prng.nextInt(missing.length)];
    this.layer.devices[image].clearAll();
    const path = simImagePath(image);
    let mode = this.bitmap && this.prng.chance(0.7) ? 're-add' : 'add';
    try {
      if (mode === 're-add') this.array.reAdd(path);
      else this.array.add(path);
    } catch (err) {
      if (!(err instanceof MdRefusal) || mode !== 're-add') throw err;
      mode = 'add (re-add refused)';
      this.array.add(path);
    }
    this.log(`mdadm --${mode} disk${image}; wait for recovery`);
    this.array.waitIdleSync();
    this.settleResync();
    this.verifyAll();
  }

  private sync(action: 'check' | 'repair'): void {
    // Half the time a dm-dust sector appears under one member partway through: the sync must correct it.
    let dusted: number | null = null;
    if (this.prng.chance(0.5)) {
      const members = this.inSyncMembers();
      dusted = members[this.prng.nextInt(members.length)];
      const rdev = this.array.member(simImagePath(dusted));
      const startSector = rdev.dataOffsetSectors + this.prng.nextInt(this.mddev.devSectors);
      const fraction = this.prng.nextFloat();
      this.layer.timeline.schedule({ op: 'inject', member: dusted, spec: { kind: 'read-error', range: { startSector, lengthSectors: 1 } } }, { kind: 'progress', fraction, action });
      this.log(`${action}, with disk${dusted} sector ${startSector} unreadable from ${(fraction * 100).toFixed(0)}% on`);
    } else {
      this.log(action);
    }
    this.array.setSyncAction(action);
    this.array.waitIdleSync();
    if (dusted !== null) this.layer.devices[dusted].clearAll();
    for (const pending of this.layer.timeline.pending()) this.layer.timeline.cancel(pending.id);
    const m = this.mddev;
    if (m.degraded() !== 0) broken(`${action} on a healthy array left it ${m.degraded()} degraded`);
    const mismatches = m.mismatches;
    if (action === 'check' && this.exposedRows.size === 0 && mismatches !== 0) {
      broken(`check of a consistent array counted mismatch_cnt ${mismatches}`);
    }
  }

  /** A power cut in the middle of a write, the engine abandoned, reassembly and (maybe) the write hole. */
  private powerCut(): void {
    const { offsetBytes, lengthBytes } = chooseRange(this.prng, this.shadow.sizeBytes, this.rowBytes);
    const data = randomBytes(this.prng, lengthBytes);
    const trigger = { kind: 'nth-write' as const, member: this.prng.nextInt(this.handles.length), n: 1 + this.prng.nextInt(6) };
    const survival = this.prng.chance(0.25) ? Math.round(this.prng.nextFloat() * 100) / 100 : null;
    this.log(`write ${lengthBytes} @ ${offsetBytes}, power cut before write ${trigger.n} to disk${trigger.member} (survival ${survival ?? 0})`);
    const id = this.layer.timeline.schedule({ op: 'power-cut', survivalProbability: survival }, trigger);
    let writeError: unknown = null;
    try {
      this.array.writeSync(offsetBytes, data);
    } catch (err) {
      if (err instanceof AssertionError) throw err;
      writeError = err;
    }
    const domain = this.layer.powerCut;
    if (!domain.hasCut) {
      if (writeError !== null) throw writeError;
      this.layer.timeline.cancel(id);
      this.shadow.acknowledged(offsetBytes, data);
      this.layer.timeline.apply({ op: 'power-cut' });
    } else {
      this.shadow.interrupted(offsetBytes, data);
      const firstRow = Math.floor(offsetBytes / this.rowBytes);
      const lastRow = Math.floor((offsetBytes + lengthBytes - 1) / this.rowBytes);
      for (let row = firstRow; row <= lastRow; row++) this.exposedRows.add(row);
    }
    const report = domain.report!;
    const dropped = report.writes.filter((w) => w.outcome === 'dropped').length;
    this.result.powerCuts++;
    if (dropped > 0) this.result.cutsWithDroppedWrites++;
    this.log(`  cut: ${report.writes.length} write(s) in flight, ${dropped} dropped; the engine is abandoned`);
    for (const handle of this.handles) handle.close();

    this.assemble(false);
    const m = this.mddev;
    if (dropped > 0 && m.recoveryCp === MAX_SECTOR_NUM) broken('a power cut dropped writes in flight, yet the array reassembled clean');
    if (this.exposedRows.size > 0 && this.prng.chance(0.4)) {
      // The lesson: lose a member before the resync has rewritten the half-updated stripes.
      // Small arrays resync in a pass or two, so the loss mostly comes at once.
      for (let passes = this.prng.chance(0.7) ? 0 : 1 + this.prng.nextInt(3); passes > 0; passes--) this.array.runSlice(8, 1);
      const members = this.inSyncMembers();
      const victim = members[this.prng.nextInt(members.length)];
      this.log(`  disk${victim} fails during the resync`);
      if (m.recoveryCp !== MAX_SECTOR_NUM) this.taintExposedRows();
      this.array.fail(simImagePath(victim));
    }
    this.array.waitIdleSync();
    this.settleResync();
    this.verifyAll();
  }

  private taintExposedRows(): void {
    const rowSectors = this.rowBytes / SECTOR_BYTES;
    for (const row of this.exposedRows) this.shadow.taint(row * rowSectors, rowSectors);
    this.exposedRows.clear();
  }

  /** A finished resync on a whole array rewrote every half-updated stripe: nothing is exposed any more. */
  private settleResync(): void {
    const m = this.mddev;
    if (m.recoveryCp === MAX_SECTOR_NUM && m.degraded() === 0) this.exposedRows.clear();
    else if (m.degraded() > 0 && this.exposedRows.size > 0) this.taintExposedRows();
  }

  /** A second member lost: reads either fail with MdIoError or return the right bytes; the run ends. */
  private secondFailure(): void {
    const members = this.inSyncMembers();
    const victim = members[this.prng.nextInt(members.length)];
    this.log(`disk${victim} dies too (second failure); read everything`);
    if (this.deadDisks) this.layer.devices[victim].inject({ kind: 'fail' });
    else this.array.fail(simImagePath(victim));
    const windowBytes = this.rowBytes;
    let refused = 0;
    for (let at = 0; at < this.shadow.sizeBytes; at += windowBytes) {
      try {
        this.readAndJudge(at, Math.min(windowBytes, this.shadow.sizeBytes - at));
      } catch (err) {
        if (!(err instanceof MdIoError)) throw err;
        refused++;
      }
    }
    if (refused === 0) broken(`with two members lost every read still succeeded`);
    this.result.secondFailures++;
    this.log(`  ${refused} read(s) failed with MdIoError`);
    throw new RunOver();
  }
}

/**
 * The raid5 personality honours MddevView.memberIo (power-cut submit/complete, timeline polls), but
 * the md core has no setter for it yet: the harness installs it on the running Mddev itself.
 */
function attachMemberIo(mddev: Mddev, hooks: MemberIoHooks): void {
  (mddev as unknown as { memberIo: MemberIoHooks | null }).memberIo = hooks;
}

export function runSimulation(options: SimOptions): SimResult {
  const log = options.log ?? (() => {});
  const steps = options.steps ?? 24;
  let run: SimRun | null = null;
  let step = 0;
  let kind: StepKind | 'create' = 'create';
  try {
    run = new SimRun(options.seed, log, options.deadDisks ?? true);
    run.assemble(true);
    run.array.waitIdleSync();
    run.afterStep();
    for (step = 1; step <= steps; step++) {
      kind = nextStep(run.prng, { degraded: run.mddev.degraded(), memberMissing: run.missingImages().length > 0 });
      run.result.kinds[kind] = (run.result.kinds[kind] ?? 0) + 1;
      run.step(kind);
      run.afterStep();
      run.result.steps = step;
    }
    run.verifyAll();
    run.array.stop();
    run.checkEvents();
  } catch (err) {
    if (err instanceof RunOver && run !== null) {
      run.result.steps = step;
      return run.result;
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (process.env.MDLAB_SIM_STACK) log(String((err as Error).stack));
    const result = run?.result ?? { seed: options.seed, steps: 0, failure: null, writeHoleReads: 0, powerCuts: 0, cutsWithDroppedWrites: 0, parityChecks: 0, secondFailures: 0, kinds: {} };
    result.failure = { step, kind, message };
    log(`FAILED at step ${step} (${kind}): ${message}`);
    return result;
  }
  return run.result;
}
