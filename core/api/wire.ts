import { z } from 'zod';
import { ApiErrorSchema, ErrorCode, type ApiError } from './errors';
import { EngineEventSchema, type EngineEvent } from './events';
import { isRequestName, requests, type RequestName } from './requests';

/*
 * Envelopes that carry the contract over any message channel: utilityProcess parentPort,
 * worker_threads, child_process IPC and the lab host's WebSocket. Every message is plain
 * JSON-safe data so one shape fits every transport.
 */

/** Bounds a request name so a hostile peer cannot make error messages arbitrarily large. */
const NAME_MAX_CHARS = 64;

export const RequestMessageSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  name: z.string().max(NAME_MAX_CHARS),
  params: z.unknown(),
});
export type RequestMessage = z.infer<typeof RequestMessageSchema>;

export const ReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema }),
]);
export type Reply = z.infer<typeof ReplySchema>;

export type ReplyMessage = { kind: 'reply'; id: number } & Reply;
export type EventMessage = { kind: 'event'; event: EngineEvent };
export type HostMessage = ReplyMessage | EventMessage;

export const HostMessageSchema = z.union([
  z.object({ kind: z.literal('reply'), id: z.number().int().nonnegative(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('reply'), id: z.number().int().nonnegative(), ok: z.literal(false), error: ApiErrorSchema }),
  z.object({ kind: z.literal('event'), event: EngineEventSchema }),
]);

export function failure(code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

export type CheckedRequest = { ok: true; name: RequestName; params: unknown } | { ok: false; error: ApiError };

/**
 * The one gate every relay and the host put in front of a request: the name must be in the
 * table and the params must match its schema. Returns the parsed params (defaults applied).
 */
export function checkRequest(name: unknown, params: unknown): CheckedRequest {
  if (!isRequestName(name)) {
    const shown = typeof name === 'string' ? name.slice(0, NAME_MAX_CHARS) : typeof name;
    return failure(ErrorCode.UNKNOWN_REQUEST, `There is no request named "${shown}".`);
  }
  const parsed = requests[name].params.safeParse(params);
  if (!parsed.success) {
    return failure(ErrorCode.BAD_PARAMS, `Bad parameters for ${name}: ${z.prettifyError(parsed.error)}`);
  }
  return { ok: true, name, params: parsed.data };
}

/** Parse a raw envelope (e.g. a WebSocket frame already JSON-decoded). */
export function parseRequestMessage(raw: unknown): { ok: true; message: RequestMessage } | { ok: false; error: ApiError } {
  const parsed = RequestMessageSchema.safeParse(raw);
  if (!parsed.success) return failure(ErrorCode.BAD_MESSAGE, 'The message is not a request envelope.');
  return { ok: true, message: parsed.data };
}
