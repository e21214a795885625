/**
 * FaultyDevice: the fault layer under one member. It is a BlockDevice like the image it wraps, so the
 * engine cannot tell it is there; faults are injected and cleared at any time, each behaving as the
 * device-mapper target it imitates and doing nothing else.
 *
 * The faults form a fixed stack, top (engine side) to bottom (image), like dm targets stacked by hand:
 *   gone    fail (dm-error) / unplug / power off: every I/O errors
 *   flakey  dm-flakey down periods: error_reads, error_writes, drop_writes, corrupt_bio_byte
 *   sectors dm-dust read-error list (a write clears what it covers), write-error ranges
 *   timing  dm-delay latency and a bandwidth cap, in logical time (see timing.ts)
 *   image   the member itself; bit rot flips bits here directly, bypassing everything above
 */
import { type BlockDevice, DeviceError, VectoredBlockDevice } from '../format/blockdev';
import { assert } from '../util/assert';
import { applyBitFlips, bitrotPlacements } from './bitrot';
import { SectorSet } from './sector-set';
import { DiskTiming } from './timing';
import {
  type BitFlip,
  type FaultSpec,
  type FaultSpecInput,
  type FlakeyFeatures,
  type FlakeySpec,
  FaultError,
  type SectorRange,
  describeSpec,
  effectiveFlakeyFeatures,
  parseFaultSpec,
} from './spec';

const SECTOR_BYTES = 512;

export type IoOp = 'read' | 'write' | 'flush';

/** Called before every I/O reaches the fault stack; a timeline uses it for "on the Nth write" triggers. */
export type IoObserver = (dev: FaultyDevice, op: IoOp, offsetBytes: number, lengthBytes: number) => void;

export interface FaultyDeviceOptions {
  /** Engine logical time in ms: flakey periods are measured on it. */
  clock: () => number;
  /** How to reopen the image when an unplugged member is plugged back in; without it unplug is final. */
  reopen?: () => BlockDevice;
}

interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  readonly sinceMs: number;
  hits: number;
  /** read-error: the sectors still bad (dm-dust removes a sector when it is written). */
  readonly badSectors: SectorSet | null;
  /** bitrot: the bits it flipped. */
  readonly flips: readonly BitFlip[] | null;
}

interface DownFlakey {
  fault: ActiveFault;
  features: FlakeyFeatures;
}

/** One fault as the UI shows it. */
export interface FaultView {
  id: number;
  spec: FaultSpec;
  sinceMs: number;
  /** I/Os whose outcome or timing this fault changed (bit rot: bits flipped). */
  hits: number;
  /** 'on' for steady faults, 'up'/'down' for flakey, 'done' for one-shot bit rot. */
  state: 'on' | 'up' | 'down' | 'done';
  /** read-error: sectors of the list not yet cleared by a write. */
  badSectors: SectorRange[] | null;
  flips: BitFlip[] | null;
  text: string;
}

export interface IoCounters {
  reads: number;
  writes: number;
  flushes: number;
  /** I/Os that ended in a DeviceError from this layer or below. */
  failed: number;
}

function totalLength(buffers: readonly Uint8Array[]): number {
  let sum = 0;
  for (const b of buffers) sum += b.byteLength;
  return sum;
}

function rangeHits(range: SectorRange | null, startSector: number, endSector: number): boolean {
  if (range === null) return true;
  return range.startSector < endSector && range.startSector + range.lengthSectors > startSector;
}

/** Sets byte `index` (0-based) across the buffers of one bio, as corrupt_bio_data walks a bio's pages. */
function setBioByte(buffers: readonly Uint8Array[], index: number, value: number): void {
  let skip = index;
  for (const b of buffers) {
    if (skip < b.byteLength) {
      b[skip] = value;
      return;
    }
    skip -= b.byteLength;
  }
  assert(false, 'corrupt_bio_byte lies inside the bio');
}

/**
 * When the engine may complete a member I/O it has just issued at `issuedAtMs`: later than issue only
 * under a timing fault. Works for any member, so the engine need not know whether faults are present.
 */
export function completionTimeMs(dev: BlockDevice, issuedAtMs: number): number {
  return dev instanceof FaultyDevice ? Math.max(issuedAtMs, dev.lastIoCompleteAtMs) : issuedAtMs;
}

