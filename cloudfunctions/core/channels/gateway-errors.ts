/**
 * WeChat Pay client errors → the app's stable error codes, for every caller of the gateway (order
 * service, channels, payee service). Untrusted answers, unavailable gateways and final refusals
 * are different things to a page (only the second is worth retrying), so they must not collapse
 * into one code.
 */
import { AppError, isAppError } from '../errors';
import { WechatPayError } from '../wechatpay/errors';

/** Codes of a response that failed authenticity checks. */
const UNTRUSTED = new Set([
  'SIGNATURE_INVALID',
  'SIGNATURE_MISSING',
  'SIGNTEST_PROBE',
  'SERIAL_UNKNOWN',
  'TIMESTAMP_OUT_OF_WINDOW',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_NOT_YET_VALID',
  'CERTIFICATE_INVALID',
  'RESPONSE_UNSIGNED',
  'RESPONSE_MALFORMED',
  'TAG_MISMATCH',
]);

export function toGatewayAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  if (error instanceof WechatPayError) {
    if (UNTRUSTED.has(error.code)) return new AppError('GATEWAY_UNTRUSTED', `${what}: the gateway's answer failed verification (${error.code})`);
    if (error.retryable || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500 || error.status === 429) {
      return new AppError('GATEWAY_UNAVAILABLE', `${what}: gateway unavailable (${error.code}); try again`, true);
    }
    return new AppError('GATEWAY_REJECTED', `${what}: ${error.code} ${error.reason}`);
  }
  throw error;
}
