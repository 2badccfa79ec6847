/**
 * Fuzzing every action of every called function (targets.ts) through the real bundles in the
 * function host, against the sandbox gateway: generated valid events succeed (or get a listed
 * business refusal and write nothing); generated invalid ones get INVALID_ARGUMENT or
 * UNKNOWN_ACTION — never an exception, an INTERNAL, a hang, or a write (the whole store is
 * compared before and after); an admin-only action refuses every other caller with FORBIDDEN and
 * no write. The timer-only `reconcile` and `statement` refuse every caller and forged event.
 * The stack runs every product: v3, APIv2, Huifu (its sandbox too), PayScore, the console.
 * Counted in the report table; the first failure is shrunk by fast-check and printed.
 */
import fc from 'fast-check';
import { testOpenid } from '../../../sandbox/gateway/login';
import type { LocalIdentity } from '../../../sandbox/host/wx-server-sdk-local';
import { createPayScoreAdmin } from '../../../sandbox/gateway';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import type { ClientPaymentParams } from '../../../typings/api';
import { startStack, type Stack } from '../../helpers/stack';
import { prepayIdOf, waitFor } from '../../helpers/e2e-utils';
import { huifuCashier } from '../../e2e/huifu/harness';
import { v3Event, v3Transaction } from './notify-targets';
import { finish, Tally } from '../report';
import { FUZZ_SEED, SIZE } from '../size';
import { changedTables, snapshotStore } from '../store-snapshot';
import { invalidMutations, type Mutation } from './inputs';
import { ACTION_TARGETS, type ActionTarget, type FuzzFixtures, type Role } from './targets';

jest.setTimeout(600_000);

let stack: Stack;
let fixtures: FuzzFixtures;
const identities = {} as Record<Exclude<Role, 'none'>, LocalIdentity>;

type Result = { ok: boolean; code?: string; message?: string; data?: unknown };

async function call(fn: string, event: unknown, role: Role): Promise<Result> {
  const result = (await stack.host.invoke(fn, event, role === 'none' ? undefined : identities[role])) as Result;
  return result;
}

async function ok<T = Record<string, unknown>>(fn: string, action: string, event: Record<string, unknown>, role: Role): Promise<T> {
  const r = await call(fn, { action, ...event }, role);
  if (!r.ok) throw new Error(`${fn}.${action}: ${r.code} ${r.message}`);
  return r.data as T;
}

