/**
 * WeChat Pay APIv2 failures → channel-neutral `ChannelError`s (`../port.ts`). Three layers reach
 * here: transport (no answer, or an HTTP error page — nginx's 400 when the client certificate is
 * missing or not the merchant's), `return_code` FAIL (unsigned: 签名错误, `<field>参数格式错误`),
 * and a signed `result_code` FAIL whose `err_code` is one of the published tables
 * (https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 … 9_5; docs/references/sandbox-v2.md).
 * The domain decides by kind only; the code stays in the reason and as the cause.
 */
import { WechatPayError } from '../../gateways/wechatpay/errors';
import { isV2ResultFail } from '../../gateways/wechatpay/v2';
import { withTranslatedErrors } from '../error-translation';
import { ChannelError, type ChannelOperation, type PaymentChannel } from '../port';

/** Answers that failed verification or cannot be read. */
const UNTRUSTED = new Set(['V2_SIGN_INVALID', 'XML_INVALID', 'XML_DOCTYPE_FORBIDDEN', 'RESPONSE_MALFORMED', 'CIPHERTEXT_INVALID']);
/** "系统超时 / 系统异常，请用相同参数重新调用" and the frequency limits: nothing decided, retry. */
const RETRY_CODES = new Set(['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED', 'FREQ_LIMIT']);
/** Our own credentials or binding are wrong: an operator must act (appid not bound, no authority). */
const MISCONFIGURED_CODES = new Set(['APPID_MCHID_NOT_MATCH', 'NOAUTH', 'MCHID_NOT_EXIST', 'APPID_NOT_EXIST', 'SIGNERROR', 'CERT_ERROR']);
/** 申请退款 refusals that mean "not taken, and re-sending the same request will not change that" (chapter=9_4). */
const REFUND_NOT_TAKEN = new Set(['PARAM_ERROR', 'ERROR', 'INVALID_TRANSACTIONID', 'ORDERNOTEXIST', 'TRADE_OVERDUE', 'USER_ACCOUNT_ABNORMAL', 'INVALID_REQ_TOO_MUCH', 'NOAUTH_REFUND']);

export function v2ChannelError(error: unknown, operation: ChannelOperation): unknown {
  if (!(error instanceof WechatPayError)) return error;
  const options = { cause: error };
  const said = `${error.code} ${error.reason}`;
  if (UNTRUSTED.has(error.code)) return new ChannelError('untrusted', `the gateway's answer failed verification (${error.code})`, options);
  if (error.code === 'V2_RETURN_FAIL') {
    // 签名错误: the gateway could not verify *our* sign (wrong APIv2 key or sign type).
    if (/签名/.test(error.reason)) return new ChannelError('misconfigured', `the gateway refused this server's APIv2 sign (${error.reason}); the APIv2 key or sign type needs fixing`, options);
    return new ChannelError('rejected', said, options);
  }
  // nginx in front of /secapi answers 400 with an HTML page when the client certificate is missing
  // or not the merchant's ("No required SSL certificate was sent", "The SSL certificate error").
  if (error.code === 'HTTP_400' && operation === 'refund') {
    return new ChannelError('misconfigured', 'the gateway refused the merchant API client certificate (HTTP 400); the certificate in wechatpayV2.clientCertificate needs fixing', options);
  }
  if (!isV2ResultFail(error)) return new ChannelError('unavailable', `gateway unavailable (${error.code}); try again`, options);
  if (RETRY_CODES.has(error.code)) return new ChannelError('unavailable', `gateway unavailable (${said}); try again`, options);
  if (MISCONFIGURED_CODES.has(error.code)) return new ChannelError('misconfigured', said, options);
  if (operation === 'refund') {
    if (error.code === 'NOTENOUGH') return new ChannelError('balanceInsufficient', said, options);
    if (REFUND_NOT_TAKEN.has(error.code)) return new ChannelError('refundNotTaken', said, options);
  }
  if (operation === 'queryRefund' && error.code === 'REFUNDNOTEXIST') return new ChannelError('notFound', said, options);
  if (operation !== 'queryRefund' && error.code === 'ORDERNOTEXIST') return new ChannelError('notFound', said, options);
  if (error.code === 'ORDERCLOSED') return new ChannelError('closed', said, options);
  return new ChannelError('rejected', said, options);
}

/** The channel with every operation's v2 errors translated, `parseNotification`'s into `untrusted`. */
export function withV2Errors(channel: PaymentChannel): PaymentChannel {
  // Verification failures leave as `untrusted` ChannelErrors: the v2 endpoint lives in another
  // bundle and recognises those by their mark, not a WechatPayError by its class.
  const parseNotification: PaymentChannel['parseNotification'] = (request) =>
    channel.parseNotification(request).catch((error: unknown) => {
      if (error instanceof WechatPayError) throw new ChannelError('untrusted', `${error.code}: ${error.reason}`, { cause: error });
      throw error;
    });
  return withTranslatedErrors(channel, v2ChannelError, parseNotification);
}
