/**
 * Share codes: what another user types or scans to pay a payee. Random (never derived from the
 * openid, which must not leak), short enough to read aloud, and free of look-alike characters.
 */
import { randomBytes } from 'node:crypto';

/** No 0/O, 1/I/L: codes survive being read aloud or copied by hand. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const SHARE_CODE_LENGTH = 10;
export const SHARE_CODE_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/;

/** 10 characters from a 31-letter alphabet: ~49.5 bits, rejection-sampled so every letter is equally likely. */
export function newShareCode(random: (size: number) => Buffer = randomBytes): string {
  let code = '';
  while (code.length < SHARE_CODE_LENGTH) {
    for (const byte of random(16)) {
      // 248 = 8 × 31: bytes at or above it would favour the first letters.
      if (byte >= 248) continue;
      code += ALPHABET[byte % ALPHABET.length];
      if (code.length === SHARE_CODE_LENGTH) break;
    }
  }
  return code;
}

export function isShareCode(value: unknown): value is string {
  return typeof value === 'string' && SHARE_CODE_PATTERN.test(value);
}
