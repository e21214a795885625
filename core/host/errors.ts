import { ErrorCode, type ApiError } from '../api';
import { AssertionError } from '../util/assert';

/**
 * Turn whatever a handler threw into the contract's { code, message }. Typed operating errors
 * (DeviceError, MdRefusal, ...) carry a string `code` and a message fit for a user, so they pass
 * through unchanged; an AssertionError is a bug and says so.
 */
export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof AssertionError) {
    return { code: ErrorCode.BUG, message: `mdlab bug: ${thrown.message}` };
  }
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return { code, message: thrown.message };
    return { code: ErrorCode.INTERNAL, message: thrown.message || thrown.name };
  }
  return { code: ErrorCode.INTERNAL, message: String(thrown) };
}