export class FaultyDevice extends VectoredBlockDevice {
  private device: BlockDevice;
  private readonly list: ActiveFault[] = [];
  private nextFaultId = 1;
  private unplugged = false;
  private poweredOff = false;
  private closed = false;
  private readonly timing = new DiskTiming();
  readonly counters: IoCounters = { reads: 0, writes: 0, flushes: 0, failed: 0 };
  /** Logical ms the last I/O took (0 without timing faults); the engine completes it that much later. */
  lastIoCostMs = 0;
  /** Logical time at which the last I/O completes. */
  lastIoCompleteAtMs = 0;
  observer: IoObserver | null = null;

  constructor(
    inner: BlockDevice,
    private readonly options: FaultyDeviceOptions,
  ) {
    super();
    this.device = inner;
  }

  get name(): string {
    return this.device.name;
  }

  get sizeBytes(): number {
    return this.device.sizeBytes;
  }

  /** The image below every fault, as currently open (closed while unplugged; see withImage). */
  get inner(): BlockDevice {
    return this.device;
  }

  /**
   * Runs `io` on the image beneath every fault (bit rot, power-cut restores). An unplugged image is
   * reopened for the moment: the medium still exists even though md can no longer reach it.
   */
  withImage<T>(io: (image: BlockDevice) => T): T {
    if (!this.unplugged && !this.closed) return io(this.device);
    if (!this.options.reopen) throw new FaultError(`${this.name} is ${this.unplugged ? 'unplugged' : 'closed'} and its image cannot be reopened.`);
    const image = this.options.reopen();
    try {
      return io(image);
    } finally {
      image.close();
    }
  }

