/**
 * Crash recovery at every named step boundary (issue 17): a payment, a refund, a close, a
 * combine payment and a PayScore order, each driven as the pages, the payer and the merchant
 * drive it, while the function host (its own process, bundles built with crash points) dies at
 * one named point — after the gateway accepted but before the store wrote, after the store wrote
 * but before the reply, in the middle of a notification (verified / applied / before the reply).
 * The host is started again on the same store; the flow runs again from the top with the same
 * keys (every step is safe to repeat), the gateway redelivers, `reconcile` runs; then the flow's
 * end state must equal its no-crash run's: one order here and at the gateway, the same state,
 * amounts, refunds and audit trail, nothing stuck. Then each flow again with the sandbox gateway
 * restarted (closed and started on its saved state) before each of its steps.
 * Cases run in parallel lanes (one host process each, same store and gateway) to keep CI short.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrashPointName } from '../../../cloudfunctions/core/kernel/platform/crash-point';
import { CRASH_POINTS } from '../../../cloudfunctions/core/kernel/platform/crash-point';
import { createPayScoreAdmin, startGateway, type Gateway } from '../../../sandbox/gateway';
import { testOpenid } from '../../../sandbox/gateway/login';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { prepayIdOf, waitFor } from '../../helpers/e2e-utils';
import { finish, Tally } from '../report';
import { LONG } from '../size';
import { snapshotStore } from '../store-snapshot';
import { buildCrashFunctions } from './crash-build';
import { freePort, kill, startHostProcess, type HostProcess } from './host-control';

jest.setTimeout(900_000);

const LANES = LONG ? 5 : 4;
/** The long size repeats every case (fresh keys and numbers each time). */
const REPEATS = LONG ? 3 : 1;
const GATEWAY = { timeScale: 50, minCloseIntervalMs: 1000 } as const;

let dataDir: string;
let distDir: string;
let gateway: Gateway;
let gatewayPort: number;
let shareCode: string;

type Answer = { ok: boolean; code?: string; message?: string; retryable?: boolean; data?: Record<string, unknown> };

/** One function host process and its port/config; restarted in place after a crash. */
class Lane {
  host!: HostProcess;
  private tokens = new Map<string, Promise<string>>();
  constructor(
    readonly port: number,
    readonly configFile: string,
  ) {}
  async start(): Promise<void> {
    this.tokens.clear();
    this.host = await startHostProcess({ gatewayUrl: gateway.url, appid: gateway.keys.appid, appSecret: gateway.keys.appSecret, port: this.port, configFile: this.configFile, distDir });
  }
  get dead(): boolean {
    return this.host.child.exitCode !== null || this.host.child.signalCode !== null;
  }
  private token(user: string): Promise<string> {
    let t = this.tokens.get(user);
    if (!t) {
      t = fetch(`${this.host.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `user:${user}:${Math.random()}` }) })
        .then(async (res) => ((await res.json()) as { token: string }).token);
      t.catch(() => this.tokens.delete(user));
      this.tokens.set(user, t);
    }
    return t;
  }
  /** One call as `user`; a dead host answers undefined, as any transport failure. */
  async call(user: string, fn: string, data: Record<string, unknown>): Promise<Answer | undefined> {
    try {
      const res = await fetch(`${this.host.url}/call/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.token(user)}` }, body: JSON.stringify({ data }) });
      return (await res.json()) as Answer;
    } catch {
      return undefined;
    }
  }
}

/** What one run of a flow may do; `stopped` ends its loops once its host died. */
interface Run {
  lane: Lane;
  keys: FlowKeys;
  stopped: boolean;
}

interface FlowKeys {
  key: string;
  amount: number;
}

/** A step: repeats its idempotent calls until its goal holds (bounded), like a page and its user. */
type Step = (run: Run) => Promise<void>;

interface Flow {
  name: string;
  steps: Step[];
  /** Each crash point this flow passes, and the step before which it is armed. */
  points: Array<[CrashPointName, number]>;
  /** The flow's records, normalized: what must equal the no-crash run. */
  endState(keys: FlowKeys): Promise<Record<string, unknown>>;
}

class Stopped extends Error {}

/** Repeats `probe` until it answers truthy; gives up when the run's host died. */
async function until<T>(run: Run, what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  return waitFor(what, async () => {
    if (run.stopped) throw new Stopped(what);
    return probe();
  }, timeoutMs, everyMs);
}

async function ok(run: Run, user: string, fn: string, data: Record<string, unknown>, accept: (a: Answer) => boolean = (a) => a.ok): Promise<Answer> {
  let last: Answer | undefined;
  return until(run, `${fn}.${String(data.action)} ${run.keys.key}`, async () => {
    const a = (last = await run.lane.call(user, fn, data));
    return a && accept(a) ? a : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message} (last answer: ${last ? `${last.code} ${last.message}` : 'none'})`);
  });
}

