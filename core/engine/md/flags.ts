/**
 * The md core's state bits, named as md.h names them, so a reader of the kernel finds the same words
 * in a snapshot, a trace line and the code.
 */

/** `enum recovery_flags` (mddev->recovery). */
export type RecoveryFlag =
  | 'RUNNING' // a sync thread exists
  | 'SYNC' // resync, check or repair (not recovery)
  | 'RECOVER' // rebuilding members that are not In_sync
  | 'REQUESTED' // user asked (check/repair), so the bitmap is ignored
  | 'CHECK' // read-only check: count mismatches, write nothing
  | 'NEEDED' // md_check_recovery should look for work
  | 'DONE' // the sync thread finished; reap it
  | 'INTR' // interrupt the running sync
  | 'FROZEN' // no new sync may start
  | 'ERROR'; // sync I/O failed: checkpoint at the last completed point

/** `enum mddev_sb_flags`: why the superblocks must be written. */
export type SbChangeFlag =
  | 'CHANGE_DEVS' // a member changed role: always bump events
  | 'CHANGE_CLEAN' // a clean <-> dirty transition (may undo the previous bump)
  | 'CHANGE_PENDING'; // writes wait until this update is on disk

/** Writes through sysfs sync_action (md-spec §4.1). */
export type SyncActionRequest = 'check' | 'repair' | 'idle' | 'frozen' | 'resync' | 'recover';

/** md's defaults for /proc/sys/dev/raid/speed_limit_{min,max}, KiB/s. */
export const SPEED_LIMIT_MIN_KIB_PER_SEC = 1000;
export const SPEED_LIMIT_MAX_KIB_PER_SEC = 200000;

/** DEFAULT_SAFEMODE_DELAY: 200 ms, plus the jiffy the kernel adds (sysfs shows 0.201). */
export const SAFEMODE_DELAY_MS = 201;
