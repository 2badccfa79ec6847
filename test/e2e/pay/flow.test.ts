/**
 * The payment flow over the whole local stack (sandbox gateway + function host, real HTTP, real
 * SQLite): pay, pay after a cancel, lost and duplicated notifications, gateway 500s, refunds and
 * the close rule. The gateway runs 100× faster (notification retries, refund completion) and with
 * a 1.5 s minimum close interval; the functions' config is told the same.
 */
import { testOpenid } from '../../../sandbox/gateway/login';
import { packageOf } from '../../helpers/e2e-utils';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, cashier, idemKey, login, orderRow, storeSnapshot, waitFor, waitForState, type User } from './harness';

jest.setTimeout(60_000);

const MIN_CLOSE_MS = 1500;
let stack: Stack;
let alice: User;
let bob: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({
    gateway: { minCloseIntervalMs: MIN_CLOSE_MS, timeScale: 100 },
    env: { PAY_MIN_CLOSE_INTERVAL_MS: String(MIN_CLOSE_MS), PAY_RECONCILE_AFTER_MS: '0' },
  });
  [alice, bob, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'bob'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

async function gatewayOrders(outTradeNo: string) {
  return (await stack.gateway.admin.orders()).orders.filter((o) => o.outTradeNo === outTradeNo);
}

it('create → pay → notification → pay.query shows PAID; one PAID order with its audit trail', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 1288, idempotencyKey: idemKey(), description: '咖啡' });
  expect(created.order).toMatchObject({ state: 'PAYING', amount: 1288, description: '咖啡', refundedAmount: 0 });
  expect(created.payment).toMatchObject({ signType: 'RSA' });
  await cashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const { order } = await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo });
  expect(order).toMatchObject({ state: 'PAID', amount: 1288 });
  expect(order.transactionId).toMatch(/^\d+$/);
  expect(auditOf(stack, created.order.outTradeNo).map((a) => [a.to, a.actor])).toEqual([
    ['CREATED', 'user'],
    ['PAYING', 'user'],
    ['PAID', 'notify'],
  ]);
  expect(await gatewayOrders(created.order.outTradeNo)).toEqual([expect.objectContaining({ tradeState: 'SUCCESS', total: 1288, payerOpenid: testOpenid(stack.gateway.keys.appid, 'alice') })]);
});

it('cancel in the cashier, then pay again: one order, paid once', async () => {
  const idempotencyKey = idemKey();
  const first = await alice.ok('pay.create', { channel: 'jsapi', amount: 500, idempotencyKey });
  await cashier(stack, 'cancel', first.payment);
  expect((await alice.ok('pay.query', { outTradeNo: first.order.outTradeNo })).order.state).toBe('PAYING');
  // The page retries with the same key: same order, freshly signed params.
  const again = await alice.ok('pay.create', { channel: 'jsapi', amount: 500, idempotencyKey });
  expect(again.order.outTradeNo).toBe(first.order.outTradeNo);
  expect(packageOf(again.payment)).toBe(packageOf(first.payment));
  await cashier(stack, 'pay', again.payment);
  await waitForState(stack, first.order.outTradeNo, 'PAID');
  expect(auditOf(stack, first.order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  expect(await gatewayOrders(first.order.outTradeNo)).toHaveLength(1);
  const mine = (storeSnapshot(stack).orders as Array<{ data: string }>).map((r) => JSON.parse(r.data) as { idempotencyKey: string });
  expect(mine.filter((o) => o.idempotencyKey === idempotencyKey)).toHaveLength(1);
});

it('a dropped notification: pay.query still finds the payment through the gateway query', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 321, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop' });
  await cashier(stack, 'pay', created.payment);
  await waitFor('the drop', async () => (await stack.gateway.admin.notifications()).some((n) => n.subject === created.order.outTradeNo && n.status === 'dropped'));
  expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAYING');
  const { order } = await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo });
  expect(order.state).toBe('PAID');
  expect(auditOf(stack, created.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'query' });
});