// ---------------------------------------------------------------------------------------------
// The flows

type StoredOrder = { outTradeNo: string; idempotencyKey: string; state: string; amount: number; refundedAmount: number; transactionId?: string; refunds: Array<{ outRefundNo: string; amount: number; state: string }> };
const storedOrders = () => (snapshotStore(dataDir).orders as Array<{ data: string }>).map((row) => JSON.parse(row.data) as StoredOrder);
const ordersOf = (key: string) => storedOrders().filter((o) => o.idempotencyKey === key);

async function createOrder(run: Run, channel: 'jsapi' | 'combine'): Promise<Answer> {
  return ok(run, 'alice', 'pay', { action: 'create', channel, amount: run.keys.amount, idempotencyKey: run.keys.key, ...(channel === 'combine' ? { payeeCode: shareCode } : {}) });
}

const orderState = async (run: Run, outTradeNo: string) => ((await run.lane.call('alice', 'pay', { action: 'query', outTradeNo }))?.data?.order as { state?: string } | undefined)?.state;

/** The payer pays in the cashier (once: a paid prepay is not paid again), then the page polls until PAID. */
const payAndWait: (channel: 'jsapi' | 'combine') => Step = (channel) => async (run) => {
  const created = await createOrder(run, channel);
  const order = created.data!.order as { outTradeNo: string; state: string };
  const payment = created.data!.payment as Parameters<typeof prepayIdOf>[0] | undefined;
  if (payment && order.state === 'PAYING') await gateway.admin.pay(prepayIdOf(payment)).catch(() => undefined);
  await until(run, `${order.outTradeNo} PAID`, async () => ['PAID', 'REFUNDING', 'REFUNDED'].includes((await orderState(run, order.outTradeNo)) ?? ''));
};

/** The order's end state as both sides see it (no ids, no times). */
async function orderEndState(keys: FlowKeys): Promise<Record<string, unknown>> {
  const here = ordersOf(keys.key);
  const gw = await gateway.admin.orders();
  const o = here[0];
  if (!o) return { orders: 0 };
  const atGateway = [...gw.orders.filter((g) => g.outTradeNo === o.outTradeNo).map((g) => g.tradeState), ...gw.combines.filter((c) => c.combineOutTradeNo === o.outTradeNo).map((c) => c.subOrders.map((s) => (s as { tradeState?: string }).tradeState).join(','))];
  const audit = snapshotStore(dataDir).audit as Array<{ data: string; out_trade_no: string }>;
  // Transitions only: a fact learned without a change of state (e.g. a combine payment's id, told
  // by a query the page happened to make while it waited) is timing, not outcome.
  const trail = audit
    .filter((row) => row.out_trade_no === o.outTradeNo)
    .map((row) => JSON.parse(row.data) as { from: string | null; to: string; event: string })
    .filter((e) => e.from !== e.to || e.event === 'PAID' || e.event.startsWith('REFUND'))
    .map((e) => `${e.event}→${e.to}`);
  const refundsAtGateway = gw.refunds.filter((r) => r.outTradeNo === o.outTradeNo);
  return {
    orders: here.length,
    state: o.state,
    amount: o.amount,
    paid: Boolean(o.transactionId),
    refundedAmount: o.refundedAmount,
    refunds: o.refunds.map((r) => `${r.amount}:${r.state}`),
    gatewayOrders: atGateway,
    gatewayRefunds: refundsAtGateway.map((r) => `${r.refund}:${r.status}`),
    audit: trail,
  };
}