  /** Whether withImage can reach the image now. */
  get imageReachable(): boolean {
    return (!this.unplugged && !this.closed) || this.options.reopen !== undefined;
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  get isPoweredOff(): boolean {
    return this.poweredOff;
  }

  // ---- configuration ----

  /** Applies a fault now (or, when replaying a journal, as of `sinceMs`). Returns its id. */
  inject(input: FaultSpecInput, sinceMs: number = this.options.clock()): number {
    const spec = parseFaultSpec(input);
    let flips: BitFlip[] | null = null;
    if (spec.kind === 'bitrot') {
      const placed = bitrotPlacements(spec, this.sizeBytes);
      this.withImage((image) => applyBitFlips(image, placed));
      flips = placed;
    }
    if (spec.kind === 'unplug' && !this.unplugged) {
      this.unplugged = true;
      this.device.close();
    }
    const fault: ActiveFault = {
      id: this.nextFaultId++,
      spec,
      sinceMs,
      hits: flips?.length ?? 0,
      badSectors: spec.kind === 'read-error' ? SectorSet.of(spec.range.startSector, spec.range.lengthSectors) : null,
      flips,
    };
    this.list.push(fault);
    return fault.id;
  }

  /** Removes a fault. Clearing an unplug plugs the member back in; clearing bit rot cannot unflip bits. */
  clear(id: number): void {
    const index = this.list.findIndex((f) => f.id === id);
    if (index < 0) throw new FaultError(`${this.name} has no fault #${id}.`);
    const fault = this.list[index];
    if (fault.spec.kind === 'unplug' && this.list.filter((f) => f.spec.kind === 'unplug').length === 1) this.replug();
    this.list.splice(index, 1);
  }

  /** Removes every fault, or none: a member that cannot be plugged back in keeps them all. */
  clearAll(): void {
    if (this.unplugged && !this.options.reopen) throw new FaultError(`${this.name} cannot be plugged back in: no way to reopen its image.`);
    for (const f of [...this.list].reverse()) this.clear(f.id);
  }

  private replug(): void {
    if (!this.options.reopen) throw new FaultError(`${this.name} cannot be plugged back in: no way to reopen its image.`);
    // The engine may have let go of the member meanwhile; its image is opened when the engine reopens it.
    if (!this.closed) this.device = this.options.reopen();
    this.unplugged = false;
  }

  /** The power-cut domain switches every member off at the cut; nothing reaches the image until powerOn. */
  powerOff(): void {
    this.poweredOff = true;
  }

  powerOn(): void {
    this.poweredOff = false;
  }

  faults(): FaultView[] {
    const nowMs = this.options.clock();
    return this.list.map((f) => {
      const state = f.spec.kind === 'bitrot' ? 'done' : f.spec.kind === 'flakey' ? (this.isDown(f.spec, f.sinceMs, nowMs) ? 'down' : 'up') : 'on';
      const badSectors = f.badSectors?.toRanges() ?? null;
      const left = badSectors ? `; ${f.badSectors!.sectorCount} bad sector(s) left` : '';
      return {
        id: f.id,
        spec: f.spec,
        sinceMs: f.sinceMs,
        hits: f.hits,
        state,
        badSectors,
        flips: f.flips ? [...f.flips] : null,
        text: `${describeSpec(f.spec)}${state === 'up' || state === 'down' ? `; ${state} now` : ''}${left}; hit ${f.hits}`,
      };
    });
  }

  /** One line per fault, for the UI and `mdlab` output. */
  describe(): string[] {
    return this.faults().map((f) => `#${f.id} ${f.text}`);
  }

  // ---- I/O ----

  readv(buffers: Uint8Array[], offsetBytes: number): void {
    const lengthBytes = totalLength(buffers);
    this.begin('read', offsetBytes, lengthBytes);
    const [startSector, endSector] = this.sectorSpan(offsetBytes, lengthBytes);
    const down = this.downFlakeys(startSector, endSector);
    const erroring = down.find((d) => d.features.errorReads);
    if (erroring) this.fail(erroring.fault, offsetBytes, 'read error (dm-flakey down)');
    const unreadable = this.firstBadSector(startSector, endSector, (f) => f.badSectors?.firstIn(startSector, endSector) ?? -1);
    if (unreadable) this.fail(unreadable.fault, unreadable.sector * SECTOR_BYTES, `read error at sector ${unreadable.sector} (dm-dust)`);
    this.passDown(() => this.device.readv(buffers, offsetBytes));
    for (const { fault, features } of down) {
      const c = features.corruptBioByte;
      if (c?.direction === 'read' && c.nthByte <= lengthBytes) {
        setBioByte(buffers, c.nthByte - 1, c.value);
        fault.hits++;
      }
    }
  }

  writev(buffers: Uint8Array[], offsetBytes: number): void {
    const lengthBytes = totalLength(buffers);
    this.begin('write', offsetBytes, lengthBytes);
    const [startSector, endSector] = this.sectorSpan(offsetBytes, lengthBytes);
    const down = this.downFlakeys(startSector, endSector);
    if (this.dropsOrFailsWrite(down, offsetBytes)) return;
    let data: Uint8Array[] = buffers;
    for (const { fault, features } of down) {
      const c = features.corruptBioByte;
      if (c?.direction !== 'write' || c.nthByte > lengthBytes) continue;
      // Corrupt a copy: the caller's pages are md's stripe cache, which must keep the true data.
      if (data === buffers) data = [Buffer.concat(buffers)];
      setBioByte(data, c.nthByte - 1, c.value);
      fault.hits++;
    }
    const unwritable = this.firstBadSector(startSector, endSector, (f) =>
      f.spec.kind === 'write-error' && rangeHits(f.spec.range, startSector, endSector) ? Math.max(f.spec.range.startSector, startSector) : -1,
    );
    if (unwritable) this.fail(unwritable.fault, unwritable.sector * SECTOR_BYTES, `write error at sector ${unwritable.sector} (dm-error)`);
    this.passDown(() => this.device.writev(data, offsetBytes));
    for (const f of this.list) {
      if (f.spec.kind !== 'read-error' || !f.spec.clearOnWrite) continue;
      // dm-dust forgets a bad block once it is written, as a drive remaps a pending sector on write.
      f.badSectors!.remove(startSector, endSector);
    }
  }

  /** An empty REQ_PREFLUSH write to dm-flakey: dropped or failed like any write while down. */
  flush(): void {
    this.begin('flush', 0, 0);
    const down = this.downFlakeys(0, Math.ceil(this.sizeBytes / SECTOR_BYTES));
    if (this.dropsOrFailsWrite(down, 0)) return;
    this.passDown(() => this.device.flush());
  }

  close(): void {
    this.device.close();
    this.closed = true;
  }

  /** Whether the engine has closed this member (md unbound it: removed, or a failed assembly). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The engine opens a member it closed again (re-add, or the next assemble): the faults stay under it,
   * as a dm target stays under a disk md lets go of. An unplugged member stays unplugged.
   */
  reopen(): void {
    assert(this.closed, 'only a closed member is reopened');
    if (!this.unplugged) {
      if (!this.options.reopen) throw new FaultError(`${this.name} cannot be opened again: no way to reopen its image.`);
      this.device = this.options.reopen();
    }
    this.closed = false;
  }

  // ---- helpers ----

  /** Shared entry of every I/O: observer, counters, the gone layer, then its logical-time cost. */
  private begin(op: IoOp, offsetBytes: number, lengthBytes: number): void {
    this.observer?.(this, op, offsetBytes, lengthBytes);
    if (op === 'read') this.counters.reads++;
    else if (op === 'write') this.counters.writes++;
    else this.counters.flushes++;
    const nowMs = this.options.clock();
    this.lastIoCostMs = 0;
    this.lastIoCompleteAtMs = nowMs;
    if (this.poweredOff) this.failGone(offsetBytes, 'power is off');
    if (this.unplugged) {
      this.list.find((f) => f.spec.kind === 'unplug')!.hits++;
      this.failGone(offsetBytes, 'device was unplugged');
    }
    const failing = this.list.find((f) => f.spec.kind === 'fail');
    if (failing) this.fail(failing, offsetBytes, 'I/O error (dm-error)');
    this.chargeTime(op, nowMs, offsetBytes, lengthBytes);
  }

  private chargeTime(op: IoOp, nowMs: number, offsetBytes: number, lengthBytes: number): void {
    const [startSector, endSector] = op === 'flush' ? [0, Number.MAX_SAFE_INTEGER] : this.sectorSpan(offsetBytes, lengthBytes);
    let latencyMs = 0;
    let bandwidthKibPerSec: number | null = null;
    for (const f of this.list) {
      const s = f.spec;
      if (s.kind === 'delay' && rangeHits(s.range, startSector, endSector)) {
        const ms = op === 'read' ? s.readMs : op === 'write' ? s.writeMs : s.flushMs;
        if (ms > 0) {
          latencyMs += ms;
          f.hits++;
        }
      } else if (s.kind === 'slow' && lengthBytes > 0) {
        bandwidthKibPerSec = Math.min(bandwidthKibPerSec ?? Infinity, s.bandwidthKibPerSec);
        f.hits++;
      }
    }
    if (latencyMs === 0 && bandwidthKibPerSec === null) return;
    const t = this.timing.charge(nowMs, lengthBytes, latencyMs, bandwidthKibPerSec);
    this.lastIoCostMs = t.costMs;
    this.lastIoCompleteAtMs = t.completeAtMs;
  }

  private sectorSpan(offsetBytes: number, lengthBytes: number): [number, number] {
    const start = Math.floor(offsetBytes / SECTOR_BYTES);
    return [start, Math.max(start + 1, Math.ceil((offsetBytes + lengthBytes) / SECTOR_BYTES))];
  }

  private isDown(spec: FlakeySpec, sinceMs: number, nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - sinceMs);
    return elapsedMs % (spec.upMs + spec.downMs) >= spec.upMs;
  }

