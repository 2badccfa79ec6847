/**
 * The payment flow over the whole local stack (sandbox gateway + function host, real HTTP, real
 * SQLite): create → the payer pays in the cashier → the notification → `pay.query` shows PAID.
 */
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, prepayIdOf, storeSnapshot, waitFor, type User } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;

beforeAll(async () => {
  stack = await startStack();
  alice = await login(stack, 'alice');
});
afterAll(async () => {
  await stack?.close();
});

it('create → pay → notification → pay.query shows PAID; one PAID order with its audit trail', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 1288, idempotencyKey: idemKey(), description: '咖啡' });
  expect(created.order).toMatchObject({ state: 'PAYING', amount: 1288, description: '咖啡' });
  expect(created.payment).toMatchObject({ signType: 'RSA' });
  await stack.gateway.admin.pay(prepayIdOf(created.payment?.package));
  const paid = await waitFor('PAID', async () => {
    const snapshot = storeSnapshot(stack);
    const row = (snapshot.orders as Array<{ out_trade_no: string; state: string }>).find((r) => r.out_trade_no === created.order.outTradeNo);
    return row?.state === 'PAID' ? row : undefined;
  });
  expect(paid.state).toBe('PAID');
  const { order } = await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo });
  expect(order).toMatchObject({ state: 'PAID', amount: 1288 });
  expect(order.transactionId).toMatch(/^\d+$/);
  const audit = storeSnapshot(stack).audit as Array<{ out_trade_no: string; data: string }>;
  const trail = audit.filter((a) => a.out_trade_no === created.order.outTradeNo).map((a) => JSON.parse(a.data) as { to: string; actor: string });
  expect(trail.map((a) => [a.to, a.actor])).toEqual([['CREATED', 'user'], ['PAYING', 'user'], ['PAID', 'notify']]);
});
