/**
 * What an `expect:` step can name: fields of mdadm --detail, /proc/mdstat and md's sysfs, read from the
 * engine snapshot (never recomputed), plus per-member fields as `member.N.field`. A `_min` / `_max`
 * suffix turns equality into a bound.
 */
import type { ArraySnapshot } from '../api/snapshot';
import { parseSizeBytes } from '../util/units';

/** mdadm --detail's "State :" line for a running array. */
export function detailState(s: ArraySnapshot): string {
  const parts = [s.arrayState === 'clean' || s.arrayState === 'broken' ? 'clean' : s.arrayState === 'inactive' ? 'inactive' : 'active'];
  if (s.degraded > 0) parts.push('degraded');
  if (s.degraded > 1) parts.push('FAILED');
  const doing: Record<string, string> = { resync: 'resyncing', recover: 'recovering', check: 'checking', repair: 'repairing', reshape: 'reshaping' };
  if (doing[s.syncAction]) parts.push(doing[s.syncAction]);
  return parts.join(', ');
}

function memberField(s: ArraySnapshot, index: number, field: string): unknown {
  const m = s.members.find((x) => x.index === index);
  if (m === undefined) return 'absent';
  switch (field) {
    case 'state':
      return m.state.join(',');
    case 'slot':
      return m.slot ?? 'none';
    case 'errors':
      return m.errors;
    case 'written_bytes':
      return m.writtenBytes;
    case 'read_bytes':
      return m.readBytes;
    case 'recovery_start':
      return m.recoveryStart ?? 'none';
    case 'image':
      return m.image;
    case 'bad_blocks':
      // sysfs bad_blocks, one "start length" per range; "none" when empty.
      return m.badBlocks.map((b) => `${b.startSector} ${b.lengthSectors}`).join(', ') || 'none';
    default:
      return undefined;
  }
}

/** The value a field name reads, or undefined when mdlab knows no such field. */
export function fieldValue(s: ArraySnapshot, name: string): unknown {
  const member = /^member\.(\d+)\.([a-z_]+)$/.exec(name);
  if (member) return memberField(s, Number(member[1]), member[2]);
  const failed = s.members.filter((m) => m.state.includes('faulty')).length;
  const fields: Record<string, unknown> = {
    state: detailState(s),
    array_state: s.arrayState,
    sync_action: s.syncAction,
    last_sync_action: s.lastSyncAction,
    sync_completed: s.syncCompleted === null ? 'none' : `${s.syncCompleted.doneSectors} / ${s.syncCompleted.totalSectors}`,
    sync_speed: s.syncSpeedKibPerSec,
    degraded: s.degraded,
    mismatch_cnt: s.mismatchCnt,
    events: s.events,
    level: s.level,
    layout: s.layout,
    raid_disks: s.raidDisks,
    chunk_kib: s.chunkKib,
    array_size_kib: s.arraySizeKib,
    component_size_kib: s.componentSizeKib,
    sync_min: s.syncMin,
    sync_max: s.syncMax ?? 'max',
    sync_speed_min: s.speedLimitMinKibPerSec,
    sync_speed_max: s.speedLimitMaxKibPerSec,
    stripe_cache_size: s.stripeCacheSize,
    stripe_cache_active: s.stripeCacheActive,
    bitmap_dirty: s.bitmap?.dirtyBits ?? 'none',
    bitmap_bits: s.bitmap?.bits ?? 'none',
    events_cleared: s.bitmap?.eventsCleared ?? 'none',
    active_devices: s.members.filter((m) => m.state.includes('in_sync') && !m.state.includes('faulty')).length,
    working_devices: s.members.length - failed,
    failed_devices: failed,
    spare_devices: s.members.filter((m) => m.state.includes('spare')).length,
    mdstat: s.mdstatText,
  };
  return fields[name];
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseSizeBytes(value, 1);
  return null;
}

/** Checks one `expect:` entry; returns the failure sentence or null. */
export function checkExpectation(s: ArraySnapshot, key: string, wanted: unknown): string | null {
  const bound = /^(.*)_(min|max)$/.exec(key);
  if (bound && fieldValue(s, key) === undefined) {
    const actual = asNumber(fieldValue(s, bound[1]));
    const limit = asNumber(wanted);
    if (actual === null || limit === null) return `${bound[1]} is ${String(fieldValue(s, bound[1]))}, not a number to compare with ${String(wanted)}`;
    const ok = bound[2] === 'min' ? actual >= limit : actual <= limit;
    return ok ? null : `${bound[1]} is ${actual}, expected ${bound[2] === 'min' ? 'at least' : 'at most'} ${limit}`;
  }
  const actual = fieldValue(s, key);
  if (actual === undefined) return `unknown field "${key}"`;
  if (key === 'mdstat') return String(actual).includes(String(wanted)) ? null : `mdstat does not contain ${JSON.stringify(wanted)}:\n${String(actual)}`;
  if (typeof actual === 'number' && typeof wanted === 'string' && asNumber(wanted) !== null) {
    return actual === asNumber(wanted) ? null : `${key} is ${actual}, expected ${wanted}`;
  }
  return String(actual) === String(wanted) ? null : `${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`;
}
