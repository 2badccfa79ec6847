/**
 * create → PAID visible to `pay.query`, sampled the same way for every channel: one warm-up order
 * (the first call opens the store and parses keys: a cold start, not the steady state), then
 * orders paid through the channel's local cashier until enough samples and the time budget are
 * spent; the median and p95 of the whole cycle, and the median of each block of
 * `BLOCK_SIZE` payments in the order they were paid (a start-up transient shows there).
 */
import type { ClientPaymentParams, LivePayChannel } from '../typings/api';
import { idemKey, type User } from '../test/e2e/pay/harness';

export interface CreateToPaid {
  samples: number;
  medianMs: number;
  p95Ms: number;
  /** The median of each full block of `BLOCK_SIZE` payments, in the order they were paid. */
  blockMediansMs: number[];
}

export const BLOCK_SIZE = 100;

/** The sample at `p` % of ascending samples (the index the bench history has always used). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The median of each full block of `size` samples taken in order (a partial last block is left out). */
export function blockMedians(inOrder: readonly number[], size: number): number[] {
  const medians: number[] = [];
  for (let at = 0; at + size <= inOrder.length; at += size) medians.push(percentile(inOrder.slice(at, at + size).sort((a, b) => a - b), 50));
  return medians;
}

export async function sampleCreateToPaid(
  /** Only its calls: the e2e section's payer process gives its own over node:http. */
  payer: Pick<User, 'ok'>,
  channel: LivePayChannel,
  /** The payer pays in the channel's local cashier. */
  pay: (payment: ClientPaymentParams | undefined) => Promise<void>,
  limits: { minSamples: number; maxSamples: number; budgetMs?: number },
): Promise<CreateToPaid> {
  await payer.ok('pay.create', { channel, amount: 1, idempotencyKey: idemKey() });
  const samples: number[] = [];
  const deadline = Date.now() + (limits.budgetMs ?? 0);
  while ((samples.length < limits.minSamples || Date.now() < deadline) && samples.length < limits.maxSamples) {
    const started = process.hrtime.bigint();
    const created = await payer.ok('pay.create', { channel, amount: 100 + samples.length, idempotencyKey: idemKey() });
    await pay(created.payment);
    for (let polls = 0; ; polls++) {
      if ((await payer.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state === 'PAID') break;
      if (polls > 2000) throw new Error(`${created.order.outTradeNo} never became PAID`);
      await new Promise((r) => setTimeout(r, 2));
    }
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const blockMediansMs = blockMedians(samples, BLOCK_SIZE);
  samples.sort((a, b) => a - b);
  return { samples: samples.length, medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95), blockMediansMs };
}
