/** Calls the engine host's request handlers in-process, as the host does: params and results through the contract. */
import { checkRequest, type RequestName, requests } from '../../core/api';
import { toApiError } from '../../core/host/errors';
import { allHandlers } from '../../core/host/handlers';

export const hostContext = { emit: () => {}, host: { kind: 'worker' as const, pid: process.pid, threadId: 0, nodeVersion: process.version, startedAtMs: 0 } };

/** A handler's reply, parsed by the contract's result schema; a refusal throws as the handler threw it. */
export async function call(name: RequestName, params: unknown): Promise<any> {
  const parsed = requests[name].params.parse(params);
  const handler = allHandlers[name] as (p: unknown, c: typeof hostContext) => unknown;
  return requests[name].result.parse(await handler(parsed, hostContext));
}

/** The contract's refusal (BAD_PARAMS...) or the handler's, as the host would answer it. */
export async function refusal(name: RequestName, params: unknown): Promise<{ code: string; message: string }> {
  const checked = checkRequest(name, params);
  if (!checked.ok) return checked.error;
  return call(name, params).then(
    () => ({ code: 'NONE', message: 'it was not refused' }),
    (e: unknown) => toApiError(e),
  );
}
