/**
 * WeChat Pay v3 answers → channel-neutral `ChannelError`s (`../port.ts`), for every v3 channel and
 * the individual-contracts query. Untrusted answers, unavailable gateways and final refusals are
 * different things to a page (only the second is worth retrying), so they never collapse into one.
 *
 * The gateway's `code` decides, never the HTTP status alone: a 404 is "no such order" only when
 * the gateway says so (`ORDER_NOT_EXIST`, `RESOURCE_NOT_EXISTS`). A 404 from a proxy, an unknown
 * path or an empty body says nothing about the order and must never close, refuse or write off
 * anything: it is the gateway being unreachable, worth retrying. References:
 * docs/references/close-errors.md.
 */
import { AUTHENTICITY_FAILURES, WechatPayError } from '../../gateways/wechatpay/errors';
import { AppError } from '../../kernel/errors';
import { withTranslatedErrors } from '../error-translation';
import { ChannelError, toChannelAppError, type ChannelOperation, type PaymentChannel } from '../port';

/** A response that failed authenticity checks, or one too malformed to trust. */
const UNTRUSTED = new Set([...AUTHENTICITY_FAILURES, 'CERTIFICATE_INVALID', 'RESPONSE_UNSIGNED', 'RESPONSE_MALFORMED', 'BILL_HASH_MISMATCH']);

/**
 * "No such order / refund" in the gateway's own words: ORDER_NOT_EXIST (current pages, e.g.
 * https://pay.weixin.qq.com/doc/v3/merchant/4012556398), ORDERNOTEXIST (the older v3 tables,
 * https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_4_3.shtml), RESOURCE_NOT_EXISTS (refunds).
 */
const NOT_EXIST_CODES: ReadonlySet<string> = new Set(['ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'RESOURCE_NOT_EXISTS']);

/**
 * Published refusals of 申请退款 that mean "not taken, and re-sending the same request will not
 * change that" (https://pay.weixin.qq.com/doc/v3/merchant/4012587971; wechatpay-go
 * services/refunddomestic/api_refunds.go error table). NOT_ENOUGH is not here: it waits
 * ("商户可用退款余额不足": top up, re-send the same number).
 */
const REFUND_FINAL_REFUSALS: ReadonlySet<string> = new Set(['PARAM_ERROR', 'INVALID_REQUEST', 'NO_AUTH', 'USER_ACCOUNT_ABNORMAL', 'MCH_NOT_EXISTS', 'RESOURCE_NOT_EXISTS']);

/** The gateway itself said the order (or refund, or record) does not exist. */
export function isGatewayNotFound(error: unknown): boolean {
  return error instanceof WechatPayError && NOT_EXIST_CODES.has(error.code);
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

/**
 * What a v3 error means for `operation`. Anything that is not a `WechatPayError` (an `AppError`
 * the channel raised itself, a bug) is returned as it is.
 */
export function v3ChannelError(error: unknown, operation: ChannelOperation | 'contractQuery'): unknown {
  if (!(error instanceof WechatPayError)) return error;
  const options = { cause: error };
  const said = `${error.code} ${error.reason}`;
  if (UNTRUSTED.has(error.code)) return new ChannelError('untrusted', `the gateway's answer failed verification (${error.code})`, options);
  // 401 SIGN_ERROR: the gateway refused *our* signature (merchant key, its serial, or our clock).
  // Nothing about the order is decided; an operator must fix the configuration. The answer is
  // not signed (the gateway signs only requests it verified), which is expected, not suspicious.
  if (error.code === 'SIGN_ERROR') {
    return new ChannelError('misconfigured', "the gateway refused this server's request signature (SIGN_ERROR); the merchant key, its serial or the server clock needs fixing", options);
  }
  if (operation === 'refund') {
    // 403 NOT_ENOUGH (申请退款): the merchant's refundable balance is short; the refund was not taken.
    if (error.code === 'NOT_ENOUGH') return new ChannelError('balanceInsufficient', said, options);
    if (REFUND_FINAL_REFUSALS.has(error.code) && error.status >= 400 && error.status < 500) return new ChannelError('refundNotTaken', said, options);
  }
  if (operation === 'queryRefund') {
    // 查询单笔退款 (https://pay.weixin.qq.com/doc/v3/merchant/4013071041): only RESOURCE_NOT_EXISTS means "no such refund".
    if (error.code === 'RESOURCE_NOT_EXISTS') return new ChannelError('notFound', said, options);
  } else if (NOT_EXIST_CODES.has(error.code)) {
    return new ChannelError('notFound', said, options);
  }
  // 400 ORDER_CLOSED on close (https://pay.weixin.qq.com/doc/v3/merchant/4012556398): closed already.
  if (error.code === 'ORDER_CLOSED' && error.status > 0) return new ChannelError('closed', said, options);
  if (isForeignAnswer(error) || error.retryable || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500 || error.status === 429) {
    return new ChannelError('unavailable', `gateway unavailable (${error.code}); try again`, options);
  }
  return new ChannelError('rejected', said, options);
}

/**
 * The channel with every operation's v3 errors translated (`v3ChannelError`). `parseNotification`
 * is left as it is: the v3 notification endpoint answers its failures in the v3 format.
 */
export function withV3Errors(channel: PaymentChannel): PaymentChannel {
  return withTranslatedErrors(channel, v3ChannelError);
}

/** A v3 error straight to the app's stable error (`v3ChannelError`, then `toChannelAppError`). */
export function toGatewayAppError(error: unknown, what: string): AppError {
  return toChannelAppError(v3ChannelError(error, 'query'), what);
}