const NOTIFY_POINTS = ['notify:after-verify', 'notify:after-apply', 'notify:before-reply'] as const;
const CREATE_POINTS = ['pay.create:after-insert', 'pay.create:after-gateway', 'pay.create:after-store'] as const;

const FLOWS: Flow[] = [
  {
    name: 'payment',
    steps: [async (run) => void (await createOrder(run, 'jsapi')), payAndWait('jsapi')],
    points: [...CREATE_POINTS.map((p) => [p, 0] as [CrashPointName, number]), ...NOTIFY_POINTS.map((p) => [p, 1] as [CrashPointName, number])],
    endState: orderEndState,
  },
  {
    name: 'refund',
    steps: [
      async (run) => void (await createOrder(run, 'jsapi')),
      payAndWait('jsapi'),
      async (run) => {
        const order = (await createOrder(run, 'jsapi')).data!.order as { outTradeNo: string };
        // The admin refunds all of it (same idempotency key on every try), then watches it settle.
        await ok(run, 'admin', 'pay', { action: 'refund', outTradeNo: order.outTradeNo, amount: run.keys.amount, idempotencyKey: `${run.keys.key}-refund` }, (a) => a.ok || a.code === 'INVALID_STATE');
        await until(run, `${order.outTradeNo} REFUNDED`, async () => (await orderState(run, order.outTradeNo)) === 'REFUNDED');
      },
    ],
    points: [...(['pay.refund:after-start', 'pay.refund:after-gateway', 'pay.refund:after-store'] as const).map((p) => [p, 2] as [CrashPointName, number]), ...NOTIFY_POINTS.map((p) => [p, 2] as [CrashPointName, number])],
    endState: orderEndState,
  },
  {
    name: 'close',
    steps: [
      async (run) => void (await createOrder(run, 'jsapi')),
      async (run) => {
        const order = (await createOrder(run, 'jsapi')).data!.order as { outTradeNo: string };
        // The payer closes it once the close interval (1 s here) has passed; "too early" and no answer are tried again.
        await ok(run, 'alice', 'pay', { action: 'close', outTradeNo: order.outTradeNo }, (a) => a.ok);
      },
    ],
    points: (['pay.close:after-gateway', 'pay.close:after-store'] as const).map((p) => [p, 1] as [CrashPointName, number]),
    endState: orderEndState,
  },
  {
    name: 'combine payment',
    steps: [async (run) => void (await createOrder(run, 'combine')), payAndWait('combine')],
    points: [...CREATE_POINTS.map((p) => [p, 0] as [CrashPointName, number]), ...NOTIFY_POINTS.map((p) => [p, 1] as [CrashPointName, number])],
    endState: orderEndState,
  },
  payscoreFlow(),
];

