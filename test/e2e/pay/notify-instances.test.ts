/**
 * Notifications through worker-thread instances of payNotify (sandbox/host/instances.ts), as
 * `npm start` runs them: a payment made in the cashier is applied by an instance, and a burst of
 * notifications — each sent twice at once — spread over two instances with their own store
 * connections pays every order exactly once, with no refusal from a busy store (the write gate).
 */
import { testOpenid } from '../../../sandbox/gateway/login';
import { notifyInstancesFromEnv } from '../../../sandbox/start';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, cashier, craftNotification, idemKey, login, postNotification, storeSnapshot, transactionResource, waitForState, type User } from './harness';

jest.setTimeout(120_000);

let stack: Stack;
let alice: User;

beforeAll(async () => {
  // As `HOST_INSTANCES=2 npm start` runs them: every notification function in two instances.
  stack = await startStack({ instances: notifyInstancesFromEnv({ HOST_INSTANCES: '2' }) });
  alice = await login(stack, 'alice');
});
afterAll(async () => {
  await stack?.close();
});

it('HOST_INSTANCES: that many instances of each notification function; none by default; anything else refused', () => {
  expect(notifyInstancesFromEnv({})).toBeUndefined();
  expect(notifyInstancesFromEnv({ HOST_INSTANCES: '0' })).toBeUndefined();
  expect(notifyInstancesFromEnv({ HOST_INSTANCES: '2' })).toEqual({ payNotify: 2, payNotifyV2: 2, huifuNotify: 2 });
  for (const bad of ['-1', '2.5', 'two', '17']) expect(() => notifyInstancesFromEnv({ HOST_INSTANCES: bad })).toThrow(/HOST_INSTANCES/);
  expect(Object.keys(stack.host.instanceStats()).sort()).toEqual(['huifuNotify', 'payNotify', 'payNotifyV2']);
});

it('a payment made in the cashier is applied by an instance, once', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 321, idempotencyKey: idemKey() });
  await cashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const paid = auditOf(stack, created.order.outTradeNo).filter((a) => a.to === 'PAID');
  expect(paid).toEqual([expect.objectContaining({ from: 'PAYING', actor: 'notify' })]);
  expect((await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order.state).toBe('PAID');
});

it('60 orders, each notified twice at once, 24 in flight over two instances: every order PAID once, every reply 204', async () => {
  const openid = testOpenid(stack.gateway.keys.appid, 'alice');
  const orders: Array<{ outTradeNo: string; amount: number }> = [];
  for (let i = 0; i < 60; i++) {
    const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 1000 + i, idempotencyKey: idemKey() });
    await cashier(stack, 'open', created.payment);
    orders.push(created.order);
  }
  const notifications = orders.flatMap((order) => {
    const n = craftNotification(stack.gateway.keys, transactionResource(stack.gateway.keys, order, openid));
    return [n, n];
  });
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < notifications.length) statuses.push((await postNotification(stack, notifications[next++]!)).status);
    }),
  );
  expect(statuses).toHaveLength(120);
  expect(new Set(statuses)).toEqual(new Set([204]));
  const snapshot = storeSnapshot(stack);
  for (const order of orders) {
    const row = (snapshot.orders as Array<{ out_trade_no: string; state: string }>).find((r) => r.out_trade_no === order.outTradeNo);
    expect(row?.state).toBe('PAID');
    expect(auditOf(stack, order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  }
  // Spread over both instances (the fewest in flight gets the next one), none on the host's thread.
  const handled = stack.host.instanceStats().payNotify!;
  expect(handled).toHaveLength(2);
  expect(handled.every((n) => n > 10)).toBe(true);
  const recorded = (snapshot.notifications as Array<{ out_trade_no: string | null }>).filter((n) => orders.some((o) => o.outTradeNo === n.out_trade_no));
  expect(recorded).toHaveLength(60);
});
