/**
 * Checks a signed response or notification: headers present, not a SIGNTEST probe, timestamp
 * within ±300 s of the injected clock, then the signature over `TIMESTAMP\nNONCE\nBODY\n` with the
 * body exactly as received.
 */
import { WechatPayError, withRequestId, type WechatPayErrorCode } from '../errors';
import { HEADER, SIGNTEST_PREFIX, TIMESTAMP_WINDOW_SECONDS } from '../consts';
import type { HeaderSource } from '../headers';
import type { Clock } from '../../../kernel/nonce';
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

// Lower-case names, resolved once: most callers (Node, cloud HTTP triggers, our client) hand us
// lower-case header records, so the hot path is five direct property reads.
const SERIAL = HEADER.serial.toLowerCase();
const SIGNATURE = HEADER.signature.toLowerCase();
const TIMESTAMP = HEADER.timestamp.toLowerCase();
const NONCE = HEADER.nonce.toLowerCase();
const REQUEST_ID = HEADER.requestId.toLowerCase();

function lowerCased(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const key in headers) {
    const value = headers[key];
    result[key.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  }
  return result;
}

/**
 * Reads the four `Wechatpay-*` headers (any case). Missing ones raise `missingCode`
 * (`RESPONSE_UNSIGNED` for API responses, `SIGNATURE_MISSING` for notifications).
 */
export function readSignedMessage(
  headers: HeaderSource,
  body: string,
  missingCode: WechatPayErrorCode = 'SIGNATURE_MISSING',
): SignedMessage {
  let record: Record<string, string | string[] | undefined>;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const source = headers as { get(name: string): string | null };
    record = {};
    for (const name of [SERIAL, SIGNATURE, TIMESTAMP, NONCE, REQUEST_ID]) record[name] = source.get(name) ?? undefined;
  } else {
    record = headers as Record<string, string | string[] | undefined>;
  }
  let serial = record[SERIAL];
  let signature = record[SIGNATURE];
  let timestamp = record[TIMESTAMP];
  let nonce = record[NONCE];
  let requestId = record[REQUEST_ID];
  if (typeof serial !== 'string' || typeof signature !== 'string' || typeof timestamp !== 'string' || typeof nonce !== 'string') {
    const lower = lowerCased(record);
    serial = lower[SERIAL];
    signature = lower[SIGNATURE];
    timestamp = lower[TIMESTAMP];
    nonce = lower[NONCE];
    requestId = lower[REQUEST_ID];
  }
  const rid = typeof requestId === 'string' ? requestId : undefined;
  if (!serial || !signature || !timestamp || !nonce) {
    const missing = [
      !serial && HEADER.serial,
      !signature && HEADER.signature,
      !timestamp && HEADER.timestamp,
      !nonce && HEADER.nonce,
    ].filter(Boolean);
    throw new WechatPayError(missingCode, `missing ${missing.join(', ')}`, { serial: serial || undefined, requestId: rid });
  }
  return { serial, signature, timestamp, nonce, body, requestId: rid };
}

const WINDOW_SECONDS = TIMESTAMP_WINDOW_SECONDS;
const PROBE_PREFIX = SIGNTEST_PREFIX;

export interface ValidateOptions {
  verifier: Verifier;
  clock?: Clock;
  windowSeconds?: number;
}

export function validateSignedMessage(message: SignedMessage, options: ValidateOptions): void {
  const { serial, signature, timestamp, requestId } = message;
  if (signature.startsWith(PROBE_PREFIX)) {
    throw new WechatPayError('SIGNTEST_PROBE', 'signature is a WECHATPAY/SIGNTEST probe; answered as a failed verification', { serial, requestId });
  }
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const now = Math.floor((options.clock ?? Date.now)() / 1000);
  const window = options.windowSeconds ?? WINDOW_SECONDS;
  if (!(Math.abs(now - seconds) <= window)) {
    throw new WechatPayError('TIMESTAMP_OUT_OF_WINDOW', `timestamp ${timestamp} is more than ${window}s from now (${now})`, { serial, requestId });
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
