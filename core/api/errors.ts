import { z } from 'zod';

/**
 * How a failure crosses a process boundary: data, not an Error object, because neither
 * structured clone (Electron IPC, worker messages) nor JSON (WebSocket) carries Error classes.
 * A refusal ("md refuses to fail the last working device") is a normal reply with ok=false.
 */
export const ApiErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(4096),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * Codes produced by the contract machinery itself. Handlers add their own domain codes
 * (DeviceError codes such as ENOENT, or REFUSED for an MdRefusal) without touching this list.
 */
export const ErrorCode = {
  /** The envelope was not a request at all (wrong shape, bad id). */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** No request of that name in the contract. */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** The params did not match the request's schema. */
  BAD_PARAMS: 'BAD_PARAMS',
  /** The reply did not match the request's result schema: a contract drift, hence a bug. */
  BAD_RESULT: 'BAD_RESULT',
  /** The request is in the contract but the engine host has no handler for it yet. */
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  /** The engine host is not running (crashed, terminated, not started). */
  HOST_DOWN: 'HOST_DOWN',
  /** The UI lost its connection to the relay (the lab host's WebSocket closed or was refused). */
  DISCONNECTED: 'DISCONNECTED',
  /** The sender is not allowed to talk to the engine (wrong frame, missing token). */
  FORBIDDEN: 'FORBIDDEN',
  /** An AssertionError inside mdlab: always a bug. */
  BUG: 'BUG',
  /** Anything else thrown by a handler. */
  INTERNAL: 'INTERNAL',
} as const;

/** Thrown by the typed client when a request is answered with ok=false. */
export class RequestError extends Error {
  override name = 'RequestError';
  readonly code: string;

  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
  }
}