function payscoreFlow(): Flow {
  const request = (run: Run) => ({
    action: 'create',
    outOrderNo: run.keys.key.replace(/[^0-9A-Za-z]/g, '').slice(-32),
    serviceIntroduction: '充电宝租借',
    postPayments: [{ name: '租借费用', amount: run.keys.amount, description: '每小时5元', count: 1 }],
    postDiscounts: [],
    riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000, description: '充电宝押金' },
  });
  type View = { outOrderNo: string; state: string; stateDescription?: string; collectionState?: string; confirm?: { extraData: { package: string } } };
  const create = async (run: Run) => (await ok(run, 'alice', 'payscore', request(run))).data!.order as View;
  const query = async (run: Run, no: string) => (await run.lane.call('alice', 'payscore', { action: 'query', outOrderNo: no }))?.data?.order as View | undefined;
  const completion = (run: Run, no: string) => ({ action: 'complete', outOrderNo: no, postPayments: [{ name: '租借费用', amount: run.keys.amount, description: '实际使用', count: 1 }], postDiscounts: [], totalAmount: run.keys.amount });
  return {
    name: 'PayScore order',
    steps: [
      async (run) => void (await create(run)),
      async (run) => {
        const order = await create(run);
        if (order.state === 'CREATED' && order.confirm) {
          // Confirmed already (our record behind: its notification died with the host): the page then finds it confirmed.
          await fetch(`${gateway.url}/sandbox/payscore/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ package: order.confirm.extraData.package, decision: 'confirm' }) });
        }
        let last: unknown;
        await until(run, `${order.outOrderNo} confirmed`, async () => ['DOING', 'DONE'].includes(((last = await run.lane.call('alice', 'payscore', { action: 'query', outOrderNo: order.outOrderNo })) as { data?: { order?: View } } | undefined)?.data?.order?.state ?? '')).catch((e: Error) => {
          throw new Error(`${e.message}: ${JSON.stringify(last)}`);
        });
      },
      async (run) => {
        const order = await create(run);
        await ok(run, 'admin', 'payscore', completion(run, order.outOrderNo));
      },
      async (run) => {
        const order = await create(run);
        // The merchant registers the deduction (once: a second registration of a collected order is refused), then the page waits for DONE.
        await run.lane.call('admin', 'payscore', { action: 'registerDeduction', outOrderNo: order.outOrderNo, outTradeNo: `D${order.outOrderNo}`.slice(0, 32) });
        await until(run, `${order.outOrderNo} DONE`, async () => (await query(run, order.outOrderNo))?.state === 'DONE');
      },
    ],
    points: [
      ['payscore.create:after-gateway', 0],
      ['payscore.create:after-store', 0],
      ...NOTIFY_POINTS.map((p) => [p, 1] as [CrashPointName, number]),
      ['payscore.complete:after-gateway', 2],
      ['payscore.complete:after-store', 2],
    ],
    async endState(keys) {
      const no = keys.key.replace(/[^0-9A-Za-z]/g, '').slice(-32);
      const rows = (snapshotStore(dataDir).payscore_orders as Array<{ data: string }>).map((r) => JSON.parse(r.data) as { outOrderNo: string; state: string; stateDescription?: string; collectionState?: string; paidAmount?: number; completion?: { totalAmount: number }; history: Array<{ to: string; event: string }> }).filter((o) => o.outOrderNo === no);
      const o = rows[0];
      if (!o) return { orders: 0 };
      const atGateway = (await createPayScoreAdmin(gateway.url).order(no).catch(() => undefined))?.order;
      return {
        orders: rows.length,
        state: o.state,
        stateDescription: o.stateDescription,
        collectionState: o.collectionState,
        totalAmount: o.completion?.totalAmount,
        paidAmount: o.paidAmount,
        gateway: `${atGateway?.state}/${atGateway?.stateDescription}/${atGateway?.collectionState}/${atGateway?.totalAmount}`,
        history: o.history.map((h) => `${h.event}→${h.to}`),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Running a flow, with a crash, with a gateway restart, or plain

let seq = 0;
const newKeys = (flow: Flow): FlowKeys => ({ key: `sb${process.pid}x${seq++}x${flow.name.replace(/\W/g, '')}`.slice(0, 60), amount: 1000 });

/** Drives the records of this flow to their final state: retries by the flow itself, redeliveries, reconcile. */
async function settle(lane: Lane, flow: Flow, keys: FlowKeys): Promise<void> {
  const run: Run = { lane, keys, stopped: false };
  for (const step of flow.steps) await step(run);
  // Reconcile until nothing of this flow is left in a transient state.
  await waitFor(`${flow.name} ${keys.key} settled`, async () => {
    await lane.host.runTimer('reconcile').catch(() => undefined);
    const o = ordersOf(keys.key)[0];
    return !o || !['CREATED', 'PAYING', 'REFUNDING'].includes(o.state);
  }, 20_000, 200);
}

async function runFlow(lane: Lane, flow: Flow, crashAt?: [CrashPointName, number]): Promise<{ keys: FlowKeys; crashed: boolean }> {
  const keys = newKeys(flow);
  const run: Run = { lane, keys, stopped: false };
  let crashed = false;
  try {
    for (let i = 0; i < flow.steps.length; i++) {
      if (crashAt && crashAt[1] === i) await lane.host.arm(crashAt[0]);
      const outcome = await Promise.race([flow.steps[i](run).then(() => 'done' as const), lane.host.exited.then(() => 'crashed' as const)]);
      if (outcome === 'crashed') {
        crashed = true;
        break;
      }
    }
    // A point reached just after the step's goal showed (a reply not yet sent): give it a moment.
    if (crashAt && !crashed) crashed = await Promise.race([lane.host.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))]);
  } catch (error) {
    if (!(error instanceof Stopped) && !lane.dead) throw error;
    crashed = true;
  } finally {
    run.stopped = true;
  }
  if (crashed) await lane.start();
  else if (crashAt) await lane.host.arm(undefined);
  await settle(lane, flow, keys);
  return { keys, crashed };
}

async function restartGateway(): Promise<void> {
  await gateway.close();
  gateway = await startGateway({ dataDir, port: gatewayPort, ...GATEWAY });
}

// ---------------------------------------------------------------------------------------------

let lanes: Lane[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'reliability-steps-'));
  distDir = await buildCrashFunctions();
  // Notification retries and refund delays 50× faster: the gateway redelivers within the test.
  gateway = await startGateway({ dataDir, port: 0, ...GATEWAY });
  gatewayPort = Number(new URL(gateway.url).port);
  lanes = await Promise.all(
    Array.from({ length: LANES }, async (_, i) => {
      const port = await freePort();
      const configFile = writeLocalMerchantConfig({
        dataDir,
        keys: gateway.keys,
        gatewayUrl: gateway.url,
        hostUrl: `http://127.0.0.1:${port}`,
        openidOf: (user) => testOpenid(gateway.keys.appid, user),
        overrides: { minCloseIntervalMs: 1000, reconcile: { payingOlderThanMs: 0, batchSize: 100 } },
        file: join(dataDir, `steps-pay-config-${i}.json`),
      });
      const lane = new Lane(port, configFile);
      await lane.start();
      return lane;
    }),
  );
  // bob signs up as an individual payee (the combine flow pays him).
  const lane = lanes[0];
  const seedRun: Run = { lane, keys: { key: 'payee-setup', amount: 0 }, stopped: false };
  const params = (await ok(seedRun, 'bob', 'payee', { action: 'signParams' })).data;
  await fetch(`${gateway.url}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  await ok(seedRun, 'bob', 'payee', { action: 'confirm' });
  shareCode = (await ok(seedRun, 'bob', 'payee', { action: 'profile', displayName: 'Bob' })).data!.shareCode as string;
});
afterAll(async () => {
  await Promise.all(lanes.map(async (l) => (l.host.child.stdin.end(), await kill(l.host).catch(() => undefined))));
  await gateway?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

/** Runs `jobs` on the lanes, each lane one job at a time. */
async function onLanes<T>(jobs: Array<(lane: Lane) => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(lanes.map(async (lane) => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i](lane);
    }
  }));
  return results;
}

const differences = (a: Record<string, unknown> = { baseline: 'missing' }, b: Record<string, unknown>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: ${JSON.stringify(b[k])}, no-crash ${JSON.stringify(a[k])}`);

