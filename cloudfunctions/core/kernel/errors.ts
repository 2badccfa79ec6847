import type { ErrorCode } from '../../../typings/api';

/**
 * The one error type a handler maps to `{ ok: false, code, message, retryable }`.
 * Anything else thrown inside a function is unexpected: logged, answered as `INTERNAL`.
 */
/**
 * Marked by a registry symbol, not by class identity: a module built as a side bundle (gulpfile.ts
 * SIDE_MODULES: a gateway family, the sqlite adapter) carries its own copy of this class, and its
 * errors must still be recognised by the function's bundle.
 */
const APP_ERROR = Symbol.for('wxpay-miniprogram-stack.AppError');

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly [APP_ERROR] = true;
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
  return typeof err === 'object' && err !== null && (err as { [APP_ERROR]?: unknown })[APP_ERROR] === true;
}
