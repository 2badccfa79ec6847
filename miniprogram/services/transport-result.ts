import type { ApiError, ApiResult, ErrorCode } from '../../typings/api';

export function transportError(message: string, code: ErrorCode = 'TRANSPORT_ERROR', retryable = true): ApiError {
  return { ok: false, code, message, retryable };
}

/** A function's answer must be an ApiResult; anything else is a transport failure. */
export function isApiResult(value: unknown): value is ApiResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return 'data' in v;
  return v.ok === false && typeof v.code === 'string' && typeof v.message === 'string';
}
