/**
 * The seam between the lab session and the running engine: MdArray (core/engine/array.ts) with the
 * RAID4/5 personality, seen as a LabArray. The session drives the slices and throttles what it
 * publishes; trace steps are read from the engine's ring with their member, flags and action intact.
 */
import type { ManageAction, TraceEntry } from '../../api';
import { MdArray } from '../../engine/array';
import { createRaid5Personality } from '../../engine/raid5';
import type { CreateOptions } from '../../md/create';
import { MdRefusal } from '../../md/errors';
import type { LabArray, SyncActionWrite } from './session';

function toTraceEntry(record: ReturnType<MdArray['trace']['since']>[number]): TraceEntry {
  const flags = record.flags ? [...record.flags].slice(0, 64) : undefined;
  return {
    seq: record.seq,
    timeMs: Math.max(0, record.timeMs),
    fn: record.fn,
    sector: record.sector ?? null,
    detail: (flags && flags.length > 0 ? `${record.action} [${flags.join(' ')}]` : record.action).slice(0, 1024),
    member: record.member ?? null,
    flags,
    action: record.action.slice(0, 256),
  };
}

class EngineLabArray implements LabArray {
  private readonly logs: { seq: number; timeMs: number; message: string }[] = [];
  private logSeq = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly md: MdArray,
    /** Image paths by image number (disk<N>.img), so add and re-add can name what the UI picked. */
    private readonly imagePaths: readonly string[],
  ) {
    // The engine's own log lines (md: ..., raid5: ...) are collected here and handed out by the session.
    this.unsubscribe = md.subscribe((event) => {
      if (event.type !== 'log') return;
      this.logs.push({ seq: ++this.logSeq, timeMs: Date.now(), message: event.message });
      if (this.logs.length > 256) this.logs.shift();
    });
  }

  snapshot() {
    return this.md.snapshot();
  }

  run(budgetMs: number) {
    const { busy, nextWakeMs } = this.md.runSlice(budgetMs);
    return { busy, nextWakeMs: nextWakeMs === null ? null : Math.max(0, nextWakeMs - this.md.clock.nowMs()) };
  }

  traceSince(afterSeq: number, limit: number): TraceEntry[] {
    return this.md.trace.since(afterSeq, limit).map(toTraceEntry);
  }

  logSince(afterSeq: number) {
    return this.logs.filter((line) => line.seq > afterSeq);
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    return this.md.readSync(offsetBytes, lengthBytes);
  }

  write(offsetBytes: number, data: Uint8Array): void {
    this.md.writeSync(offsetBytes, data);
  }

  manage(action: ManageAction, member: number): void {
    const imagePath = this.imagePaths[member];
    if (imagePath === undefined) throw new MdRefusal(`There is no disk${member}.img in this array's folder.`);
    if (action === 'fail') this.md.fail(imagePath);
    else if (action === 'remove') this.md.remove(imagePath);
    else if (action === 'add') this.md.add(imagePath);
    else this.md.reAdd(imagePath);
  }

  setSyncAction(action: SyncActionWrite): void {
    this.md.setSyncAction(action);
  }

  setSpeedLimits(minKibPerSec: number, maxKibPerSec: number): void {
    if (minKibPerSec > maxKibPerSec) throw new MdRefusal(`speed_limit_min (${minKibPerSec}) must not exceed speed_limit_max (${maxKibPerSec}).`);
    this.md.set({ speedLimitMin: minKibPerSec, speedLimitMax: maxKibPerSec });
  }

  stop(): void {
    this.unsubscribe();
    this.md.stop();
  }
}

export function openEngineArray(imagePaths: readonly string[]): LabArray {
  const md = MdArray.assemble(imagePaths, { personality: createRaid5Personality });
  return new EngineLabArray(md, imagePaths);
}

/** mdadm --create, then started as md would start it (the spare trick's recovery begins on its own). */
export function createEngineArray(dir: string, options: CreateOptions, imagePathsOf: () => string[]): LabArray {
  const md = MdArray.create(dir, options, { personality: createRaid5Personality });
  return new EngineLabArray(md, imagePathsOf());
}
