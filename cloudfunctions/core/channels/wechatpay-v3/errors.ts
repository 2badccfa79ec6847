/**
 * WeChat Pay client errors → the app's stable error codes, for every caller of the gateway (order
 * service, channels, payee service). Untrusted answers, unavailable gateways and final refusals
 * are different things to a page (only the second is worth retrying), so they must not collapse
 * into one code.
 *
 * The gateway's `code` decides, never the HTTP status alone: a 404 is "no such order" only when
 * the gateway says so (`ORDER_NOT_EXIST`, `RESOURCE_NOT_EXISTS`). A 404 from a proxy, an unknown
 * path or an empty body says nothing about the order and must never close, refuse or write off
 * anything: it is the gateway being unreachable, worth retrying. References:
 * docs/references/close-errors.md.
 */
import { AppError, isAppError } from '../../kernel/errors';
import { AUTHENTICITY_FAILURES, WechatPayError } from '../../gateways/wechatpay/errors';

/** A response that failed authenticity checks, or one too malformed to trust. */
const UNTRUSTED = new Set([...AUTHENTICITY_FAILURES, 'CERTIFICATE_INVALID', 'RESPONSE_UNSIGNED', 'RESPONSE_MALFORMED']);

/**
 * "No such order / refund" in the gateway's own words: ORDER_NOT_EXIST (current pages, e.g.
 * https://pay.weixin.qq.com/doc/v3/merchant/4012556398), ORDERNOTEXIST (the older v3 tables,
 * https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_4_3.shtml), RESOURCE_NOT_EXISTS (refunds).
 */
const NOT_EXIST_CODES: ReadonlySet<string> = new Set(['ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'RESOURCE_NOT_EXISTS']);

/** The gateway itself said the order (or refund, or record) does not exist. */
export function isGatewayNotFound(error: unknown): boolean {
  return error instanceof WechatPayError && NOT_EXIST_CODES.has(error.code);
}

/** A gateway refusal carrying exactly this code (the gateway's `{code}` body, any status). */
export function isGatewayCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof WechatPayError && error.status > 0 && codes.includes(error.code);
}

/**
 * An error answer that is not the gateway's `{code, message}`: the client names those
 * `HTTP_<status>` (a proxy's HTML page, an empty body), or a 404 whose code is not a not-exist
 * code (an unknown path). Such an answer tells nothing about the order.
 */
export function isForeignAnswer(error: WechatPayError): boolean {
  if (error.status === 0) return false;
  if (/^HTTP_\d{3}$/.test(error.code)) return true;
  return error.status === 404 && !NOT_EXIST_CODES.has(error.code);
}

export function toGatewayAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  if (error instanceof WechatPayError) {
    if (UNTRUSTED.has(error.code)) return new AppError('GATEWAY_UNTRUSTED', `${what}: the gateway's answer failed verification (${error.code})`);
    // 401 SIGN_ERROR: the gateway refused *our* signature (merchant key, its serial, or our clock).
    // Nothing about the order is decided; an operator must fix the configuration. The answer is
    // not signed (the gateway signs only requests it verified), which is expected, not suspicious.
    if (error.code === 'SIGN_ERROR') {
      return new AppError('INTERNAL', `${what}: the gateway refused this server's request signature (SIGN_ERROR); the merchant key, its serial or the server clock needs fixing`, true);
    }
    if (isForeignAnswer(error) || error.retryable || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500 || error.status === 429) {
      return new AppError('GATEWAY_UNAVAILABLE', `${what}: gateway unavailable (${error.code}); try again`, true);
    }
    return new AppError('GATEWAY_REJECTED', `${what}: ${error.code} ${error.reason}`);
  }
  throw error;
}
