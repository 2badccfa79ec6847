/**
 * One error class for the whole WeChat Pay core (v2 and v3). `code` is stable: callers branch on
 * it, never on the message. Errors carry what an operator needs to act: the serial that failed,
 * the gateway's Request-ID, the HTTP status.
 */

/** Our own codes. Gateway error codes (e.g. `ORDER_NOT_EXIST`) travel in `code` of API errors too. */
export type WechatPayErrorCode =
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNTEST_PROBE'
  | 'SERIAL_UNKNOWN'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'CERTIFICATE_INVALID'
  | 'KEY_INVALID'
  | 'TAG_MISMATCH'
  | 'CIPHERTEXT_INVALID'
  | 'NOTIFICATION_MALFORMED'
  | 'RESPONSE_UNSIGNED'
  | 'RESPONSE_MALFORMED'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'XML_DOCTYPE_FORBIDDEN'
  | 'XML_INVALID'
  | 'V2_SIGN_INVALID'
  | 'V2_RETURN_FAIL'
  | 'ARGUMENT_INVALID';

export interface WechatPayErrorInit {
  /** Serial (certificate serial or PUB_KEY_ID_…) involved in a signature failure. */
  serial?: string;
  /** `Request-ID` header of the gateway response, for support tickets. */
  requestId?: string;
  /** HTTP status of the gateway response; 0 when none arrived. */
  status?: number;
  retryable?: boolean;
  /** `detail` of a gateway error body, as sent. */
  detail?: unknown;
  cause?: unknown;
}

/**
 * A registry-symbol mark, as AppError's and ChannelError's: a function bundle and its side bundles
 * (gulpfile SIDE_MODULES) each carry a copy of this class — the client throws one copy, the
 * channel translating the error (`v3ChannelError`, in payscore/runtime.js) checks with the other.
 * `instanceof` goes by the mark, so every existing check holds across copies.
 */
const WECHATPAY_ERROR = Symbol.for('wxpay-miniprogram-stack.WechatPayError');

export class WechatPayError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [WECHATPAY_ERROR]?: unknown })[WECHATPAY_ERROR] === true;
  }

  override readonly name = 'WechatPayError';
  readonly [WECHATPAY_ERROR] = true;
  readonly code: WechatPayErrorCode | (string & {});
  readonly serial?: string;
  readonly requestId?: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly detail?: unknown;
  /** The message without the code and identifiers appended. */
  readonly reason: string;

  constructor(code: WechatPayErrorCode | (string & {}), message: string, init: WechatPayErrorInit = {}) {
    super(describe(code, message, init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.reason = message;
    this.serial = init.serial;
    this.requestId = init.requestId;
    this.status = init.status ?? 0;
    this.retryable = init.retryable ?? false;
    this.detail = init.detail;
  }
}

// wechatpay-go style: the reason first, then what identifies the failing exchange.
function describe(code: string, message: string, init: WechatPayErrorInit): string {
  let text = `${code}: ${message}`;
  if (init.serial !== undefined) text += ` serial=${init.serial}`;
  if (init.requestId !== undefined) text += ` request-id=${init.requestId}`;
  return text;
}

/** The same error with the gateway's Request-ID attached (verifiers cannot know it). */
export function withRequestId(error: WechatPayError, requestId: string | undefined): WechatPayError {
  if (requestId === undefined || error.requestId !== undefined) return error;
  return new WechatPayError(error.code, error.reason, {
    serial: error.serial,
    requestId,
    status: error.status,
    retryable: error.retryable,
    detail: error.detail,
    cause: error.cause,
  });
}

export function isWechatPayError(error: unknown, code?: string): error is WechatPayError {
  return error instanceof WechatPayError && (code === undefined || error.code === code);
}

/** Codes meaning "this did not verify as coming from WeChat Pay" (signature, key, time, AEAD tag). */
export const AUTHENTICITY_FAILURES: ReadonlySet<string> = new Set([
  'SIGNATURE_INVALID',
  'SIGNATURE_MISSING',
  'SIGNTEST_PROBE',
  'SERIAL_UNKNOWN',
  'TIMESTAMP_OUT_OF_WINDOW',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_NOT_YET_VALID',
  'TAG_MISMATCH',
]);
