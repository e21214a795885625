/**
 * Performs one scenario step on a running MdArray: the verbs of a live session (what the UI's buttons
 * do) and of its replay. STAND-IN: core/scenario's runner owns the scenario step semantics; when it lands,
 * StepRunner.perform should delegate to its step executor so there is one implementation of each verb.
 *
 * Members are named as in the session: a number is the member's index in the manifest (creation order,
 * stable across failures and re-adds), a string is an image name inside the session folder.
 */
import * as path from 'node:path';
import type { ArraySnapshot } from '../api/snapshot';
import type { MdArray } from '../engine/array';
import { FaultyDevice } from '../faults/faulty-device';
import { lbaPatternBytes } from '../format/lba-pattern';
import { parseSizeBytes } from '../util/units';
import type { Step } from './journal';

/** A step that ran but whose expectation does not hold: the scenario's "failed expectation". */
export class StepFailed extends Error {
  override name = 'StepFailed';
}

/** The operations a step may need beyond the array itself (restarting it, the fault layer). */
export interface StepHost {
  array(): MdArray;
  imagePaths: readonly string[];
  devices: ReadonlyMap<string, FaultyDevice>;
  stop(): void;
  assemble(): void;
}

const DEFAULT_LBA_TAG = 'mdlab';
const WAIT_LIMIT_MS = 24 * 3600 * 1000;

function bytesOf(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const bytes = typeof value === 'string' ? parseSizeBytes(value, 1) : null;
  if (bytes === null) throw new StepFailed(`${what} "${String(value)}" is not a byte count.`);
  return bytes;
}

function msOf(value: unknown): number {
  if (typeof value === 'number' && value >= 0) return value;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim()) : null;
  if (!m) throw new StepFailed(`sleep "${String(value)}" is not a duration like 500ms or 10s.`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2] ?? 'ms']!;
}

function imagePathOf(host: StepHost, ref: unknown): string {
  if (typeof ref === 'number' && Number.isInteger(ref) && ref >= 0 && ref < host.imagePaths.length) return host.imagePaths[ref];
  if (typeof ref === 'string') {
    const found = host.imagePaths.find((p) => path.basename(p) === ref);
    if (found) return found;
  }
  throw new StepFailed(`${JSON.stringify(ref)} names no member of this session.`);
}

/** sysfs / mdstat names of the snapshot fields an `expect` step may check. */
function fieldOf(s: ArraySnapshot, key: string): unknown {
  const member = /^member\.(\d+)\.(\w+)$/.exec(key);
  if (member) {
    const m = s.members.find((x) => x.index === Number(member[1]));
    const fields: Record<string, unknown> = { state: m?.state.join(','), errors: m?.errors, written_bytes: m?.writtenBytes, read_bytes: m?.readBytes, slot: m?.slot };
    return m ? fields[member[2]] : undefined;
  }
  const fields: Record<string, unknown> = {
    state: s.arrayState,
    array_state: s.arrayState,
    degraded: s.degraded,
    mismatch_cnt: s.mismatchCnt,
    sync_action: s.syncAction,
    last_sync_action: s.lastSyncAction,
    sync_completed: s.syncCompleted ? `${s.syncCompleted.doneSectors} / ${s.syncCompleted.totalSectors}` : 'none',
    events: s.events,
    raid_disks: s.raidDisks,
    bitmap_dirty: s.bitmap?.dirtyBits,
    stripe_cache_size: s.stripeCacheSize,
  };
  return fields[key];
}

function holds(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted === 'object' && wanted !== null && !Array.isArray(wanted)) {
    const { min, max } = wanted as { min?: number; max?: number };
    return typeof actual === 'number' && (min === undefined || actual >= min) && (max === undefined || actual <= max);
  }
  return actual === wanted;
}

function expectFields(array: MdArray, wanted: Record<string, unknown>): void {
  const s = array.snapshot();
  for (const [key, value] of Object.entries(wanted)) {
    const actual = fieldOf(s, key);
    if (actual === undefined) throw new StepFailed(`expect: "${key}" is not a field mdlab can check.`);
    if (!holds(actual, value)) throw new StepFailed(`expected ${key} ${JSON.stringify(value)}, found ${JSON.stringify(actual)}.`);
  }
}

