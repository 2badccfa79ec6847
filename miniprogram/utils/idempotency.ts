/**
 * One idempotency key per checkout attempt (contract: 8–64 chars of [A-Za-z0-9_-]). Not a secret —
 * it only has to be unique per user so a retried create returns the same order instead of a second one.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function newIdempotencyKey(now: number = Date.now(), random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 16; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return `ck_${now.toString(36)}_${suffix}`;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