  /** The lowest bad sector any fault reports for the span (-1: none), so the error names where the I/O really stopped. */
  private firstBadSector(startSector: number, endSector: number, badIn: (f: ActiveFault) => number): { fault: ActiveFault; sector: number } | null {
    let first: { fault: ActiveFault; sector: number } | null = null;
    for (const fault of this.list) {
      const sector = badIn(fault);
      if (sector < 0) continue;
      assert(sector >= startSector && sector < endSector, 'a bad sector lies inside the I/O');
      if (first === null || sector < first.sector) first = { fault, sector };
    }
    return first;
  }

  /** The flakey faults in a down period that cover the sectors, with their effective features. */
  private downFlakeys(startSector: number, endSector: number): DownFlakey[] {
    const nowMs = this.options.clock();
    const down: DownFlakey[] = [];
    for (const fault of this.list) {
      const spec = fault.spec;
      if (spec.kind !== 'flakey' || !rangeHits(spec.range, startSector, endSector) || !this.isDown(spec, fault.sinceMs, nowMs)) continue;
      down.push({ fault, features: effectiveFlakeyFeatures(spec.features) });
    }
    return down;
  }

  /** dm-flakey's write path while down: drop_writes wins (success, nothing stored), then error_writes. */
  private dropsOrFailsWrite(down: readonly DownFlakey[], offsetBytes: number): boolean {
    const dropping = down.find((d) => d.features.dropWrites);
    if (dropping) {
      dropping.fault.hits++;
      return true;
    }
    const erroring = down.find((d) => d.features.errorWrites);
    if (erroring) this.fail(erroring.fault, offsetBytes, 'write error (dm-flakey down)');
    return false;
  }

  private fail(fault: ActiveFault, offsetBytes: number, detail: string): never {
    fault.hits++;
    this.failGone(offsetBytes, detail);
  }

  private failGone(offsetBytes: number, detail: string): never {
    this.counters.failed++;
    throw new DeviceError('EIO', this.name, offsetBytes, detail);
  }

  /** Errors from the image itself (short read, ENOSPC) still count as failed I/O of this member. */
  private passDown(io: () => void): void {
    try {
      io();
    } catch (err) {
      if (err instanceof DeviceError) this.counters.failed++;
      throw err;
    }
  }
}