function patternRange(arg: unknown): { tag: string; offsetBytes: number; lengthBytes: number } {
  const a = (arg ?? {}) as { pattern?: string; tag?: string; offset?: unknown; length?: unknown };
  if (a.pattern !== 'lba') throw new StepFailed('write/verify need pattern: lba.');
  return { tag: a.tag ?? DEFAULT_LBA_TAG, offsetBytes: bytesOf(a.offset ?? 0, 'offset'), lengthBytes: bytesOf(a.length, 'length') };
}

function setOptions(array: MdArray, arg: Record<string, unknown>): void {
  const num = (v: unknown): number | null => (v === 'max' || v === null ? null : Number(v));
  array.set({
    speedLimitMin: 'speed_limit_min' in arg ? num(arg.speed_limit_min) : undefined,
    speedLimitMax: 'speed_limit_max' in arg ? num(arg.speed_limit_max) : undefined,
    stripeCacheSize: 'stripe_cache_size' in arg ? Number(arg.stripe_cache_size) : undefined,
    syncMin: 'sync_min' in arg ? Number(arg.sync_min) : undefined,
    syncMax: 'sync_max' in arg ? num(arg.sync_max) : undefined,
  });
}

function wait(array: MdArray, arg: unknown): void {
  if (arg === 'idle' || arg === null || (typeof arg === 'object' && (arg as { until?: unknown }).until === 'idle')) {
    array.waitIdleSync(WAIT_LIMIT_MS);
    return;
  }
  const target = (arg as { sync_completed?: unknown }).sync_completed;
  if (typeof target !== 'number') throw new StepFailed(`wait ${JSON.stringify(arg)}: say idle or {sync_completed: SECTORS}.`);
  array.runUntilSync(() => {
    const s = array.snapshot();
    return array.idle() || (s.syncCompleted !== null && s.syncCompleted.doneSectors >= target) || array.mddev.quiescent();
  }, WAIT_LIMIT_MS);
  const done = array.snapshot().syncCompleted?.doneSectors ?? 0;
  if (done < target) throw new StepFailed(`wait: the sync stopped at ${done} sectors, before ${target}.`);
}

export function performStep(host: StepHost, step: Step): void {
  const [verb, arg] = Object.entries(step)[0];
  switch (verb) {
    case 'create':
    case 'assemble':
      host.assemble();
      return;
    case 'stop':
      host.stop();
      return;
    case 'fail':
      host.array().fail(imagePathOf(host, arg));
      return;
    case 'remove':
      host.array().remove(imagePathOf(host, arg));
      return;
    case 'add':
      host.array().add(imagePathOf(host, arg));
      return;
    case 're-add':
      host.array().reAdd(imagePathOf(host, arg));
      return;
    case 'set':
      setOptions(host.array(), (arg ?? {}) as Record<string, unknown>);
      return;
    case 'sync-action':
      host.array().setSyncAction(arg as Parameters<MdArray['setSyncAction']>[0]);
      return;
    case 'wait':
      wait(host.array(), arg);
      return;
    case 'sleep':
      host.array().sleepSync(msOf(arg));
      return;
    case 'write': {
      const r = patternRange(arg);
      host.array().writeSync(r.offsetBytes, lbaPatternBytes(r.tag, r.offsetBytes, r.lengthBytes));
      return;
    }
    case 'verify': {
      const r = patternRange(arg);
      const got = host.array().readSync(r.offsetBytes, r.lengthBytes);
      const want = lbaPatternBytes(r.tag, r.offsetBytes, r.lengthBytes);
      const at = got.findIndex((b, i) => b !== want[i]);
      if (at >= 0) throw new StepFailed(`verify: array byte ${r.offsetBytes + at} differs from the lba pattern (sector ${Math.floor((r.offsetBytes + at) / 512)}).`);
      return;
    }
    case 'expect':
      expectFields(host.array(), (arg ?? {}) as Record<string, unknown>);
      return;
    case 'inject': {
      const a = arg as { member?: unknown; fault?: unknown };
      const dev = host.devices.get(imagePathOf(host, a.member));
      if (!dev) throw new StepFailed(`inject: member ${JSON.stringify(a.member)} is not open in the array.`);
      dev.inject(a.fault as Parameters<FaultyDevice['inject']>[0]);
      return;
    }
    case 'clear': {
      const a = arg as { member?: unknown };
      host.devices.get(imagePathOf(host, a.member))?.clearAll();
      return;
    }
    default:
      throw new StepFailed(`${verb}: this step is not available in sessions yet (it needs the fault timeline of core/scenario).`);
  }
}