beforeAll(async () => {
  stack = await startStack({ huifu: {} });
  const { appid } = stack.gateway.keys;
  for (const role of ['payer', 'admin', 'payee', 'stranger'] as const) {
    const user = role === 'payer' ? 'alice' : role === 'payee' ? 'bob' : role;
    identities[role] = { openid: testOpenid(appid, user), appid };
  }
  // bob signs up as an individual payee through the sandbox signing page.
  const params = await ok('payee', 'signParams', {}, 'payee');
  const signed = await fetch(`${stack.gatewayUrl}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  if (signed.status !== 200) throw new Error(`signing page: ${signed.status}`);
  await ok('payee', 'confirm', {}, 'payee');
  const { shareCode } = await ok<{ shareCode: string }>('payee', 'profile', { displayName: 'Bob' }, 'payee');
  const create = (amount: number, n: number) => ok<{ order: { outTradeNo: string }; payment: never }>('pay', 'create', { channel: 'jsapi', amount, idempotencyKey: `fixture-${n}-${process.pid}` }, 'payer');
  const paying = await Promise.all([1, 2, 3].map((n) => create(100 + n, n)));
  const toPay = await Promise.all([4, 5].map((n) => create(1_000_000, n)));
  for (const created of toPay) await stack.gateway.admin.pay(prepayIdOf((created as { payment: Parameters<typeof prepayIdOf>[0] }).payment));
  for (const created of toPay) {
    await waitFor(`${created.order.outTradeNo} paid`, async () => (await ok<{ order: { state: string } }>('pay', 'query', { outTradeNo: created.order.outTradeNo }, 'payer')).order.state === 'PAID');
  }
  const other = await otherChannelOrders();
  fixtures = {
    payingOrders: paying.map((c) => c.order.outTradeNo),
    paidOrders: toPay.map((c) => c.order.outTradeNo),
    shareCode,
    ...other,
    alertIds: await raiseAlerts(paying[0].order.outTradeNo),
    ...(await payscoreOrders()),
  };
});

const waitPaid = (outTradeNo: string) => waitFor(`${outTradeNo} paid`, async () => (await ok<{ order: { state: string } }>('pay', 'query', { outTradeNo }, 'payer')).order.state === 'PAID');

/** APIv2 and Huifu orders: paid ones (in the v2 cashier, the Huifu cashier; booked) and PAYING ones. */
async function otherChannelOrders(): Promise<Pick<FuzzFixtures, 'otherPaidOrders' | 'otherPayingOrders'>> {
  const create = (channel: string, amount: number, n: number) => ok<{ order: { outTradeNo: string }; payment: ClientPaymentParams }>('pay', 'create', { channel, amount, idempotencyKey: `fixture-${channel}-${n}-${process.pid}` }, 'payer');
  const paying = await Promise.all((['v2', 'v2app', 'huifu', 'v2', 'huifu'] as const).map((c, i) => create(c, 200 + i, i)));
  const v2 = await create('v2', 1_000_000, 10);
  const huifu = await create('huifu', 1_000_000, 11);
  if (v2.payment?.kind !== 'miniprogram') throw new Error(`v2 payment: ${JSON.stringify(v2.payment)}`);
  const { kind: _kind, ...params } = v2.payment;
  await createV2Admin(stack.gatewayUrl).cashier(prepayIdOf(params.package), 'pay', params);
  await huifuCashier(stack, 'pay', huifu.payment);
  for (const created of [v2, huifu]) await waitPaid(created.order.outTradeNo);
  // A Huifu refund needs the payment booked (its accounting notification).
  await waitFor('Huifu booking delivered', async () => (await stack.huifu!.admin.notifications()).some((n) => n.reqSeqId === huifu.order.outTradeNo && n.kind === 'acct' && n.status === 'delivered'));
  return { otherPaidOrders: [v2.order.outTradeNo, huifu.order.outTradeNo], otherPayingOrders: paying.map((c) => c.order.outTradeNo) };
}

/** Alerts, as verified notifications for another amount raise them; their ids as the admin lists them. */
async function raiseAlerts(outTradeNo: string): Promise<string[]> {
  const { keys } = stack.gateway;
  for (const total of [1, 2]) {
    const order = { outTradeNo, amount: 101, payerOpenid: identities.payer.openid };
    await stack.host.invoke('payNotify', v3Event(keys, { resource: v3Transaction(keys, order, { amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' } }) }, Date.now()));
  }
  const { alerts } = await ok<{ alerts: Array<{ id: string }> }>('pay', 'alerts', { pageSize: 100 }, 'admin');
  if (!alerts.length) throw new Error('no alerts were raised for the fixtures');
  return alerts.map((a) => a.id);
}

/** PayScore service orders of alice: 3 waiting for her, 4 she confirmed, 2 the admin completed. */
async function payscoreOrders(): Promise<Pick<FuzzFixtures, 'payscoreCreated' | 'payscoreConfirmed' | 'payscoreCompleted'>> {
  const create = async (n: number) => {
    const outOrderNo = `PSFX${process.pid}x${n}`;
    await ok('payscore', 'create', { outOrderNo, serviceIntroduction: '充电宝租借', postPayments: [{ name: '租借费用', amount: 2500 }], riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000 } }, 'payer');
    return outOrderNo;
  };
  const all = await Promise.all(Array.from({ length: 9 }, (_, n) => create(n)));
  const psAdmin = createPayScoreAdmin(stack.gatewayUrl);
  for (const no of all.slice(3)) await psAdmin.confirm(no);
  for (const no of all.slice(3)) await waitFor(`${no} confirmed`, async () => (await ok<{ order: { state: string } }>('payscore', 'query', { outOrderNo: no }, 'payer')).order.state === 'DOING');
  for (const no of all.slice(7)) await ok('payscore', 'complete', { outOrderNo: no, postPayments: [{ name: '租借费用', amount: 2000 }], totalAmount: 2000 }, 'admin');
  // The clearing institution holds every registration (no collection, no USER_PAID arriving in
  // the middle of a later case's before/after comparison): one stays live, later ones are refused.
  await psAdmin.scriptClearing(Array.from({ length: 500 }, () => 'hold' as const));
  return { payscoreCreated: all.slice(0, 3), payscoreConfirmed: all.slice(3, 7), payscoreCompleted: all.slice(7) };
}
afterAll(async () => {
  await stack?.close();
});

const REFUSAL_CODES = new Set(['INVALID_ARGUMENT', 'UNKNOWN_ACTION']);
const nameOf = (t: ActionTarget) => `${t.action ? `${t.fn}.${t.action}` : t.fn}${t.variant ? ` (${t.variant})` : ''}`;

/** Runs the call, never longer than a generous bound: a hang is an unexpected result, not a stuck suite. */
async function guarded(fn: string, event: unknown, role: Role): Promise<Result | string> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hang (no answer in 30 s)'), 30_000)));
  try {
    return await Promise.race([call(fn, event, role).catch((e: unknown) => `threw ${(e as Error)?.stack ?? String(e)}`), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why a valid event's answer is wrong, or undefined when it is right. */
async function judgeValid(t: ActionTarget, event: Record<string, unknown>): Promise<string | undefined> {
  const before = snapshotStore(stack.dataDir);
  const r = await guarded(t.fn, t.action ? { action: t.action, ...event } : event, t.caller);
  if (typeof r === 'string') return r;
  if (r.ok === true) return undefined;
  if (!t.businessRefusals?.includes(r.code ?? '')) return `refused ${r.code}: ${r.message}`;
  const changed = changedTables(before, snapshotStore(stack.dataDir));
  return changed.length ? `${r.code} but wrote ${changed.join(', ')}` : undefined;
}

async function judgeInvalid(t: ActionTarget, event: unknown): Promise<string | undefined> {
  const before = snapshotStore(stack.dataDir);
  const r = await guarded(t.fn, event, t.caller);
  const changed = changedTables(before, snapshotStore(stack.dataDir));
  if (typeof r === 'string') return r;
  if (r.ok !== false) return `accepted: ${JSON.stringify(r).slice(0, 200)}`;
  if (!REFUSAL_CODES.has(r.code ?? '')) return `refused with ${r.code}: ${r.message}`;
  if (typeof r.message !== 'string' || !r.message) return `${r.code} without a message`;
  if (changed.length) return `wrote ${changed.join(', ')}`;
  return undefined;
}

/**
 * Tries `numRuns` generated cases, counting each; on a failure, asks fast-check for the shrunk
 * counterexample (the property replayed from the same seed) so the report names the smallest one.
 */
async function fuzz<T>(tally: Tally, label: string, expected: 'accepted' | 'refused', arb: fc.Arbitrary<T>, judge: (value: T) => Promise<string | undefined>, regressions: T[] = []): Promise<void> {
  const cases = [...regressions, ...fc.sample(arb, { numRuns: SIZE.fuzzRunsPerAction, seed: FUZZ_SEED })];
  let failed = false;
  for (const value of cases) {
    const problem = await judge(value);
    if (problem === undefined) expected === 'accepted' ? tally.accepted() : tally.refused();
    else {
      failed = true;
      tally.unexpected(`${label} ${describe(value)}: ${problem}`);
    }
  }
  if (failed) {
    // Bounded: shrinking replays the calls, and a slow one must not stall the suite.
    const details = await fc.check(fc.asyncProperty(arb, async (v) => (await judge(v)) === undefined), { numRuns: SIZE.fuzzRunsPerAction, seed: FUZZ_SEED, interruptAfterTimeLimit: 120_000 });
    if (details.failed) tally.unexpected(`${label} shrunk counterexample: ${fc.stringify(details.counterexample)}`);
  }
}

function describe(value: unknown): string {
  const text = fc.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

it.each(ACTION_TARGETS.map((t) => [nameOf(t), t] as const))('fuzz %s: valid events succeed, invalid ones are refused with a clear code and no write', async (name, target) => {
  const tally = new Tally(`fuzz ${name}`);
  await fuzz(tally, `${name} valid`, 'accepted', target.valid(fixtures), (event) => judgeValid(target, event), target.regressions?.(fixtures));
  const invalid = fc.tuple(target.valid(fixtures), invalidMutations(target.fields, target.action, target.strict)).map(([event, mutation]) => ({ event, mutation }));
  await fuzz(tally, `${name} invalid`, 'refused', invalid.filter(({ mutation }) => !mutation.stillValid), ({ event, mutation }: { event: Record<string, unknown>; mutation: Mutation }) =>
    judgeInvalid(target, mutation.apply(target.action ? { action: target.action, ...event } : event)).then((p) => (p ? `${mutation.describe}: ${p}` : undefined)),
  );
  // Unknown fields are dropped by the schemas: the event is judged as the valid one it was (a strict
  // schema refuses them: judged above with the invalid ones).
  if (!target.strict) await fuzz(tally, `${name} unknown field`, 'accepted', invalid.filter(({ mutation }) => !!mutation.stillValid), ({ event, mutation }: { event: Record<string, unknown>; mutation: Mutation }) =>
    judgeValid(target, mutation.apply(event) as Record<string, unknown>).then((p) => (p ? `${mutation.describe}: ${p}` : undefined)),
  );
  // Valid events from anyone but an admin: FORBIDDEN, nothing written.
  if (target.adminOnly) {
    const notAdmin = fc.tuple(target.valid(fixtures), fc.constantFrom<Role>('payer', 'payee', 'stranger'));
    await fuzz(tally, `${name} not an admin`, 'refused', notAdmin, async ([event, role]) => {
      const before = snapshotStore(stack.dataDir);
      const r = await guarded(target.fn, { action: target.action, ...event }, role);
      if (typeof r === 'string') return r;
      const changed = changedTables(before, snapshotStore(stack.dataDir));
      if (r.ok !== false || r.code !== 'FORBIDDEN') return `${role} got ${JSON.stringify(r).slice(0, 200)}`;
      return changed.length ? `${role}: wrote ${changed.join(', ')}` : undefined;
    });
  }
  finish(tally);
});

it.each(['reconcile', 'statement'])('fuzz %s (timer only): every caller and every forged timer event is FORBIDDEN and writes nothing; its own timer runs', async (timerFn) => {
  const tally = new Tally(`fuzz ${timerFn}`);
  const forged = fc.record({
    role: fc.constantFrom<Role>('payer', 'admin', 'none'),
    event: fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ Type: fc.constantFrom('Timer', 'timer', 'Cron'), TriggerName: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(`${timerFn}\uD800`, ...stack.host.timers.map((t) => t.name))), Time: fc.constantFrom('2019-02-21T11:49:00Z', 'now', '') }),
    ),
  }).filter(({ role, event }) => role !== 'none' || !isOwnTimerEvent(timerFn, event));
  await fuzz(tally, `${timerFn} forged`, 'refused', forged, async ({ role, event }) => {
    const before = snapshotStore(stack.dataDir);
    const r = await guarded(timerFn, event, role);
    if (typeof r === 'string') return r;
    const changed = changedTables(before, snapshotStore(stack.dataDir));
    if (r.ok !== false || r.code !== 'FORBIDDEN') return `answered ${JSON.stringify(r).slice(0, 200)}`;
    return changed.length ? `wrote ${changed.join(', ')}` : undefined;
  });
  // A timer run answers its report itself (no ApiResult wrapper).
  const run = (await stack.host.runTimer(timerFn)) as Result & Record<string, unknown>;
  if (run && typeof run === 'object' && run.ok !== false) tally.accepted();
  else tally.unexpected(`its own timer run: ${JSON.stringify(run)}`);
  finish(tally);
});

function isOwnTimerEvent(fn: string, event: unknown): boolean {
  const e = event as Record<string, unknown> | null;
  return !!e && typeof e === 'object' && e.Type === 'Timer' && stack.host.timers.some((t) => t.fn === fn && t.name === e.TriggerName);
}
