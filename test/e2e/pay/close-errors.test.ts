/**
 * Close, query and errors over the whole local stack (sandbox gateway + function host, real HTTP,
 * real SQLite): a close while the payer is in the cashier leaves the order PAYING and payable;
 * reconcile closes it once the payer has gone; answers that are not the gateway's (a proxy's 404)
 * change nothing; ORDER_CLOSED means already closed. The sandbox closes at once (no minimum close interval) and reconcile looks at fresh orders.
 */
import { join } from 'node:path';
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { v3call } from '../gateway/helpers';
import { auditOf, cashier, idemKey, login, orderRow, prepayIdOf, storeSnapshot, waitForState, type User } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { minCloseIntervalMs: 0, timeScale: 100 }, env: { PAY_MIN_CLOSE_INTERVAL_MS: '0', PAY_RECONCILE_AFTER_MS: '0' } });
  alice = await login(stack, 'alice');
});
afterAll(async () => {
  await stack?.close();
});

const gatewayState = async (outTradeNo: string) => {
  const found = await stack.gateway.admin.order(outTradeNo);
  return found.kind === 'order' ? found.order.tradeState : found.combine.subOrders.map((s) => s.tradeState).join(',');
};

/** Time travel for one order: its payable window ends now (the store is the functions' own SQLite). */
function expireNow(outTradeNo: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(join(stack.dataDir, 'store.sqlite'), { timeout: 5000 });
  try {
    const row = db.prepare('SELECT data FROM orders WHERE out_trade_no = ?').get(outTradeNo) as { data: string };
    const order = JSON.parse(row.data) as { expiresAt: number };
    order.expiresAt = Date.now() - 1000;
    db.prepare('UPDATE orders SET data = ? WHERE out_trade_no = ?').run(JSON.stringify(order), outTradeNo);
  } finally {
    db.close();
  }
}

describe('closing an order the payer is paying right now', () => {
  it('open cashier → pay.close answers PAYER_PAYING, the order stays PAYING → the payer pays → PAID', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 420, idempotencyKey: idemKey() });
    await cashier(stack, 'open', created.payment);
    expect(await alice.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'PAYER_PAYING', retryable: true });
    expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAYING');
    expect(auditOf(stack, created.order.outTradeNo).map((a) => a.to)).not.toContain('CLOSED');
    expect(await gatewayState(created.order.outTradeNo)).toBe('NOTPAY');

    await cashier(stack, 'pay', created.payment);
    await waitForState(stack, created.order.outTradeNo, 'PAID');
    expect((await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state).toBe('PAID');
  });

  it('the payer stays in the cashier past expiry: reconcile leaves it PAYING; the payer abandons: reconcile closes it', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 430, idempotencyKey: idemKey() });
    const no = created.order.outTradeNo;
    await cashier(stack, 'open', created.payment);
    expect(await alice.call('pay.close', { outTradeNo: no })).toMatchObject({ ok: false, code: 'PAYER_PAYING' });
    expireNow(no);

    await stack.host.runTimer('reconcile');
    expect(orderRow(stack, no)?.state).toBe('PAYING');
    expect(await gatewayState(no)).toBe('NOTPAY');

    await cashier(stack, 'cancel', created.payment);
    await stack.host.runTimer('reconcile');
    expect(orderRow(stack, no)?.state).toBe('CLOSED');
    expect(await gatewayState(no)).toBe('CLOSED');
    expect(auditOf(stack, no).at(-1)).toMatchObject({ to: 'CLOSED', actor: 'reconcile' });
  });

  it('a combine order (individual payee) answers the same: PAYER_PAYING, still PAYING, then paid', async () => {
    const [bob, carol] = await Promise.all([login(stack, 'bob'), login(stack, 'carol')]);
    await stack.gateway.admin.authorizeContract(testOpenid(stack.gateway.keys.appid, 'carol'));
    const { shareCode } = await carol.ok('payee.profile', { displayName: '卡萝' });
    const created = await bob.ok('pay.create', { channel: 'combine', amount: 520, idempotencyKey: idemKey(), payeeCode: shareCode });
    await stack.gateway.admin.open(prepayIdOf(created.payment));
    expect(await bob.call('pay.close', { outTradeNo: created.order.outTradeNo })).toMatchObject({ ok: false, code: 'PAYER_PAYING', retryable: true });
    expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAYING');
    await stack.gateway.admin.pay(prepayIdOf(created.payment));
    await waitForState(stack, created.order.outTradeNo, 'PAID');
  });
});