it('a dropped notification nobody queries: reconcile (timer) marks it paid', async () => {
  const created = await bob.ok('pay.create', { channel: 'jsapi', amount: 654, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop' });
  await cashier(stack, 'pay', created.payment);
  await waitFor('the drop', async () => (await stack.gateway.admin.notifications()).some((n) => n.subject === created.order.outTradeNo && n.status === 'dropped'));
  const report = (await stack.host.runTimer('reconcile')) as { checked: number; paid: number; closed: number; failed: number; errors: number };
  expect(report).toEqual(expect.objectContaining({ checked: expect.any(Number), paid: expect.any(Number), closed: 0, failed: 0, errors: 0 }));
  expect(report.paid).toBeGreaterThanOrEqual(1);
  expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAID');
  expect(auditOf(stack, created.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'reconcile' });
});

it('50 identical notifications at once: exactly one transition, all answered 204', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 999, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'duplicate', copies: 50 });
  await cashier(stack, 'pay', created.payment);
  const record = await waitFor('50 answers', async () => {
    const n = (await stack.gateway.admin.notifications()).find((x) => x.subject === created.order.outTradeNo);
    return n && n.attempts.length >= 50 && n.attempts.every((a) => a.statusCode !== undefined || a.error !== undefined) ? n : undefined;
  });
  expect(record.attempts).toHaveLength(50);
  expect(record.attempts.map((a) => a.statusCode)).toEqual(Array(50).fill(204));
  expect(auditOf(stack, created.order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  expect(orderRow(stack, created.order.outTradeNo)).toMatchObject({ state: 'PAID', version: 3 });
});

it('gateway answers 500 twice on create: the same out_trade_no succeeds on retry', async () => {
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'SYSTEM_ERROR', count: 2 });
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 777, idempotencyKey: idemKey() });
  expect(created.order.state).toBe('PAYING');
  expect(await stack.gateway.admin.faults()).toEqual([]);
  expect(await gatewayOrders(created.order.outTradeNo)).toHaveLength(1);
  await cashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
});

it('the create times out after the gateway took it: the client resends the same bytes and gets the same prepay', async () => {
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'hang', holdMs: 8000, processed: true });
  const started = Date.now();
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 779, idempotencyKey: idemKey() });
  expect(Date.now() - started).toBeGreaterThanOrEqual(4000); // one client timeout (5 s) went by
  expect(created.order.state).toBe('PAYING');
  const atGateway = await gatewayOrders(created.order.outTradeNo);
  expect(atGateway).toHaveLength(1);
  expect(packageOf(created.payment)).toBe(`prepay_id=${atGateway[0].prepayId}`);
});

it('gateway down past the retries: GATEWAY_UNAVAILABLE, order kept CREATED, the retry places the same number', async () => {
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'SYSTEM_ERROR', count: 3 });
  const idempotencyKey = idemKey();
  const failed = await alice.call('pay.create', { channel: 'jsapi', amount: 778, idempotencyKey });
  expect(failed).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE', retryable: true });
  const pending = (storeSnapshot(stack).orders as Array<{ data: string; state: string }>).map((r) => JSON.parse(r.data) as { idempotencyKey: string; outTradeNo: string; state: string }).find((o) => o.idempotencyKey === idempotencyKey);
  expect(pending?.state).toBe('CREATED');
  const retried = await alice.ok('pay.create', { channel: 'jsapi', amount: 778, idempotencyKey });
  expect(retried.order).toMatchObject({ outTradeNo: pending?.outTradeNo, state: 'PAYING' });
});

it('a corrupted first delivery (bad signature, unknown serial, SIGNTEST, stale) is refused; the sound retry applies once', async () => {
  for (const corruption of ['signature', 'serial', 'signtest', 'stale-timestamp'] as const) {
    const created = await bob.ok('pay.create', { channel: 'jsapi', amount: 111, idempotencyKey: idemKey() });
    await stack.gateway.admin.fault({ kind: 'notification', effect: 'corrupt', corruption });
    await cashier(stack, 'pay', created.payment);
    const record = await waitFor(`${corruption} then retry`, async () => {
      const n = (await stack.gateway.admin.notifications()).find((x) => x.subject === created.order.outTradeNo);
      return n?.status === 'delivered' ? n : undefined;
    });
    expect(record.attempts[0]).toMatchObject({ statusCode: 401 });
    expect(record.attempts.at(-1)).toMatchObject({ statusCode: 204 });
    const trail = auditOf(stack, created.order.outTradeNo);
    expect(trail.filter((a) => a.to === 'PAID')).toEqual([expect.objectContaining({ actor: 'notify' })]);
  }
});

