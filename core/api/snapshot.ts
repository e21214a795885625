import { z } from 'zod';

/*
 * ArraySnapshot: what the engine reports and the UI renders, never recomputes.
 * Field names mirror /proc/mdstat, md's sysfs (md-spec §5.2) and `mdadm --detail`.
 * Every number is a safe integer: the contract must survive JSON (the lab host's WebSocket),
 * so 64-bit counters are narrowed with toSafeNumber() before they get here.
 */

const count = z.number().int().nonnegative();
const sectors = count;
const kib = count;

/** md's array_state words (md-spec §4.6). */
export const ArrayStateSchema = z.enum([
  'clear', 'inactive', 'suspended', 'readonly', 'read-auto',
  'clean', 'active', 'write-pending', 'active-idle', 'broken',
]);
export type ArrayState = z.infer<typeof ArrayStateSchema>;

/** sysfs sync_action as read (md-spec §4.1). */
export const SyncActionSchema = z.enum(['resync', 'recover', 'check', 'repair', 'reshape', 'frozen', 'idle']);
export type SyncAction = z.infer<typeof SyncActionSchema>;

/** sysfs last_sync_action: the kernel spells recovery out here, and says none before the first. */
export const LastSyncActionSchema = z.enum(['none', 'resync', 'recovery', 'check', 'repair', 'reshape']);
export type LastSyncAction = z.infer<typeof LastSyncActionSchema>;

/** Per-member sysfs state words, listed in the order the kernel prints them. */
export const MemberStateWordSchema = z.enum([
  'faulty', 'in_sync', 'journal', 'write_mostly', 'blocked', 'spare',
  'write_error', 'want_replacement', 'replacement', 'external_bbl', 'failfast',
]);
export type MemberStateWord = z.infer<typeof MemberStateWordSchema>;

export const BadBlockSchema = z.object({ startSector: sectors, lengthSectors: sectors });
export type BadBlock = z.infer<typeof BadBlockSchema>;

export const MemberSnapshotSchema = z.object({
  /** Position in the array's member list (creation order), stable across failures. */
  index: count,
  /** The image file's name as messages show it, e.g. "disk0.img". */
  image: z.string(),
  /** Superblock dev_number. */
  devNumber: count,
  /** Role in the array (sysfs slot); null for spares and faulty members ("none"). */
  slot: count.nullable(),
  state: z.array(MemberStateWordSchema),
  /** Corrected read errors, in sectors (sysfs errors). */
  errors: count,
  /** null when in sync (sysfs "none"), else the sector recovery has reached. */
  recoveryStart: sectors.nullable(),
  badBlocks: z.array(BadBlockSchema),
  readBytes: count,
  writtenBytes: count,
});
export type MemberSnapshot = z.infer<typeof MemberSnapshotSchema>;

export const BitmapSnapshotSchema = z.object({
  chunkBytes: count,
  bits: count,
  dirtyBits: count,
  eventsCleared: count,
});
export type BitmapSnapshot = z.infer<typeof BitmapSnapshotSchema>;

export const ArraySnapshotSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  level: z.number().int(),
  /** Layout name as mdadm prints it, e.g. "left-symmetric". */
  layout: z.string(),
  chunkKib: kib,
  raidDisks: count,
  arraySizeKib: kib,
  componentSizeKib: kib,
  events: count,
  arrayState: ArrayStateSchema,
  syncAction: SyncActionSchema,
  lastSyncAction: LastSyncActionSchema,
  /** sysfs sync_completed; null when it reads "none". */
  syncCompleted: z.object({ doneSectors: sectors, totalSectors: sectors }).nullable(),
  /** sysfs sync_speed; 0 when it reads "none". */
  syncSpeedKibPerSec: count,
  degraded: count,
  mismatchCnt: count,
  speedLimitMinKibPerSec: count,
  speedLimitMaxKibPerSec: count,
  syncMin: sectors,
  /** null when sysfs sync_max reads "max". */
  syncMax: sectors.nullable(),
  stripeCacheSize: count,
  stripeCacheActive: count,
  bitmap: BitmapSnapshotSchema.nullable(),
  members: z.array(MemberSnapshotSchema),
  /** The array's /proc/mdstat stanza, exactly as the kernel would print it. */
  mdstatText: z.string(),
});
export type ArraySnapshot = z.infer<typeof ArraySnapshotSchema>;