describe('answers that are not the gateway’s change nothing', () => {
  it('close and query both met by a proxy’s 404: GATEWAY_UNAVAILABLE, still PAYING here and at the gateway; later it closes', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 440, idempotencyKey: idemKey() });
    const no = created.order.outTradeNo;
    await stack.gateway.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/out-trade-no/**', effect: 'PROXY_NOT_FOUND', count: 2 });
    expect(await alice.call('pay.close', { outTradeNo: no })).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE', retryable: true });
    expect(orderRow(stack, no)?.state).toBe('PAYING');
    expect(await gatewayState(no)).toBe('NOTPAY');
    await stack.gateway.admin.clearFaults();
    expect((await alice.ok('pay.close', { outTradeNo: no })).order.state).toBe('CLOSED');
  });

  it('reconcile: an expired order whose query meets an empty 404 is not closed', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 450, idempotencyKey: idemKey() });
    const no = created.order.outTradeNo;
    expireNow(no);
    await stack.gateway.admin.fault({ kind: 'endpoint', path: '/v3/pay/transactions/out-trade-no/**', effect: 'PROXY_NOT_FOUND', body: 'empty', count: 10 });
    try {
      await stack.host.runTimer('reconcile');
      expect(orderRow(stack, no)?.state).toBe('PAYING');
    } finally {
      await stack.gateway.admin.clearFaults();
    }
    expect(await gatewayState(no)).toBe('NOTPAY');
  });

  it('create met by a proxy’s 404: GATEWAY_UNAVAILABLE, the order stays CREATED, the retry places it', async () => {
    const idempotencyKey = idemKey();
    await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'PROXY_NOT_FOUND' });
    expect(await alice.call('pay.create', { channel: 'jsapi', amount: 460, idempotencyKey })).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE', retryable: true });
    const rows = (storeSnapshot(stack).orders as Array<{ state: string; data: string }>).filter((r) => (JSON.parse(r.data) as { idempotencyKey: string }).idempotencyKey === idempotencyKey);
    expect(rows.map((r) => r.state)).toEqual(['CREATED']);
    expect((await alice.ok('pay.create', { channel: 'jsapi', amount: 460, idempotencyKey })).order.state).toBe('PAYING');
  });

  it('the contract query met by a proxy’s 404: GATEWAY_UNAVAILABLE, the payee is not written off', async () => {
    const dave = await login(stack, 'dave');
    await stack.gateway.admin.authorizeContract(testOpenid(stack.gateway.keys.appid, 'dave'));
    expect(await dave.ok('payee.confirm', {})).toMatchObject({ authorized: true });
    await stack.gateway.admin.fault({ kind: 'endpoint', path: '/v3/ecommerce/individual-contracts/*', effect: 'PROXY_NOT_FOUND' });
    expect(await dave.call('payee.confirm', {})).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE' });
    expect(await dave.ok('payee.status', {})).toMatchObject({ authorized: true, authState: 'AUTHORIZED' });
  });
});

describe('published answers the product must read right', () => {
  it('ORDER_CLOSED on close: the order was already closed at the gateway, so it is CLOSED here', async () => {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 470, idempotencyKey: idemKey() });
    const no = created.order.outTradeNo;
    const direct = await v3call(stack.gateway, 'POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: stack.gateway.keys.mchid });
    expect(direct.status).toBe(204);
    expect((await alice.ok('pay.close', { outTradeNo: no })).order.state).toBe('CLOSED');
  });
});
