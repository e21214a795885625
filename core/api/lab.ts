import { z } from 'zod';
import { ArraySnapshotSchema } from './snapshot';

/*
 * Schemas of the lab's array requests: the creation wizard, the open array and its panels. The
 * renderer names arrays by a short id inside the host's workspace, never by a path, so nothing here
 * carries a file system path from the UI.
 */

const count = z.number().int().nonnegative();
const KiB = 1024;
const MiB = 1024 * KiB;
const TiB = 1024 * 1024 * MiB;

/** Upper bounds the UI may ask for; md itself allows more, the lab keeps requests cheap to answer. */
export const LAB_LIMITS = {
  maxRaidDevices: 32,
  maxSpareDevices: 8,
  minMemberBytes: 4 * MiB,
  /** Sparse members: 16 TiB nominal costs only metadata until written. */
  maxMemberBytes: 16 * TiB,
  maxChunkKib: 64 * KiB,
  maxPreviewRows: 32,
  maxHexBytes: 512,
  maxPatternBytes: 1024 * MiB,
} as const;

/** An array's name in the workspace: its folder name, so letters, digits and dashes only. */
export const ArrayIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, at most 32');
export type ArrayId = z.infer<typeof ArrayIdSchema>;

export const LevelSchema = z.union([z.literal(4), z.literal(5)]);

/** What `mdadm --create` is asked, as the wizard gathers it. */
export const CreateChoicesSchema = z.object({
  level: LevelSchema,
  raidDevices: z.number().int().min(1).max(LAB_LIMITS.maxRaidDevices),
  spareDevices: z.number().int().min(0).max(LAB_LIMITS.maxSpareDevices),
  /** RAID5 algorithm number (0-5); ignored for RAID4, whose parity is always last. */
  layout: z.number().int().min(0).max(5),
  chunkKib: z.number().int().min(1).max(LAB_LIMITS.maxChunkKib),
  memberBytes: z.number().int().min(LAB_LIMITS.minMemberBytes).max(LAB_LIMITS.maxMemberBytes),
  bitmap: z.enum(['auto', 'internal', 'none']),
  assumeClean: z.boolean(),
  metadata: z.literal('1.2'),
  /** md's array name (superblock set_name, without the homehost). */
  name: z.string().min(1).max(32),
}).strict();
export type CreateChoices = z.infer<typeof CreateChoicesSchema>;

/** What mdadm would decide for these choices, before any image exists. */
export const CreatePlanSchema = z.object({
  layoutName: z.string(),
  dataOffsetSectors: count,
  componentSectors: count,
  arraySizeKib: count,
  /** null without a write-intent bitmap. */
  bitmapChunkBytes: count.nullable(),
  /** What the first start will do: rebuild the last slot from parity (mdadm's spare trick), resync, or nothing. */
  initialSync: z.enum(['recover', 'resync', 'none']),
  nominalBytes: count,
  /** Bytes mdadm writes per image at creation (superblock, bitmap): all a sparse image occupies at first. */
  metadataBytesPerImage: count,
}).strict();
export type CreatePlanInfo = z.infer<typeof CreatePlanSchema>;

export const LayoutPreviewParamsSchema = z.object({
  level: LevelSchema,
  raidDisks: z.number().int().min(1).max(LAB_LIMITS.maxRaidDevices),
  layout: z.number().int().min(0).max(5),
  chunkKib: z.number().int().min(1).max(LAB_LIMITS.maxChunkKib),
  rows: z.number().int().min(1).max(LAB_LIMITS.maxPreviewRows),
}).strict();

/** One chunk of a row: array chunk number for data, null for parity. */
export const LayoutCellSchema = z.object({ disk: count, dd: z.number().int().min(-1), chunk: count.nullable() });
export const LayoutPreviewSchema = z.object({
  name: z.string(),
  rows: z.array(z.object({ stripe: count, pdIdx: count, cells: z.array(LayoutCellSchema) })),
});
export type LayoutPreview = z.infer<typeof LayoutPreviewSchema>;

