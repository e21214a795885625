/**
 * The engine snapshot (docs/ARCHITECTURE.md): what /proc/mdstat, md's sysfs and mdadm --detail show,
 * computed here once so the UI never recomputes an engine fact.
 */
import type { ArraySnapshot, ArrayState, MemberSnapshot, MemberStateWord, SyncAction } from '../../api/snapshot';
import { layoutName } from '../../format/layout';
import { toSafeNumber } from '../../util/assert';
import { uuidText } from '../../util/uuid';
import type { Mddev } from './mddev';
import { mdstatStanza } from './mdstat';
import { MAX_SECTOR_NUM, type Rdev } from './rdev';

/** array_state_show. */
export function arrayStateOf(m: Mddev): ArrayState {
  if (m.stopped) return 'inactive';
  if (m.readOnly) return 'read-auto';
  let state: ArrayState;
  if (m.sbFlags.has('CHANGE_PENDING')) state = 'write-pending';
  else if (m.inSync) state = 'clean';
  // mddev->safemode: the safemode timer has fired but md_check_recovery has not marked it clean yet.
  else if (m.safemodeDue()) state = 'active-idle';
  else state = 'active';
  return m.broken && state === 'clean' ? 'broken' : state;
}

/** action_show. */
export function syncActionOf(m: Mddev): SyncAction {
  if (m.recovery.has('FROZEN')) return 'frozen';
  if (m.recovery.has('RUNNING') || (!m.readOnly && m.recovery.has('NEEDED'))) {
    if (m.recovery.has('SYNC')) return !m.recovery.has('REQUESTED') ? 'resync' : m.recovery.has('CHECK') ? 'check' : 'repair';
    if (m.recovery.has('RECOVER')) return 'recover';
  }
  return 'idle';
}

/** Per-member sysfs state words, in the kernel's order. */
export function memberStateWords(rdev: Rdev): MemberStateWord[] {
  const words: MemberStateWord[] = [];
  if (rdev.faulty) words.push('faulty');
  if (rdev.inSync) words.push('in_sync');
  if (rdev.flags.has('WriteMostly')) words.push('write_mostly');
  if (rdev.flags.has('Blocked')) words.push('blocked');
  if (!rdev.faulty && !rdev.inSync) words.push('spare');
  if (rdev.flags.has('WriteErrorSeen')) words.push('write_error');
  if (rdev.flags.has('WantReplacement')) words.push('want_replacement');
  if (rdev.flags.has('Replacement')) words.push('replacement');
  if (rdev.flags.has('ExternalBbl')) words.push('external_bbl');
  return words;
}

function memberSnapshot(rdev: Rdev): MemberSnapshot {
  const recoveryDone = rdev.inSync || rdev.faulty || rdev.recoveryOffsetSectors === MAX_SECTOR_NUM;
  return {
    index: rdev.index,
    image: rdev.name,
    devNumber: rdev.devNumber,
    slot: rdev.raidDisk >= 0 && !rdev.faulty ? rdev.raidDisk : null,
    state: memberStateWords(rdev),
    errors: rdev.correctedErrors,
    recoveryStart: recoveryDone ? null : rdev.recoveryOffsetSectors,
    badBlocks: rdev.badblocks.entries().map(({ startSector, lengthSectors }) => ({ startSector, lengthSectors })),
    readBytes: rdev.readBytes,
    writtenBytes: rdev.writtenBytes,
  };
}

/** sysfs sync_speed: KiB/s over the speed window, 0 when it reads "none". */
export function syncSpeedOf(m: Mddev): number {
  const t = m.syncThread;
  if (t === null || !m.recovery.has('RUNNING')) return 0;
  return Math.max(0, t.speed.displayKibPerSec(m.clock.nowMs(), t.ioSectors - m.recoveryActive));
}

export function syncCompletedOf(m: Mddev): { doneSectors: number; totalSectors: number } | null {
  const t = m.syncThread;
  if (t === null || !m.recovery.has('RUNNING')) return null;
  return { doneSectors: Math.min(m.currResyncCompleted, t.maxSectors), totalSectors: t.maxSectors };
}

export function snapshotOf(m: Mddev): ArraySnapshot {
  const ref = m.rdevs.find((r) => r.inSync) ?? m.rdevs[0];
  const status = m.pers?.status() ?? null;
  const bitmap = m.bitmap;
  return {
    name: ref?.sb.setName ?? m.name,
    uuid: ref ? uuidText(ref.sb.setUuid) : '',
    level: m.level,
    layout: layoutName(m.level, m.layout),
    chunkKib: m.chunkSectors / 2,
    raidDisks: m.raidDisks,
    arraySizeKib: (m.devSectors / 2) * (m.raidDisks - 1),
    componentSizeKib: m.devSectors / 2,
    events: toSafeNumber(m.events, 'events'),
    arrayState: arrayStateOf(m),
    syncAction: syncActionOf(m),
    lastSyncAction: m.lastSyncAction,
    syncCompleted: syncCompletedOf(m),
    syncSpeedKibPerSec: syncSpeedOf(m),
    degraded: m.degraded(),
    mismatchCnt: m.mismatches,
    speedLimitMinKibPerSec: m.speedLimitMin,
    speedLimitMaxKibPerSec: m.speedLimitMax,
    syncMin: m.resyncMin,
    syncMax: m.resyncMax === MAX_SECTOR_NUM ? null : m.resyncMax,
    stripeCacheSize: status?.stripeCacheSize ?? 0,
    stripeCacheActive: status?.stripeCacheActive ?? 0,
    bitmap: bitmap === null ? null : { chunkBytes: bitmap.chunkSectors * 512, bits: bitmap.bits, dirtyBits: bitmap.dirtyBits(), eventsCleared: toSafeNumber(bitmap.eventsCleared, 'events_cleared') },
    members: [...m.rdevs].sort((a, b) => a.index - b.index).map(memberSnapshot),
    mdstatText: mdstatStanza(m),
  };
}
