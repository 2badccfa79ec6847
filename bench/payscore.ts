/**
 * PayScore section (issue 12), on the local stack with the sandbox PayScore (time-scaled 1000×, so
 * the clearing stub collects ~2 ms after a registration):
 * - latency from `payscore.create` to DONE visible to `payscore.query`: create, the user confirms
 *   on the sandbox page, USER_CONFIRM notification, admin complete, register deduction, clearing,
 *   USER_PAID notification; median and p95;
 * - verified PayScore notifications (PAYSCORE.USER_CONFIRM, each a real CREATED → DOING CAS with
 *   its audit entry) handled per second.
 * Needs a built `dist/cloudfunctions`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { payscoreIdentity } from '../sandbox/gateway/payscore/identity';
import { startStack } from '../test/helpers/stack';
import { craftNotification, login, postNotification } from '../test/e2e/pay/harness';
import { completion, createRequest, decide, orderNo } from '../test/e2e/payscore/harness';
import { formatTable } from './measure';
import type { BenchSection } from './section';
import { percentile } from './create-to-paid';

const DIST = resolve(__dirname, '../dist/cloudfunctions');

export interface PayScoreResults {
  createToDone: { samples: number; medianMs: number; p95Ms: number };
  notifications: { handled: number; concurrency: number; perSecond: number };
}

type Stack = Awaited<ReturnType<typeof startStack>>;

export const payscore: BenchSection = {
  name: 'payscore',
  description: 'local stack: PayScore create → DONE latency, PayScore notifications/s into SQLite',
  async run(budgetMs) {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
    const stack = await startStack({ gateway: { timeScale: 1000 }, env: { PAY_RECONCILE_AFTER_MS: '60000' } });
    try {
      const results: PayScoreResults = { createToDone: await createToDone(stack, budgetMs * 0.5), notifications: await notificationThroughput(stack, budgetMs * 0.4) };
      console.log(
        formatTable(
          ['measure', 'value'],
          [
            ['PayScore create → DONE visible to payscore.query, median', `${results.createToDone.medianMs.toFixed(1)} ms`],
            ['PayScore create → DONE visible to payscore.query, p95', `${results.createToDone.p95Ms.toFixed(1)} ms (${results.createToDone.samples} service orders)`],
            ['verified PayScore notifications into SQLite', `${results.notifications.perSecond.toFixed(0)} /s (${results.notifications.handled}, ${results.notifications.concurrency} in flight)`],
          ],
        ),
      );
      return results;
    } finally {
      await stack.close();
    }
  },
};

async function until(user: Awaited<ReturnType<typeof login>>, outOrderNo: string, state: string): Promise<void> {
  for (let polls = 0; ; polls++) {
    if ((await user.ok('payscore.query', { outOrderNo })).order.state === state) return;
    if (polls > 2000) throw new Error(`${outOrderNo} never became ${state}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function createToDone(stack: Stack, budgetMs: number): Promise<PayScoreResults['createToDone']> {
  const [user, admin] = await Promise.all([login(stack, 'bench-payscore'), login(stack, 'admin')]);
  await user.ok('payscore.create', createRequest()); // warm-up (cold start)
  const samples: number[] = [];
  const deadline = Date.now() + budgetMs;
  while ((samples.length < 10 || Date.now() < deadline) && samples.length < 100) {
    const started = process.hrtime.bigint();
    const { order } = await user.ok('payscore.create', createRequest());
    await decide(stack, order, 'confirm');
    await until(user, order.outOrderNo, 'DOING');
    await admin.ok('payscore.complete', completion(order.outOrderNo, 2500));
    await admin.ok('payscore.registerDeduction', { outOrderNo: order.outOrderNo, outTradeNo: orderNo('DT') });
    await until(user, order.outOrderNo, 'DONE');
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { samples: samples.length, medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}

async function notificationThroughput(stack: Stack, budgetMs: number): Promise<PayScoreResults['notifications']> {
  const user = await login(stack, 'bench-payscore-notified');
  const { serviceId } = payscoreIdentity(stack.gateway.keys);
  const orders: string[] = [];
  const setupDeadline = Date.now() + budgetMs / 2;
  while ((orders.length < 50 || Date.now() < setupDeadline) && orders.length < 500) {
    const batch = await Promise.all(Array.from({ length: 10 }, () => user.ok('payscore.create', createRequest())));
    orders.push(...batch.map((b) => b.order.outOrderNo));
  }
  // Signed and encrypted up front: what is timed is only the merchant side handling them.
  const notifications = orders.map((no) =>
    craftNotification(stack.gateway.keys, { out_order_no: no, appid: stack.gateway.keys.appid, service_id: serviceId, state: 'DOING', state_description: 'USER_CONFIRM', total_amount: 0 }, { eventType: 'PAYSCORE.USER_CONFIRM' }),
  );
  const concurrency = 8;
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < notifications.length) {
        if ((await postNotification(stack, notifications[next++])).status !== 204) failures++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures > 0) throw new Error(`${failures} of ${notifications.length} PayScore notifications were not accepted`);
  return { handled: notifications.length, concurrency, perSecond: notifications.length / seconds };
}
