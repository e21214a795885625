import { z } from 'zod';
import {
  ArrayIdSchema, ArraySummarySchema, CreateChoicesSchema, CreatePlanSchema, HexViewSchema, ImageUsageSchema, LAB_LIMITS,
  InjectParamsSchema, ClearFaultParamsSchema, FaultsReplySchema, PowerCutParamsSchema, PowerCutReplySchema, LayoutPreviewParamsSchema, LayoutPreviewSchema, ManageActionSchema, OpenArraySchema, PatternResultSchema, SectorMapSchema,
  SpeedLimitsSchema, SyncActionWriteSchema,
} from './lab';
import { sessionRequests } from './session';
import { ArraySnapshotSchema } from './snapshot';

/*
 * THE request table. Adding a request is one entry here plus its handler in core/host/handlers/:
 * Electron main's validation, the preload's one-function-per-request bridge, the renderer client
 * and the lab host's WebSocket dispatcher all derive from this object.
 */

const count = z.number().int().nonnegative();

/** Which container the engine host runs in; proves a reply really came from the host. */
export const HostKindSchema = z.enum(['utilityProcess', 'worker']);
export type HostKind = z.infer<typeof HostKindSchema>;

export const HostIdentitySchema = z.object({
  kind: HostKindSchema,
  pid: count,
  threadId: count,
  nodeVersion: z.string(),
  startedAtMs: z.number().nonnegative(),
});
export type HostIdentity = z.infer<typeof HostIdentitySchema>;

export const LayoutInfoSchema = z.object({
  level: z.number().int(),
  algorithm: count,
  name: z.string(),
});

export const EngineInfoSchema = z.object({
  product: z.literal('mdlab'),
  version: z.string(),
  /** RAID levels the engine runs. */
  levels: z.array(z.number().int()),
  /** Layouts the engine maps, from core/format/layout.ts; empty until that module exists. */
  layouts: z.array(LayoutInfoSchema),
  metadataVersions: z.array(z.string()),
  host: HostIdentitySchema,
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

export const PingResultSchema = z.object({
  nonce: z.string(),
  host: HostIdentitySchema,
  /** Host clock when the ping was handled, for round-trip displays. */
  handledAtMs: z.number().nonnegative(),
});

const noParams = z.object({}).strict();
/** A member image by its number N (diskN.img): members keep it through fail, remove and re-add. */
const memberNumber = z.number().int().min(0).max(LAB_LIMITS.maxRaidDevices + LAB_LIMITS.maxSpareDevices);
const faultsReply = FaultsReplySchema;

export interface RequestSpec {
  params: z.ZodType;
  result: z.ZodType;
}

export const requests = {
  'engine.info': { params: noParams, result: EngineInfoSchema },
  'engine.ping': { params: z.object({ nonce: z.string().min(1).max(64) }).strict(), result: PingResultSchema },
  // The lab: the creation wizard asks before anything is written, then one array is open per host.
  'layout.preview': { params: LayoutPreviewParamsSchema, result: LayoutPreviewSchema },
  'array.plan': { params: CreateChoicesSchema, result: CreatePlanSchema },
  'array.create': { params: z.object({ id: ArrayIdSchema, choices: CreateChoicesSchema }).strict(), result: OpenArraySchema },
  'array.list': { params: noParams, result: z.object({ arrays: z.array(ArraySummarySchema) }) },
  'array.open': { params: z.object({ id: ArrayIdSchema }).strict(), result: OpenArraySchema },
  'array.close': { params: noParams, result: z.object({ closed: z.boolean() }) },
  /** The machine stops dead (no clean shutdown), then boots and assembles the array again from its images. */
  'array.crash': { params: noParams, result: OpenArraySchema },
  'array.powerCut': { params: PowerCutParamsSchema, result: PowerCutReplySchema },
  'array.snapshot': { params: noParams, result: z.object({ snapshot: ArraySnapshotSchema.nullable() }) },
  'array.images': { params: noParams, result: z.object({ images: z.array(ImageUsageSchema) }) },
  'array.manage': {
    params: z.object({ action: ManageActionSchema, member: memberNumber }).strict(),
    result: ArraySnapshotSchema,
  },
  'array.syncAction': { params: z.object({ action: SyncActionWriteSchema }).strict(), result: ArraySnapshotSchema },
  'array.speedLimits': { params: SpeedLimitsSchema, result: ArraySnapshotSchema },
  'array.map': { params: z.object({ arraySector: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }).strict(), result: SectorMapSchema },
  'array.hex': {
    params: z.object({ offsetBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), lengthBytes: z.number().int().min(16).max(LAB_LIMITS.maxHexBytes) }).strict(),
    result: HexViewSchema,
  },
  'array.faults': { params: noParams, result: faultsReply },
  'array.inject': { params: InjectParamsSchema, result: faultsReply },
  'array.clearFault': { params: ClearFaultParamsSchema, result: faultsReply },
  'array.pattern': {
    params: z.object({ op: z.enum(['write', 'verify']), lengthBytes: z.number().int().min(512).max(LAB_LIMITS.maxPatternBytes).optional() }).strict(),
    result: PatternResultSchema,
  },
  ...sessionRequests,
} as const satisfies Record<string, RequestSpec>;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
/** What a caller passes (before schema defaults are applied). */
export type ParamsOf<N extends RequestName> = z.input<Requests[N]['params']>;
/** What a handler receives (after parsing). */
export type ParsedParamsOf<N extends RequestName> = z.output<Requests[N]['params']>;
export type ResultOf<N extends RequestName> = z.output<Requests[N]['result']>;

export const requestNames = Object.freeze(Object.keys(requests) as RequestName[]);

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