describe('refunds', () => {
  it('admin refunds part, then the rest: REFUNDED once both refund notifications arrive', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 1000, idempotencyKey: idemKey() });
    await cashier(stack, 'pay', created.payment);
    await waitForState(stack, created.order.outTradeNo, 'PAID');
    const outTradeNo = created.order.outTradeNo;

    const part = await admin.ok('pay.refund', { outTradeNo, amount: 300, reason: '部分退款', idempotencyKey: idemKey() });
    expect(part.refund).toMatchObject({ amount: 300, state: 'PROCESSING' });
    expect(part.order.state).toBe('REFUNDING');
    expect(await admin.call('pay.refund', { outTradeNo, amount: 701, idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'REFUND_EXCEEDS_PAID' });
    await waitFor('first refund settled', async () => (await admin.ok('pay.query', { outTradeNo })).order.refundedAmount === 300 || undefined);
    expect((await alice.ok('pay.query', { outTradeNo })).order).toMatchObject({ state: 'PAID', refundedAmount: 300 });

    await admin.ok('pay.refund', { outTradeNo, amount: 700, idempotencyKey: idemKey() });
    await waitForState(stack, outTradeNo, 'REFUNDED');
    expect((await alice.ok('pay.query', { outTradeNo })).order).toMatchObject({ state: 'REFUNDED', refundedAmount: 1000 });
    expect(auditOf(stack, outTradeNo).map((a) => a.event)).toEqual([
      'ORDER_CREATED', 'PREPAY_CREATED', 'PAID', 'REFUND_STARTED', 'REFUND_SUCCEEDED', 'REFUND_STARTED', 'REFUND_SUCCEEDED',
    ]);
  });

  it('a non-admin refund is FORBIDDEN and writes nothing', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 400, idempotencyKey: idemKey() });
    await cashier(stack, 'pay', created.payment);
    await waitForState(stack, created.order.outTradeNo, 'PAID');
    const before = storeSnapshot(stack);
    expect(await alice.call('pay.refund', { outTradeNo: created.order.outTradeNo, amount: 100, idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(storeSnapshot(stack)).toEqual(before);
  });
});

describe('close', () => {
  it('too early is CLOSE_TOO_EARLY; after the interval it closes here and at the gateway; a paid order is INVALID_STATE', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 250, idempotencyKey: idemKey() });
    const before = storeSnapshot(stack);
    expect(await alice.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'CLOSE_TOO_EARLY' });
    expect(storeSnapshot(stack)).toEqual(before);
    expect(await bob.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await new Promise((r) => setTimeout(r, MIN_CLOSE_MS + 300));
    const closed = await alice.ok('pay.close', { outTradeNo: created.order.outTradeNo });
    expect(closed.order.state).toBe('CLOSED');
    expect((await gatewayOrders(created.order.outTradeNo))[0]).toMatchObject({ tradeState: 'CLOSED' });

    const paid = await alice.ok('pay.create', { channel: 'jsapi', amount: 260, idempotencyKey: idemKey() });
    await cashier(stack, 'pay', paid.payment);
    await waitForState(stack, paid.order.outTradeNo, 'PAID');
    await new Promise((r) => setTimeout(r, MIN_CLOSE_MS + 300));
    expect(await alice.call('pay.close', { outTradeNo: paid.order.outTradeNo })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });
});

it('pay.list: only the caller’s own orders, newest first, with a cursor', async () => {
  const carol = await login(stack, 'carol');
  const made: string[] = [];
  for (let i = 0; i < 3; i++) made.push((await carol.ok('pay.create', { channel: 'jsapi', amount: 10 + i, idempotencyKey: idemKey() })).order.outTradeNo);
  const first = await carol.ok('pay.list', { pageSize: 2 });
  const second = await carol.ok('pay.list', { pageSize: 2, cursor: first.nextCursor });
  expect([...first.orders, ...second.orders].map((o) => o.outTradeNo)).toEqual([...made].reverse());
  expect(second.nextCursor).toBeUndefined();
  expect((await alice.ok('pay.list', {})).orders.map((o) => o.outTradeNo)).not.toEqual(expect.arrayContaining(made.slice(0, 1)));
});
