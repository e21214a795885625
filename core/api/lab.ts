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
 * runs them). Sectors are image sectors (data offset included), as dm targets under md count them.
 */
const LabSectorRangeSchema = z.object({
  startSector: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  lengthSectors: z.number().int().min(1).max(1 << 30),
}).strict();
const latencyMs = z.number().int().min(0).max(60_000);
/** dm-flakey's corrupt_bio_byte: byte nthByte (1-based) of each read or written bio becomes value while down. */
const LabCorruptBioByteSchema = z.object({
  nthByte: z.number().int().min(1).max(1 << 20),
  direction: z.enum(['read', 'write']),
  value: z.number().int().min(0).max(255),
}).strict();
const LabFlakeySchema = z.object({
  kind: z.literal('flakey'),
  upMs: z.number().int().min(0).max(3_600_000),
  downMs: z.number().int().min(0).max(3_600_000),
  errorReads: z.boolean(),
  errorWrites: z.boolean(),
  /** Writes while down succeed but never reach the disk. */
  dropWrites: z.boolean().default(false),
  corruptBioByte: LabCorruptBioByteSchema.nullable().default(null),
}).strict();
export const LAB_BITROT_MAX_SECTORS = 64;
export const LAB_BITROT_MAX_COUNT = 4096;
export const LabFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fail') }).strict(),
  z.object({ kind: z.literal('unplug') }).strict(),
  z.object({ kind: z.literal('read-error'), range: LabSectorRangeSchema }).strict(),
  z.object({ kind: z.literal('write-error'), range: LabSectorRangeSchema }).strict(),
  LabFlakeySchema,
  /** dm-delay: every read / write completes this much later. */
  z.object({ kind: z.literal('delay'), readMs: latencyMs, writeMs: latencyMs }).strict(),
  /** A slow disk: transfers serialised at this bandwidth. */
  z.object({ kind: z.literal('slow'), bandwidthKibPerSec: z.number().int().min(1).max(10_000_000) }).strict(),
  /** Silent corruption: one bit flipped in each chosen sector, or `count` bits at seeded random places. */
  z.object({
    kind: z.literal('bitrot'),
    placement: z.discriminatedUnion('by', [
      z.object({ by: z.literal('chosen'), sectors: z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)).min(1).max(LAB_BITROT_MAX_SECTORS) }).strict(),
      z.object({
        by: z.literal('seeded'),
        count: z.number().int().min(1).max(LAB_BITROT_MAX_COUNT),
        seed: z.number().int().min(0).max(0xffffffff),
        range: LabSectorRangeSchema.nullable().default(null),
      }).strict(),
    ]),
  }).strict(),
]).superRefine((f, ctx) => {
  // The same conflicts dm-flakey's constructor refuses.
  if (f.kind !== 'flakey') return;
  if (f.dropWrites && f.errorWrites) ctx.addIssue({ code: 'custom', message: 'drop_writes conflicts with error_writes', path: ['dropWrites'] });
  if (f.dropWrites && f.corruptBioByte?.direction === 'write') {
    ctx.addIssue({ code: 'custom', message: 'corrupt_bio_byte on writes is incompatible with drop_writes', path: ['corruptBioByte'] });
  }
});
export type LabFault = z.output<typeof LabFaultSchema>;
export type LabFaultInput = z.input<typeof LabFaultSchema>;
export type LabFaultKind = LabFault['kind'];

/** The sync kinds a progress trigger can wait for (sysfs sync_action words). */
export const LabSyncKindSchema = z.enum(['resync', 'recover', 'check', 'repair']);

/** When a fault takes effect: absent = now. */
export const LabTriggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('after'), ms: z.number().int().min(0).max(86_400_000) }).strict(),
  /** When the running sync of this kind has done `percent` of its work. */
  z.object({ kind: z.literal('progress'), percent: z.number().min(0).max(100), action: LabSyncKindSchema }).strict(),
  /** Just before the nth write to the member (counted from now): that write is the first to see the fault. */
  z.object({ kind: z.literal('nth-write'), n: z.number().int().min(1).max(1_000_000_000) }).strict(),
]);
export type LabTrigger = z.infer<typeof LabTriggerSchema>;

/** A member image by its number N (diskN.img): members keep it through fail, remove and re-add. */
export const LabMemberNumberSchema = z.number().int().min(0).max(LAB_LIMITS.maxRaidDevices + LAB_LIMITS.maxSpareDevices);

export const InjectParamsSchema = z.object({ member: LabMemberNumberSchema, fault: LabFaultSchema, when: LabTriggerSchema.optional() }).strict();
/** `pending`: the id is a scheduled fault's (cancel it), not an active fault's. */
export const ClearFaultParamsSchema = z.object({ member: LabMemberNumberSchema, id: z.number().int().nonnegative().max(1_000_000), pending: z.boolean().optional() }).strict();

const text = z.string().max(1024);
export const MemberFaultsSchema = z.object({
  image: z.string(),
  faults: z.array(z.object({ id: count, text, state: z.enum(['on', 'up', 'down', 'done']), hits: count })),
  /** Scheduled on the timeline, not fired yet: cancel with clearFault {pending: true}. */
  pending: z.array(z.object({ id: count, trigger: text, action: text })).default([]),
  /** Scheduled steps that fired (or were refused when they fired), oldest first. */
  fired: z.array(z.object({ id: count, trigger: text, action: text, atMs: z.number().nonnegative(), refused: text.nullable() })).default([]),
});
export type MemberFaults = z.output<typeof MemberFaultsSchema>;

/**
 * A power cut (PowerCutDomain): member writes md had issued but that had not completed are lost, each
 * surviving with probability `survival` (seeded), so a stripe can keep new data and old parity — the RAID5
 * write hole. Then the machine is dead and boots again. `when` schedules it instead (nth-write counts the
 * writes to `member`, disk0.img by default).
 */
export const PowerCutParamsSchema = z.object({
  survival: z.number().min(0).max(1).optional(),
  when: LabTriggerSchema.optional(),
  member: LabMemberNumberSchema.optional(),
}).strict();
export type PowerCutParams = z.infer<typeof PowerCutParamsSchema>;

/** Power cuts on the timeline: pending ones (cancel with clearFault {pending: true} on any member) and fired ones. */
export const PowerTimelineSchema = z.object({
  pending: z.array(z.object({ id: count, trigger: text, action: text })),
  fired: z.array(z.object({ id: count, trigger: text, action: text, atMs: z.number().nonnegative(), refused: text.nullable() })),
});
export type PowerTimeline = z.output<typeof PowerTimelineSchema>;

export const FaultsReplySchema = z.object({
  members: z.array(MemberFaultsSchema),
  power: PowerTimelineSchema.default({ pending: [], fired: [] }),
});
export type FaultsReply = z.output<typeof FaultsReplySchema>;

/** A cut now: the array as it assembled after the reboot, and the domain's report line. Scheduled: report null. */
export const PowerCutReplySchema = FaultsReplySchema.extend({
  id: ArrayIdSchema,
  snapshot: ArraySnapshotSchema,
  report: text.nullable(),
});
export type PowerCutReply = z.output<typeof PowerCutReplySchema>;
