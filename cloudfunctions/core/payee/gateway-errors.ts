/**
 * WeChat Pay client errors → the app's stable error codes, for the payee service and the combine
 * channel. Untrusted answers, unavailable gateways and final refusals are different things to a
 * page (only the second is worth retrying), so they must not collapse into one code.
 */
import { AppError } from '../errors';
import { WechatPayError } from '../wechatpay/errors';

/** Codes of a response or notification that failed authenticity checks. */
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
  'TAG_MISMATCH',
]);

export function gatewayAppError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof WechatPayError) {
    if (UNTRUSTED.has(error.code)) return new AppError('GATEWAY_UNTRUSTED', `${what}: gateway answer failed verification (${error.message})`);
    if (error.retryable || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500 || error.status === 429) {
      return new AppError('GATEWAY_UNAVAILABLE', `${what}: gateway unavailable (${error.message})`, true);
    }
    return new AppError('GATEWAY_REJECTED', `${what}: ${error.message}`);
  }
  throw error;
}
