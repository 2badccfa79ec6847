/**
 * WeChat Pay client errors → the app's stable error codes, for every caller of the gateway (order
 * service, channels, payee service). Untrusted answers, unavailable gateways and final refusals
 * are different things to a page (only the second is worth retrying), so they must not collapse
 * into one code.
 */
import { AppError, isAppError } from '../errors';
import { AUTHENTICITY_FAILURES, WechatPayError } from '../wechatpay/errors';

/** A response that failed authenticity checks, or one too malformed to trust. */
const UNTRUSTED = new Set([...AUTHENTICITY_FAILURES, 'CERTIFICATE_INVALID', 'RESPONSE_UNSIGNED', 'RESPONSE_MALFORMED']);

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
