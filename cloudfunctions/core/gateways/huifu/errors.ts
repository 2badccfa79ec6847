/** Huifu errors: stable `code`, the Huifu `resp_code` when there is one. */
export type HuifuErrorCode =
  | 'SIGNATURE_INVALID'
  | 'RESPONSE_UNSIGNED'
  | 'RESPONSE_MALFORMED'
  | 'NOTIFICATION_MALFORMED'
  | 'AMOUNT_INVALID'
  | 'KEY_INVALID'
  | 'ARGUMENT_INVALID'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'HTTP_ERROR';

export class HuifuError extends Error {
  override readonly name = 'HuifuError';

  constructor(
    readonly code: HuifuErrorCode,
    message: string,
    readonly details: { status?: number; respCode?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get retryable(): boolean {
    return this.details.retryable ?? false;
  }
}
