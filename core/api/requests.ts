import { z } from 'zod';

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

export interface RequestSpec {
  params: z.ZodType;
  result: z.ZodType;
}

export const requests = {
  'engine.info': { params: noParams, result: EngineInfoSchema },
  'engine.ping': { params: z.object({ nonce: z.string().min(1).max(64) }).strict(), result: PingResultSchema },
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
