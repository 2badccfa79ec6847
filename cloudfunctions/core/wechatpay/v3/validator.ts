/**
 * Checks a signed response or notification: headers present, not a SIGNTEST probe, timestamp
 * within ±300 s of the injected clock, then the signature over `TIMESTAMP\nNONCE\nBODY\n` with the
 * body exactly as received.
 */
import { WechatPayError, withRequestId, type WechatPayErrorCode } from '../errors';
import { HEADER, SIGNTEST_PREFIX, TIMESTAMP_WINDOW_SECONDS } from './consts';
import { getHeader, type HeaderSource } from './headers';
import type { Clock } from './nonce';
import type { Verifier } from './verifier';

export interface SignedMessage {
  serial: string;
  signature: string;
  timestamp: string;
  nonce: string;
  body: string;
  requestId?: string;
}

export function buildResponseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/**
 * Reads the four `Wechatpay-*` headers. Missing ones raise `missingCode` (`RESPONSE_UNSIGNED` for
 * API responses, `SIGNATURE_MISSING` for notifications).
 */
export function readSignedMessage(
  headers: HeaderSource,
  body: string,
  missingCode: WechatPayErrorCode = 'SIGNATURE_MISSING',
): SignedMessage {
  const requestId = getHeader(headers, HEADER.requestId);
  const serial = getHeader(headers, HEADER.serial);
  const signature = getHeader(headers, HEADER.signature);
  const timestamp = getHeader(headers, HEADER.timestamp);
  const nonce = getHeader(headers, HEADER.nonce);
  if (!serial || !signature || !timestamp || !nonce) {
    const missing = [
      !serial && HEADER.serial,
      !signature && HEADER.signature,
      !timestamp && HEADER.timestamp,
      !nonce && HEADER.nonce,
    ].filter(Boolean);
    throw new WechatPayError(missingCode, `missing ${missing.join(', ')}`, { serial, requestId });
  }
  return { serial, signature, timestamp, nonce, body, requestId };
}

export interface ValidateOptions {
  verifier: Verifier;
  clock?: Clock;
  windowSeconds?: number;
}

export function validateSignedMessage(message: SignedMessage, options: ValidateOptions): void {
  const { serial, signature, timestamp, requestId } = message;
  if (signature.startsWith(SIGNTEST_PREFIX)) {
    throw new WechatPayError('SIGNTEST_PROBE', 'signature is a WECHATPAY/SIGNTEST probe; answered as a failed verification', { serial, requestId });
  }
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const now = (options.clock ?? Date.now)() / 1000;
  const window = options.windowSeconds ?? TIMESTAMP_WINDOW_SECONDS;
  if (!(Math.abs(now - seconds) <= window)) {
    throw new WechatPayError('TIMESTAMP_OUT_OF_WINDOW', `timestamp ${timestamp} is more than ${window}s from now (${Math.floor(now)})`, { serial, requestId });
  }
  try {
    options.verifier.verify(serial, buildResponseMessage(timestamp, message.nonce, message.body), signature);
  } catch (error) {
    throw error instanceof WechatPayError ? withRequestId(error, requestId) : error;
  }
}

/** Headers + raw body → throws unless authentic and fresh. */
export function validateSigned(
  headers: HeaderSource,
  body: string,
  options: ValidateOptions & { missingCode?: WechatPayErrorCode },
): SignedMessage {
  const message = readSignedMessage(headers, body, options.missingCode);
  validateSignedMessage(message, options);
  return message;
}
