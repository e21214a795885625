/**
 * md_check_recovery (md-spec §4.2), split as raid5.c splits handle_stripe: gather the facts, decide
 * with pure functions (tested exhaustively), then act on the Mddev. Its six duties: write superblocks
 * when needed; leave a running sync alone; reap a finished one (activating spares); remove faulty
 * members from their slots; add spares to a degraded array; start the sync that is needed.
 */
import type { SyncKind } from '../types';
import type { Mddev } from './mddev';
import { MAX_SECTOR_NUM } from './rdev';
import { SyncThread } from './do-sync';

export interface RecoveryFacts {
  sbChangePending: boolean;
  safemodeDue: boolean;
  running: boolean;
  done: boolean;
  needed: boolean;
  frozen: boolean;
  readOnly: boolean;
}

export type RecoveryPlan =
  | { kind: 'nothing' }
  | { kind: 'leave-running'; setInSync: boolean; updateSb: boolean }
  | { kind: 'reap'; setInSync: boolean; updateSb: boolean }
  | { kind: 'maintain'; setInSync: boolean; updateSb: boolean; manageSpares: boolean };

/** Which of the duties apply now (the kernel's early returns and gotos, as data). */
export function planRecovery(f: RecoveryFacts): RecoveryPlan {
  if (!f.sbChangePending && !f.safemodeDue && !f.needed && !f.done) return { kind: 'nothing' };
  const common = { setInSync: f.safemodeDue && !f.readOnly, updateSb: (f.sbChangePending || f.safemodeDue) && !f.readOnly };
  if (f.running && !f.done) return { kind: 'leave-running', ...common };
  if (f.running && f.done) return { kind: 'reap', ...common };
  return { kind: 'maintain', ...common, manageSpares: f.needed && !f.frozen && !f.readOnly };
}

/** The sync md_check_recovery starts once spares are placed (md_choose_sync_action). */
export function chooseSync(input: { spares: number; recoveryCp: number; syncRequested: boolean; requestedKind: SyncKind | null }): SyncKind | null {
  if (input.spares > 0) return 'recover';
  if (input.recoveryCp < MAX_SECTOR_NUM) return 'resync';
  if (input.syncRequested) return input.requestedKind ?? 'resync';
  return null;
}

export function mdCheckRecovery(m: Mddev): void {
  const facts: RecoveryFacts = {
    sbChangePending: m.sbFlags.size > 0,
    safemodeDue: m.safemodeDue(),
    running: m.recovery.has('RUNNING'),
    done: m.recovery.has('DONE'),
    needed: m.recovery.has('NEEDED'),
    frozen: m.recovery.has('FROZEN'),
    readOnly: m.readOnly,
  };
  const plan = planRecovery(facts);
  if (plan.kind === 'nothing') return;
  if (plan.setInSync) m.setInSync();
  if (plan.updateSb && m.sbFlags.size > 0) m.updateSb(false);
  if (plan.kind === 'leave-running') return;
  if (plan.kind === 'reap') {
    reapSyncThread(m);
    return;
  }
  m.recovery.delete('INTR');
  m.recovery.delete('DONE');
  if (!plan.manageSpares) {
    if (facts.needed) m.traceEmit('md_check_recovery', facts.frozen ? 'frozen: start nothing' : 'read-only: start nothing');
    m.recovery.delete('NEEDED');
    return;
  }
  m.recovery.delete('NEEDED');
  const spares = removeAndAddSpares(m);
  const kind = chooseSync({
    spares,
    recoveryCp: m.recoveryCp,
    syncRequested: m.recovery.has('SYNC'),
    requestedKind: m.recovery.has('CHECK') ? 'check' : m.recovery.has('REQUESTED') ? 'repair' : null,
  });
  if (kind === null || m.pers === null || m.broken) {
    m.recovery.delete('SYNC');
    m.recovery.delete('REQUESTED');
    m.recovery.delete('CHECK');
    m.recovery.delete('RECOVER');
    m.traceEmit('md_check_recovery', 'no sync needed');
    return;
  }
  if (kind === 'recover') {
    m.recovery.delete('SYNC');
    m.recovery.delete('CHECK');
    m.recovery.delete('REQUESTED');
    m.recovery.add('RECOVER');
  } else {
    m.recovery.add('SYNC');
    m.recovery.delete('RECOVER');
  }
  if (m.sbFlags.size > 0) m.updateSb(false);
  m.recovery.add('RUNNING');
  m.lastSyncAction = kind === 'recover' ? 'recovery' : kind;
  m.traceEmit('md_check_recovery', `start ${kind}${kind === 'recover' ? ` onto ${spares} member(s)` : ''}`);
  m.syncThread = new SyncThread(m);
}

/** Duties 4 and 5 (remove_and_add_spares): returns how many members now await recovery. */
function removeAndAddSpares(m: Mddev): number {
  const pers = m.pers;
  if (pers === null) return 0;
  let removed = 0;
  for (const rdev of m.rdevs) {
    if (rdev.raidDisk < 0 || rdev.flags.has('Blocked')) continue;
    if (!rdev.faulty && rdev.inSync) continue;
    // A recovering member stays while recovery is possible: the personality refuses (EBUSY).
    if (pers.hotRemoveDisk(rdev)) {
      m.traceEmit('md_check_recovery', `remove ${rdev.name} from slot ${rdev.raidDisk}`, rdev.index);
      rdev.savedRaidDisk = rdev.raidDisk;
      rdev.raidDisk = -1;
      removed++;
    }
  }
  let spares = 0;
  for (const rdev of m.rdevs) {
    if (rdev.recovering) spares++;
    if (rdev.raidDisk >= 0 || rdev.faulty) continue;
    if (pers.degraded() === 0) break;
    rdev.recoveryOffsetSectors = 0;
    if (pers.hotAddDisk(rdev)) {
      m.traceEmit('md_check_recovery', `add ${rdev.name} as slot ${rdev.raidDisk}`, rdev.index);
      m.log(`md: recovery of RAID array ${m.name}: ${rdev.name} takes slot ${rdev.raidDisk}`);
      spares++;
      m.sbFlags.add('CHANGE_DEVS');
    }
  }
  if (removed > 0) m.sbFlags.add('CHANGE_DEVS');
  return spares;
}

/** Duty 3 (md_reap_sync_thread): collect a finished sync; a successful recovery makes spares In_sync. */
function reapSyncThread(m: Mddev): void {
  const thread = m.syncThread;
  m.syncThread = null;
  const interrupted = m.recovery.has('INTR');
  if (!interrupted && !m.recovery.has('REQUESTED') && m.pers !== null && m.pers.degraded() !== m.raidDisks) {
    const activated = m.pers.spareActive();
    if (activated > 0) {
      m.sbFlags.add('CHANGE_DEVS');
      m.traceEmit('md_check_recovery', `reap: ${activated} spare(s) now In_sync`);
    }
  }
  if (m.pers !== null && m.pers.degraded() === 0) for (const rdev of m.rdevs) rdev.savedRaidDisk = -1;
  for (const rdev of m.rdevs) if (rdev.inSync) rdev.flags.delete('Bitmap_sync');
  m.updateSb(true);
  for (const flag of ['RUNNING', 'SYNC', 'RECOVER', 'REQUESTED', 'CHECK', 'DONE', 'INTR', 'ERROR'] as const) m.recovery.delete(flag);
  m.recovery.add('NEEDED');
  m.currResync = 0;
  m.traceEmit('md_check_recovery', `reap ${thread?.desc ?? 'sync'}${interrupted ? ' (interrupted)' : ''}`);
}
