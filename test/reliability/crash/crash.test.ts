/**
 * Crash recovery in bursts (the long size; `npm run verify -- --long`): the function host runs in its own process and is killed (SIGKILL) in the middle
 * of a burst of payments, refunds and closes — wherever each one happens to be: before the
 * gateway call, after the gateway accepted but before the store wrote, after the store wrote but
 * before the reply, in the middle of a notification. It is started again on the same store; the
 * pages retry (same idempotency keys), the gateway redelivers, `reconcile` runs. Then the end
 * state must be the no-crash one: one order per request here and at the gateway, every order the
 * gateway was paid for PAID here, refunds no more than asked and settled, nothing stuck.
 * The gateway restarting is covered by its state file (sandbox/common/json-file-state.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '../../../sandbox/gateway';
import { testOpenid } from '../../../sandbox/gateway/login';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { prepayIdOf, waitFor } from '../../helpers/e2e-utils';
import { finish, Tally } from '../report';
import { LONG } from '../size';
import { Rng } from '../sim/rng';
import { snapshotStore } from '../store-snapshot';
import { freePort, kill, startHostProcess, type HostProcess } from './host-control';

jest.setTimeout(600_000);

let dataDir: string;
let gateway: Gateway;
let configFile: string;
let port: number;
let host: HostProcess | undefined;

const startHost = () => startHostProcess({ gatewayUrl: gateway.url, appid: gateway.keys.appid, appSecret: gateway.keys.appSecret, port, configFile });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'reliability-crash-'));
  // Notification retries and refund delays 50× faster: the gateway redelivers within the test.
  gateway = await startGateway({ dataDir, port: 0, timeScale: 50, minCloseIntervalMs: 1000 });
  port = await freePort();
  configFile = writeLocalMerchantConfig({
    dataDir,
    keys: gateway.keys,
    gatewayUrl: gateway.url,
    hostUrl: `http://127.0.0.1:${port}`,
    openidOf: (user) => testOpenid(gateway.keys.appid, user),
    overrides: { minCloseIntervalMs: 1000, reconcile: { payingOlderThanMs: 0, batchSize: 100 } },
    file: join(dataDir, 'crash-pay-config.json'),
  });
  host = await startHost();
});
afterAll(async () => {
  if (host) {
    host.child.stdin.end();
    await kill(host).catch(() => undefined);
  }
  await gateway?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function session(user: string): Promise<string> {
  const res = await fetch(`${host!.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `user:${user}:${Math.random()}` }) });
  return ((await res.json()) as { token: string }).token;
}

/** One call; a dead host is an answer like any transport failure (the page would retry). */
async function call(token: string, fn: string, data: Record<string, unknown>): Promise<{ ok: boolean; code?: string; retryable?: boolean; data?: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(`${host!.url}/call/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ data }) });
    return (await res.json()) as { ok: boolean };
  } catch {
    return undefined;
  }
}

// The long size only: at CI size the named step boundaries (step-boundaries.test.ts) place each
// kill deterministically; the long run adds these bursts, where kills land wherever requests are.
(LONG ? it : it.skip)('crash recovery: the function host killed mid-burst, restarted; retries, redeliveries and reconcile reach the no-crash end state', async () => {
  const tally = new Tally('crash recovery (requests)');
  /** The last refusal of a close that never succeeded, by request key (named when the order ends wrong). */
  const closeRefusals = new Map<string, string>();
  const rng = new Rng(4242);
  const crashes = LONG ? 10 : 4;
  const perRound = LONG ? 20 : 8;
  type Request = { key: string; amount: number; refundKey?: string; refundAmount?: number; close?: boolean };
  const requests: Request[] = [];

  /**
   * One request as the page and the payer drive it, step by step; every step is safe to repeat
   * (same keys), so after a crash the same function simply runs again from the top.
   */
  const complete = async (r: Request, alice: string, admin: string): Promise<void> => {
    const created = await call(alice, 'pay', { action: 'create', channel: 'jsapi', amount: r.amount, idempotencyKey: r.key });
    if (!created?.ok) return;
    const order = created.data!.order as { outTradeNo: string; state: string };
    const payment = created.data!.payment as Parameters<typeof prepayIdOf>[0] | undefined;
    if (r.close) {
      await new Promise((w) => setTimeout(w, 1_100)); // the close interval (1 s here)
      // As the payer does on the page: a close that got no answer, a retryable one or "too early"
      // is tried again, a few times; the last refusal is kept for the report.
      for (let attempt = 0; attempt < 8; attempt++) {
        const answer = await call(alice, 'pay', { action: 'close', outTradeNo: order.outTradeNo });
        if (answer?.ok) return;
        closeRefusals.set(r.key, answer?.code ?? 'no answer');
        if (answer && !answer.retryable && answer.code !== 'CLOSE_TOO_EARLY') return;
        await new Promise((w) => setTimeout(w, 300));
      }
      return;
    }
    if (payment) await gateway.admin.pay(prepayIdOf(payment)).catch(() => undefined);
    if (!r.refundKey) return;
    await waitFor('paid before refund', async () => ['PAID', 'REFUNDING', 'REFUNDED'].includes(((await call(admin, 'pay', { action: 'query', outTradeNo: order.outTradeNo }))?.data?.order as { state?: string } | undefined)?.state ?? ''), 5_000).catch(() => undefined);
    await call(admin, 'pay', { action: 'refund', outTradeNo: order.outTradeNo, amount: r.refundAmount!, idempotencyKey: r.refundKey });
  };

  for (let round = 0; round < crashes; round++) {
    const alice = await session('alice');
    const admin = await session('admin');
    const batch: Request[] = Array.from({ length: perRound }, (_, i) => {
      const amount = rng.int(1, 100_000);
      const close = rng.chance(0.25);
      const refund = !close && rng.chance(0.5);
      return { key: `crash-${process.pid}-${round}-${i}`, amount, close, ...(refund ? { refundKey: `crash-refund-${round}-${i}`, refundAmount: rng.int(1, amount) } : {}) };
    });
    requests.push(...batch);
    const burst = Promise.all(batch.map((r) => complete(r, alice, admin)));
    // Kill the host somewhere in the middle of the burst.
    await new Promise((w) => setTimeout(w, rng.int(50, 600)));
    await kill(host!);
    await burst;
    host = await startHost();
  }

  // Restarted: the pages and the payer run every request again; reconcile and redeliveries do the rest.
  const alice = await session('alice');
  const admin = await session('admin');
  await Promise.all(requests.map((r) => complete(r, alice, admin)));
  const snapOrders = () => (snapshotStore(dataDir).orders as Array<{ data: string }>).map((row) => JSON.parse(row.data) as { outTradeNo: string; idempotencyKey: string; state: string; amount: number; refundedAmount: number; transactionId?: string });
  const byKey = () => new Map(snapOrders().map((o) => [o.idempotencyKey, o]));
  await waitFor('settled', async () => {
    await host!.runTimer('reconcile');
    return snapOrders().every((o) => o.state !== 'REFUNDING' && o.state !== 'PAYING' && o.state !== 'CREATED') || undefined;
  }, 30_000, 300).catch(() => undefined);

  const gw = await gateway.admin.orders();
  const here = byKey();
  for (const r of requests) {
    const o = here.get(r.key);
    if (!o) {
      tally.unexpected(`request ${r.key}: no order after retries`);
      continue;
    }
    const atGateway = gw.orders.filter((g) => g.outTradeNo === o.outTradeNo);
    const remoteState = atGateway[0]?.tradeState;
    const refunds = gw.refunds.filter((x) => x.outTradeNo === o.outTradeNo);
    const problems: string[] = [];
    if (atGateway.length > 1) problems.push(`${atGateway.length} orders at the gateway`);
    if (remoteState === 'SUCCESS' || remoteState === 'REFUND') {
      if (!o.transactionId) problems.push(`paid at the gateway, ${o.state} here`);
    } else if (o.transactionId) problems.push(`PAID here, ${remoteState} at the gateway`);
    if (refunds.length > 1) problems.push(`${refunds.length} refunds at the gateway for one request`);
    if (o.state === 'CREATED' || o.state === 'PAYING' || o.state === 'REFUNDING') problems.push(`stuck ${o.state}`);
    // The no-crash end state of this request.
    const expected = r.close ? 'CLOSED' : r.refundKey ? (r.refundAmount === r.amount ? 'REFUNDED' : 'PAID') : 'PAID';
    if (o.state !== expected) problems.push(`${o.state}, the no-crash run ends ${expected}${closeRefusals.has(r.key) ? ` (last close answer: ${closeRefusals.get(r.key)})` : ''}`);
    if (r.refundKey && o.refundedAmount !== r.refundAmount) problems.push(`refunded ${o.refundedAmount}, asked ${r.refundAmount}`);
    if (!r.refundKey && o.refundedAmount !== 0) problems.push(`refunded ${o.refundedAmount}, asked nothing`);
    if (problems.length) problems.some((p) => p.startsWith('paid at') || p.startsWith('stuck')) ? tally.lost(`${r.key} (${o.outTradeNo}): ${problems.join('; ')}`) : tally.unexpected(`${r.key}: ${problems.join('; ')}`);
    else tally.accepted();
  }
  const states = [...here.values()].reduce<Record<string, number>>((m, o) => ((m[o.state] = (m[o.state] ?? 0) + 1), m), {});
  process.stdout.write(`crash: ${crashes} kills, ${requests.length} requests, end states ${JSON.stringify(states)}, ${gw.refunds.length} refunds at the gateway\n`);
  finish(tally);
});
