/**
 * The lab's requests as the `mdlab run` scenario steps that do the same thing: what a live session
 * journals, so replaying the journal (or exporting it as a scenario) performs what the user did.
 *
 * The live engine runs on a real clock, so "it happened 1234 ms in" reproduces nothing. Each action is
 * preceded by an anchor in the engine's logical terms instead: while a sync runs, a wait for the sector
 * the sync had reached; otherwise the time that passed since the previous entry (md's timers, safemode
 * and the bitmap daemon, are the only things that move then, and a replay lets the same time pass).
 *
 * Members are named by image (disk2.img), as md names them: an index can mean another member after add.
 */
import type { ArraySnapshot, ManageAction } from '../../api';
import type { Step } from '../../session/journal';
import type { SyncActionWrite } from './session';

export function imageOf(member: number): string {
  return `disk${member}.img`;
}

/** mdadm --fail/--remove/--add/--re-add. */
export function manageStep(action: ManageAction, member: number): Step {
  return { [action]: imageOf(member) };
}

export function syncActionStep(action: SyncActionWrite): Step {
  return { 'sync-action': action };
}

export function speedLimitsStep(minKibPerSec: number, maxKibPerSec: number): Step {
  return { set: { speed_limit_min: minKibPerSec, speed_limit_max: maxKibPerSec } };
}

/** The lab's lba pattern over [offsetBytes, offsetBytes + lengthBytes), tagged as the lab tags it. */
export function patternStep(op: 'write' | 'verify', tag: string, offsetBytes: number, lengthBytes: number, badSectors = 0): Step {
  const range = { pattern: 'lba', tag, offset: offsetBytes, length: lengthBytes };
  // A verify that found damage is replayed as one that expects it, so the replay does not stop there.
  return { [op]: badSectors > 0 ? { ...range, 'expect-wrong': true } : range };
}

/** The machine stops dead; the reboot's `assemble` is journaled once md has started the array again. */
export const CRASH_STEP: Step = { crash: null };
/** md's STOP_ARRAY without a session close (the array is stopped to copy its images: Save As). */
export const STOP_STEP: Step = { stop: null };

/** Where md stands when the user acts, in the engine's logical terms. */
export interface LivePosition {
  /** The running sync and the sector it has issued requests up to (md's curr_resync), or null. */
  sync: { action: ArraySnapshot['syncAction']; sector: number } | null;
  /** Wall time since the previous journal entry. */
  elapsedMs: number;
  /** No sync runs (sync_action idle, not frozen): whatever sync there was has finished. */
  idle: boolean;
}

/** Below this, md's timers cannot have fired (safemode is 200 ms): no anchor is needed. */
const MIN_SLEEP_MS = 100;

/**
 * The steps that bring a replay to the position the live engine had. On a quiet array the replay lets the
 * same time pass (md's timers) and, when md is idle, also waits for idle: a sync that ran since the previous
 * entry went at the live machine's speed, which the replay's clock does not know, and it had ended live —
 * a small bitmap recovery ends within milliseconds, so this holds however little time passed.
 */
export function anchorSteps(position: LivePosition): Step[] {
  if (position.sync !== null) return [{ wait: { sync_action: position.sync.action, sector: position.sync.sector } }];
  const steps: Step[] = position.elapsedMs < MIN_SLEEP_MS ? [] : [{ sleep: `${Math.round(position.elapsedMs)}ms` }];
  if (position.idle) steps.push({ wait: 'idle' });
  return steps;
}

/**
 * The live position from what the engine reports: curr_resync when the array tells it (exact: the replay
 * holds md at that sector), else the latest progress /proc/mdstat showed (a little behind).
 */
export function livePosition(
  snapshot: ArraySnapshot,
  progress: { action: ArraySnapshot['syncAction']; doneSectors: number } | null,
  exactSector: number | null,
  elapsedMs: number,
): LivePosition {
  const idle = snapshot.syncAction === 'idle';
  if (snapshot.syncCompleted === null) return { sync: null, elapsedMs, idle };
  const fromProgress = progress !== null && progress.action === snapshot.syncAction ? progress.doneSectors : 0;
  const sector = exactSector ?? Math.max(fromProgress, snapshot.syncCompleted.doneSectors);
  return { sync: { action: snapshot.syncAction, sector }, elapsedMs, idle };
}
