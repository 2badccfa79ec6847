/**
 * payNotify against crafted requests POSTed straight at `/http/payNotify`: everything forged,
 * stale, tampered, probing or inconsistent with the stored order is refused with 4xx/5xx
 * `{code:'FAIL'}`, and the store is byte-for-byte unchanged. A sound one is applied once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, craftNotification, idemKey, login, orderRow, postNotification, storeSnapshot, transactionResource, type User } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let order: { outTradeNo: string; amount: number };

beforeAll(async () => {
  stack = await startStack();
  alice = await login(stack, 'alice');
  order = (await alice.ok('pay.create', { channel: 'jsapi', amount: 2345, idempotencyKey: idemKey() })).order;
});
afterAll(async () => {
  await stack?.close();
});

const resource = (overrides: Record<string, unknown> = {}) => transactionResource(stack.gateway.keys, order, testOpenid(stack.gateway.keys.appid, 'alice'), overrides);

describe.each([
  ['forged (signed by another key)', () => craftNotification(stack.gateway.keys, resource(), { signWith: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }), 401],
  ['stale (timestamp 10 minutes old)', () => craftNotification(stack.gateway.keys, resource(), { timestamp: Date.now() - 600_000 }), 401],
  ['from the future (10 minutes ahead)', () => craftNotification(stack.gateway.keys, resource(), { timestamp: Date.now() + 600_000 }), 401],
  ['tampered after signing', () => craftNotification(stack.gateway.keys, resource(), { tamper: (b) => b.replace('支付成功', '支付成功!') }), 401],
  ['a SIGNTEST probe', () => craftNotification(stack.gateway.keys, resource(), { signature: 'WECHATPAY/SIGNTEST/' + 'A'.repeat(300) }), 401],
  ['signed under an unknown serial', () => craftNotification(stack.gateway.keys, resource(), { serial: '7B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C' }), 401],
  ['missing its signature headers', () => ({ ...craftNotification(stack.gateway.keys, resource()), headers: { 'content-type': 'application/json' } }), 401],
  ['encrypted with another APIv3 key', () => craftNotification(stack.gateway.keys, resource(), { apiV3Key: 'x'.repeat(32) }), 401],
  ['for another amount', () => craftNotification(stack.gateway.keys, resource({ amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } })), 400],
  ['for another merchant', () => craftNotification(stack.gateway.keys, resource({ mchid: '1230000109' })), 400],
  ['for another appid', () => craftNotification(stack.gateway.keys, resource({ appid: 'wx0000000000000000' })), 400],
  ['for an order we never made', () => craftNotification(stack.gateway.keys, resource({ out_trade_no: 'NOSUCHORDER0000001' })), 404],
  ['whose decrypted resource is not JSON', () => craftNotification(stack.gateway.keys, {}, { plaintext: 'not json' }), 400],
  ['whose resource lacks the amount', () => craftNotification(stack.gateway.keys, { ...resource(), amount: undefined }), 400],
])('a notification %s', (_name, make, status) => {
  it(`is refused with ${status} {code:'FAIL'} and changes nothing`, async () => {
    const before = storeSnapshot(stack);
    const reply = await postNotification(stack, make());
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'FAIL', message: expect.any(String) });
    expect(storeSnapshot(stack)).toEqual(before);
  });
});

it('a GET is refused', async () => {
  const res = await fetch(`${stack.hostUrl}/http/payNotify`);
  expect(res.status).toBe(405);
  expect(await res.json()).toMatchObject({ code: 'FAIL' });
});

it('a sound crafted notification is applied once; its replay gets 204 and changes nothing', async () => {
  const sound = craftNotification(stack.gateway.keys, resource());
  expect(await postNotification(stack, sound)).toMatchObject({ status: 204 });
  expect(orderRow(stack, order.outTradeNo)?.state).toBe('PAID');
  const after = storeSnapshot(stack);
  const replay = await Promise.all(Array.from({ length: 10 }, () => postNotification(stack, sound)));
  expect(replay.map((r) => r.status)).toEqual(Array(10).fill(204));
  // Another, equally sound notification for the same payment (the gateway's own retry) too.
  expect(await postNotification(stack, craftNotification(stack.gateway.keys, resource({ transaction_id: JSON.parse(orderRow(stack, order.outTradeNo)!.data).transactionId })))).toMatchObject({ status: 204 });
  const { notifications: _n, ...rest } = storeSnapshot(stack);
  const { notifications: _m, ...restBefore } = after;
  expect(rest).toEqual(restBefore);
  expect(auditOf(stack, order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  // A "payment" of the same order by another transaction is a contradiction, not a duplicate.
  const before = storeSnapshot(stack);
  expect((await postNotification(stack, craftNotification(stack.gateway.keys, resource()))).status).toBe(409);
  expect(storeSnapshot(stack)).toEqual(before);
});
