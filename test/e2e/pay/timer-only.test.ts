/**
 * `reconcile` is timer-only: a logged-in user cannot run it (and spend the merchant's gateway
 * quota) through the host's `/call/reconcile`, nor — as `wx.cloud.callFunction` would in the
 * cloud — by reaching the function with their identity. The cron still reconciles.
 *
 * "Nothing reached the gateway" is proved with a tripwire: an endpoint fault armed on every
 * `/v3/**` path is used up by any request the functions send, so its count must stay whole.
 */
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { cashier, idemKey, login, orderRow, storeSnapshot, waitFor, type User } from './harness';

jest.setTimeout(60_000);

const TRIPWIRE = 1000;
let stack: Stack;
let alice: User;
let mallory: User;

beforeAll(async () => {
  stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '0' } });
  [alice, mallory] = await Promise.all([login(stack, 'alice'), login(stack, 'mallory')]);
});
afterAll(async () => {
  await stack?.close();
});

/** The published timer event (https://cloud.tencent.com/document/product/583/31927). */
const timerEvent = () => ({ Type: 'Timer', TriggerName: 'everyMinute', Time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });

async function callReconcile(user: User, data: unknown) {
  const res = await fetch(`${stack.hostUrl}/call/reconcile`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function gatewayRequestsSinceTripwire(): Promise<number> {
  const armed = (await stack.gateway.admin.faults()).find((f) => f.kind === 'endpoint' && f.path === '/v3/**');
  return TRIPWIRE - (armed?.remaining ?? 0);
}

it('a paid order whose notification was lost: users cannot make reconcile ask the gateway; the cron does', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 777, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop' });
  await cashier(stack, 'pay', created.payment);
  await waitFor('the drop', async () => (await stack.gateway.admin.notifications()).some((n) => n.subject === created.order.outTradeNo && n.status === 'dropped'));
  expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAYING');

  await stack.gateway.admin.fault({ kind: 'endpoint', path: '/v3/**', effect: 'SYSTEM_ERROR', count: TRIPWIRE });
  const before = storeSnapshot(stack);

  // At the host's door: /call/reconcile, with nothing or with a forged timer event.
  for (const data of [{}, timerEvent(), { action: 'reconcile' }]) {
    expect(await callReconcile(mallory, data)).toEqual({ status: 403, body: { ok: false, code: 'FORBIDDEN', message: expect.stringMatching(/reconcile runs only on its timer trigger/) } });
  }
  // Past the door, as wx.cloud.callFunction reaches it in the cloud: the function refuses itself.
  const malloryIdentity = { openid: testOpenid(stack.gateway.keys.appid, 'mallory'), appid: stack.gateway.keys.appid };
  const userInfo = { appId: malloryIdentity.appid, openId: malloryIdentity.openid };
  expect(await stack.host.invoke('reconcile', { ...timerEvent(), userInfo }, malloryIdentity)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await stack.host.invoke('reconcile', timerEvent(), malloryIdentity)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  // No caller but not started by a timer either.
  expect(await stack.host.invoke('reconcile', timerEvent())).toMatchObject({ ok: false, code: 'FORBIDDEN' });

  expect(await gatewayRequestsSinceTripwire()).toBe(0);
  expect(storeSnapshot(stack)).toEqual(before);
  expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAYING');

  await stack.gateway.admin.clearFaults();
  const report = (await stack.host.runTimer('reconcile')) as { paid: number; errors: number };
  expect(report).toMatchObject({ errors: 0 });
  expect(report.paid).toBeGreaterThanOrEqual(1);
  expect(orderRow(stack, created.order.outTradeNo)?.state).toBe('PAID');
});
