import type { ErrorCode } from '../../../typings/api';

/**
 * The one error type a handler maps to `{ ok: false, code, message, retryable }`.
 * Anything else thrown inside a function is unexpected: logged, answered as `INTERNAL`.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** True when the same call may succeed if retried unchanged. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
