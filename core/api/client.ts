import { z } from 'zod';
import { ErrorCode, RequestError } from './errors';
import { EngineEventSchema, type EngineEvent } from './events';
import { requests, type ParamsOf, type RequestName, type ResultOf } from './requests';
import type { Reply } from './wire';

/**
 * A way to reach the engine host: the preload bridge in Electron, a WebSocket in the browser lab,
 * a worker in tests. The client above it is the same everywhere.
 */
export interface Transport {
  invoke(name: RequestName, params: unknown): Promise<Reply>;
  /** Raw events as received; the client validates them. Returns an unsubscribe function. */
  subscribe(listener: (event: unknown) => void): () => void;
}

export type EventListener = (event: EngineEvent) => void;

export interface MdlabClient {
  /** Resolves with the typed result or rejects with a RequestError carrying { code, message }. */
  call<N extends RequestName>(name: N, params: ParamsOf<N>): Promise<ResultOf<N>>;
  onEvent(listener: EventListener): () => void;
}

export function createClient(transport: Transport): MdlabClient {
  return {
    async call(name, params) {
      const reply = await transport.invoke(name, params);
      if (!reply.ok) throw new RequestError(reply.error);
      // Checked on arrival too: a host built from another contract version must fail loudly here.
      const parsed = requests[name].result.safeParse(reply.result);
      if (!parsed.success) {
        throw new RequestError({
          code: ErrorCode.BAD_RESULT,
          message: `The reply to ${name} does not match the contract: ${z.prettifyError(parsed.error)}`,
        });
      }
      return parsed.data as ResultOf<typeof name>;
    },
    onEvent(listener) {
      return transport.subscribe((raw) => {
        const parsed = EngineEventSchema.safeParse(raw);
        if (parsed.success) listener(parsed.data);
        else console.warn('mdlab: dropped an event that does not match the contract', parsed.error.issues[0]);
      });
    },
  };
}

/**
 * For pages under a CSP without 'unsafe-eval' (the renderer): zod would otherwise probe
 * `new Function` on first use, which the browser reports as a CSP violation even though zod copes.
 */
export function validateWithoutEval(): void {
  z.config({ jitless: true });
}
