import { RequestError, type ApiError } from '../api';

/** Every store shows failures the same way: the contract's { code, message }, never a stack. */
export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof RequestError) return { code: thrown.code, message: thrown.message };
  return { code: 'INTERNAL', message: thrown instanceof Error ? thrown.message : String(thrown) };
}