it('every named crash point is passed by some flow', () => {
  const covered = new Set(FLOWS.flatMap((f) => f.points.map(([p]) => p)));
  expect(CRASH_POINTS.filter((p) => !covered.has(p))).toEqual([]);
});

const baselines = new Map<string, Record<string, unknown>>();

it('the no-crash runs', async () => {
  const runs = await onLanes(FLOWS.map((flow) => async (lane) => ({ flow, ...(await runFlow(lane, flow).catch((e: Error) => ({ error: e.message, keys: undefined }))) })));
  const failed: string[] = [];
  for (const run of runs) {
    if (!run.keys) failed.push(`${run.flow.name}: ${'error' in run ? run.error : ''}`);
    else baselines.set(run.flow.name, await run.flow.endState(run.keys));
  }
  expect(failed).toEqual([]);
  for (const [name, state] of baselines) expect([name, state.orders]).toEqual([name, 1]);
});

/**
 * Crash points whose recovery is known not to reach the no-crash end state yet (reported, not
 * fixed here). Each still runs and must still fail: once fixed, the case fails until removed.
 * - payscore.create:after-gateway: the retried create sends a new time_range.start_time (our
 *   clock at the retry), so the gateway refuses it as "same number, other parameters"
 *   (INVALID_REQUEST 商户服务订单号重复); the service order stays CREATED at the gateway, unknown
 *   here, and the page needs a new number. No money moved (nothing was confirmed).
 */
