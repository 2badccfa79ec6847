/** Which failures are retried, and how long to wait between attempts. */
import { RETRYABLE_ON_429, RETRYABLE_ON_5XX } from './consts';

export interface RetryPolicy {
  /** Attempts in all, including the first. 1 disables retries. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 3000 };

/** Only 429 FREQUENCY_LIMITED and 5xx SYSTEM_ERROR/BANK_ERROR: everything else is final. */
export function isRetryableApiError(status: number, code: string): boolean {
  if (status === 429) return (RETRYABLE_ON_429 as readonly string[]).includes(code);
  if (status >= 500 && status <= 599) return (RETRYABLE_ON_5XX as readonly string[]).includes(code);
  return false;
}

/**
 * Exponential backoff with "equal jitter": half the capped delay fixed, half random, so
 * retries from many instances spread out but never collapse to zero.
 * `failures` is how many attempts have failed so far (1 after the first).
 */
export function backoffDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
