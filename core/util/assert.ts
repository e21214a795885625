/**
 * Invariant checks. An assertion failure is a bug in mdlab, never an operating error:
 * bad images, I/O errors and refused operations are reported with typed errors instead.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`invariant violated: ${message}`);
}

/** A JS number is exact up to 2^53; byte offsets of multi-TiB members stay far below that. */
export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AssertionError(`invariant violated: ${what} must be a non-negative safe integer, got ${value}`);
  }
}

/** Narrow a 64-bit on-disk value to a number, refusing silently lossy conversions. */
export function toSafeNumber(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AssertionError(`invariant violated: ${what} (${value}) does not fit in a safe integer`);
  }
  return Number(value);
}