const KNOWN: Partial<Record<string, CrashPointName[]>> = { 'PayScore order': ['payscore.create:after-gateway'] };

type CaseOutcome = { point: [CrashPointName, number]; crashed: boolean; keys?: FlowKeys; error?: string };
const outcomes = new Map<string, CaseOutcome[]>();

it('every flow × crash point, run to recovery (one pool over the lanes)', async () => {
  const cases = Array.from({ length: REPEATS }, () => FLOWS.flatMap((flow) => flow.points.map((point) => ({ flow, point })))).flat();
  const done = await onLanes(cases.map(({ flow, point }) => async (lane) => ({ flow, outcome: { point, ...(await runFlow(lane, flow, point).catch((e: Error) => ({ error: e.message, crashed: false }))) } as CaseOutcome })));
  for (const { flow, outcome } of done) outcomes.set(flow.name, [...(outcomes.get(flow.name) ?? []), outcome]);
  expect(done.length).toBe(cases.length);
});

describe.each(FLOWS.map((f) => [f.name, f]))('crash recovery: %s', (name, flow) => {
  it('the host killed at each step boundary ends as the no-crash run', async () => {
    const tally = new Tally(`crash recovery: ${name}`);
    for (const o of outcomes.get(name) ?? []) {
      const what = `${name} × ${o.point[0]}`;
      if (KNOWN[name]?.includes(o.point[0])) {
        const reproduced = o.error !== undefined || !o.crashed || !o.keys || differences(baselines.get(name), await flow.endState(o.keys)).length > 0;
        if (!reproduced) tally.unexpected(`${what}: listed as a known failure but recovered: remove it from KNOWN`);
        else process.stdout.write(`crash recovery, known issue reproduced: ${what}\n`);
        continue;
      }
      if (o.error !== undefined || !o.keys) {
        tally.unexpected(`${what}: ${o.error}`);
        continue;
      }
      if (!o.crashed) {
        tally.unexpected(`${what}: the point was never reached`);
        continue;
      }
      const diff = differences(baselines.get(name), await flow.endState(o.keys));
      if (!diff.length) tally.accepted();
      else if (diff.some((d) => /^(orders|paid|state|refundedAmount|gatewayOrders|gatewayRefunds|paidAmount|gateway):/.test(d))) (tally.unexpected(`${what}: ${diff.join('; ')}`), tally.lost(`${what}: ${diff.join('; ')}`));
      else tally.unexpected(`${what}: ${diff.join('; ')}`);
    }
    finish(tally);
  });
});

it('the sandbox gateway restarted before each step of each flow: every flow ends as its no-crash run', async () => {
  const tally = new Tally('crash recovery: gateway restart');
  for (let r = 0; r < REPEATS; r++) {
    for (const flow of FLOWS) {
      const keys = newKeys(flow);
      const run: Run = { lane: lanes[0], keys, stopped: false };
      try {
        for (let i = 0; i < flow.steps.length; i++) {
          if (i > 0) await restartGateway();
          await flow.steps[i](run);
        }
        await restartGateway();
        await settle(lanes[0], flow, keys);
        const diff = differences(baselines.get(flow.name)!, await flow.endState(keys));
        if (diff.length) tally.unexpected(`${flow.name}: ${diff.join('; ')}`);
        else tally.accepted();
      } catch (error) {
        tally.unexpected(`${flow.name}: ${(error as Error).message}`);
      }
    }
  }
  finish(tally);
});
