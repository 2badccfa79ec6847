/**
 * Server-side order/refund numbers. WeChat Pay allows ≤ 32 chars of `[0-9A-Za-z_-|*@]` (v2 and
 * Huifu are stricter), so we use the intersection every gateway accepts: `[0-9A-Za-z_-]`.
 *
 * Shape: `<prefix><yyyyMMddHHmmss in UTC+8><12 random base62>`. The time part makes numbers sort
 * and read naturally in the merchant console (which shows Beijing time); the random part carries
 * ~71 bits, so two numbers minted in the same second collide with negligible probability.
 */
import { randomBytes } from 'node:crypto';

export const OUT_TRADE_NO_MAX_LENGTH = 32;
const ALLOWED = /^[0-9A-Za-z_-]+$/;
const PREFIX = /^[A-Za-z]{0,4}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 12;
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function beijingTimestamp(now: number): string {
  return new Date(now + BEIJING_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * A new number. `prefix` (0–4 letters) tells kinds apart, e.g. `R` for refunds, `C` for combine.
 * Throws on a bad prefix: it is a programming error, not user input.
 */
export function newOutTradeNo(prefix = '', now: number = Date.now()): string {
  if (!PREFIX.test(prefix)) throw new Error(`out-trade-no prefix must be 0-4 letters, got ${JSON.stringify(prefix)}`);
  return `${prefix}${beijingTimestamp(now)}${randomBase62(RANDOM_CHARS)}`;
}

/** True for strings every gateway accepts as out_trade_no / out_refund_no. */
export function isValidOutTradeNo(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= OUT_TRADE_NO_MAX_LENGTH && ALLOWED.test(value);
}