export const ArraySummarySchema = z.object({
  id: ArrayIdSchema,
  images: z.array(z.string()),
  open: z.boolean(),
});
export type ArraySummary = z.infer<typeof ArraySummarySchema>;

/** One image file as the file system holds it: nominal size versus blocks really allocated. */
export const ImageUsageSchema = z.object({ image: z.string(), sizeBytes: count, allocatedBytes: count });
export type ImageUsage = z.infer<typeof ImageUsageSchema>;

export const OpenArraySchema = z.object({
  id: ArrayIdSchema,
  snapshot: ArraySnapshotSchema,
});

export const ManageActionSchema = z.enum(['fail', 'remove', 'add', 're-add']);
export type ManageAction = z.infer<typeof ManageActionSchema>;

/** Where one array sector lives: raid5_compute_sector, plus the image sector behind it. */
export const SectorMapSchema = z.object({
  arraySector: count,
  stripe: count,
  dd: count,
  dataDisk: count,
  parityDisk: count,
  /** Sector within the member's data area. */
  devSector: count,
  /** The same sector in the image file (data offset added). */
  imageSector: count,
  /** The parity's sector in its own image (its data offset added). */
  parityImageSector: count,
  dataImage: z.string(),
  parityImage: z.string(),
});
export type SectorMap = z.infer<typeof SectorMapSchema>;

export const HexViewSchema = z.object({
  map: SectorMapSchema,
  /** Hex of the array's bytes at the offset (through md). */
  arrayHex: z.string(),
  /** Hex of the same bytes read straight from the data member's image, and of the parity behind them. */
  dataMemberHex: z.string(),
  parityMemberHex: z.string(),
});
export type HexView = z.infer<typeof HexViewSchema>;

export const PatternResultSchema = z.object({
  op: z.enum(['write', 'verify']),
  bytes: count,
  /** Sectors whose content differs from the pattern (verify only). */
  badSectors: count,
  firstBadSector: count.nullable(),
  elapsedMs: z.number().nonnegative(),
});
export type PatternResult = z.infer<typeof PatternResultSchema>;

/** sync_action writes a user may make (md-spec §4.1). */
export const SyncActionWriteSchema = z.enum(['idle', 'frozen', 'check', 'repair', 'resync', 'recover']);
export const SpeedLimitsSchema = z.object({
  minKibPerSec: z.number().int().min(1).max(10_000_000),
  maxKibPerSec: z.number().int().min(1).max(10_000_000),
}).strict();


/**
 * Faults the lab offers on one member, each modelled on a device-mapper target (core/faults/spec.ts
 * has the full set; the lab's panel offers the ones that need no seed or timeline).
 */
const LabSectorRangeSchema = z.object({
  startSector: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  lengthSectors: z.number().int().min(1).max(1 << 30),
}).strict();
export const LabFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fail') }).strict(),
  z.object({ kind: z.literal('unplug') }).strict(),
  z.object({ kind: z.literal('read-error'), range: LabSectorRangeSchema }).strict(),
  z.object({ kind: z.literal('write-error'), range: LabSectorRangeSchema }).strict(),
  z.object({
    kind: z.literal('flakey'),
    upMs: z.number().int().min(0).max(3_600_000),
    downMs: z.number().int().min(0).max(3_600_000),
    errorReads: z.boolean(),
    errorWrites: z.boolean(),
  }).strict(),
]);
export type LabFault = z.infer<typeof LabFaultSchema>;

export const MemberFaultsSchema = z.object({
  image: z.string(),
  faults: z.array(z.object({ id: count, text: z.string().max(1024), state: z.enum(['on', 'up', 'down', 'done']), hits: count })),
});
export type MemberFaults = z.infer<typeof MemberFaultsSchema>;
