/**
 * Bad input to every `pay` action, over HTTP through the function host: each gets a clear, stable
 * error code and the store is unchanged. Identity comes from the session only — an openid in the
 * event is ignored.
 */
import { LOCAL_AMOUNT_LIMITS } from '../../../sandbox/local-config';
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, storeSnapshot, type User } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let bob: User;
let alicesOrder: string;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([login(stack, 'alice'), login(stack, 'bob')]);
  alicesOrder = (await alice.ok('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() })).order.outTradeNo;
});
afterAll(async () => {
  await stack?.close();
});

const create = (overrides: Record<string, unknown>) => ({ action: 'create', channel: 'jsapi', amount: 100, idempotencyKey: idemKey(), ...overrides });

describe.each([
  ['create: negative fen', () => create({ amount: -1 }), 'INVALID_ARGUMENT', /amount/],
  ['create: zero fen', () => create({ amount: 0 }), 'INVALID_ARGUMENT', /amount/],
  ['create: fractional fen', () => create({ amount: 1.5 }), 'INVALID_ARGUMENT', /amount/],
  ['create: amount as a string', () => create({ amount: '100' }), 'INVALID_ARGUMENT', /amount/],
  ['create: amount missing', () => create({ amount: undefined }), 'INVALID_ARGUMENT', /amount/],
  ['create: over the merchant maximum', () => create({ amount: LOCAL_AMOUNT_LIMITS.maxFen + 1 }), 'AMOUNT_OUT_OF_RANGE', /between/],
  ['create: beyond safe integers', () => create({ amount: 2 ** 60 }), 'INVALID_ARGUMENT', /amount/],
  ['create: unknown channel', () => create({ channel: 'alipay' }), 'INVALID_ARGUMENT', /channel/],
  ['create: short idempotency key', () => create({ idempotencyKey: 'abc' }), 'INVALID_ARGUMENT', /idempotencyKey/],
  ['create: idempotency key with spaces', () => create({ idempotencyKey: 'a b c d e f g h' }), 'INVALID_ARGUMENT', /idempotencyKey/],
  ['create: description of 200 bytes', () => create({ description: '好'.repeat(67) }), 'INVALID_ARGUMENT', /description/],
  ['create: description with a control character', () => create({ description: 'a\u0000b' }), 'INVALID_ARGUMENT', /description/],
  ['create: combine without a payee code', () => create({ channel: 'combine' }), 'INVALID_ARGUMENT', /payeeCode/],
  ['create: combine with an unknown payee code', () => create({ channel: 'combine', payeeCode: 'ZZZZZZZZ' }), 'NOT_FOUND', /share code/],
  ['query: no outTradeNo', () => ({ action: 'query' }), 'INVALID_ARGUMENT', /outTradeNo/],
  ['query: outTradeNo with a slash', () => ({ action: 'query', outTradeNo: '../orders' }), 'INVALID_ARGUMENT', /outTradeNo/],
  ['query: an order that does not exist', () => ({ action: 'query', outTradeNo: 'NOSUCHORDER1' }), 'NOT_FOUND', /NOSUCHORDER1/],
  ["query: someone else's order", () => ({ action: 'query', outTradeNo: alicesOrder }), 'FORBIDDEN', /someone else/],
  ["close: someone else's order", () => ({ action: 'close', outTradeNo: alicesOrder }), 'FORBIDDEN', /someone else/],
  ['close: number as outTradeNo', () => ({ action: 'close', outTradeNo: 12345 }), 'INVALID_ARGUMENT', /outTradeNo/],
  ['list: pageSize 0', () => ({ action: 'list', pageSize: 0 }), 'INVALID_ARGUMENT', /pageSize/],
  ['list: pageSize 1000', () => ({ action: 'list', pageSize: 1000 }), 'INVALID_ARGUMENT', /pageSize/],
  ['list: a forged cursor', () => ({ action: 'list', cursor: 'eyJmb3JnZWQiOnRydWV9' }), 'INVALID_ARGUMENT', /cursor/],
  ['list: unknown role', () => ({ action: 'list', role: 'admin' }), 'INVALID_ARGUMENT', /role/],
  ['refund: by a non-admin', () => ({ action: 'refund', outTradeNo: alicesOrder, amount: 1, idempotencyKey: 'refund_key_0001' }), 'FORBIDDEN', /admin/],
  ['refund: without an idempotency key (a retry could not find the same refund)', () => ({ action: 'refund', outTradeNo: alicesOrder, amount: 1 }), 'INVALID_ARGUMENT', /idempotencyKey/],
  ['refund: a reason over the gateway limit of 80 bytes', () => ({ action: 'refund', outTradeNo: alicesOrder, amount: 1, idempotencyKey: 'refund_key_0002', reason: '退'.repeat(27) }), 'INVALID_ARGUMENT', /reason/],
  ['alerts: by a non-admin', () => ({ action: 'alerts' }), 'FORBIDDEN', /admin/],
  ['alerts: a page size out of range', () => ({ action: 'alerts', pageSize: 101 }), 'INVALID_ARGUMENT', /pageSize/],
  ['refund: fractional fen', () => ({ action: 'refund', outTradeNo: alicesOrder, amount: 0.5 }), 'INVALID_ARGUMENT', /amount/],
  ['an unknown action', () => ({ action: 'steal' }), 'UNKNOWN_ACTION', /steal/],
  ['no action at all', () => ({}), 'UNKNOWN_ACTION', /action/],
  ['action of the wrong type', () => ({ action: 42 }), 'INVALID_ARGUMENT', /action/],
])('%s', (_name, event, code, message) => {
  it(`answers ${code} and writes nothing`, async () => {
    const before = storeSnapshot(stack);
    const result = await bob.raw('pay', event());
    expect(result).toMatchObject({ ok: false, code, message: expect.stringMatching(message) });
    expect(storeSnapshot(stack)).toEqual(before);
  });
});

it('an openid in the event is ignored: the order belongs to the session’s user', async () => {
  const bobsOpenid = testOpenid(stack.gateway.keys.appid, 'bob');
  const created = await alice.raw('pay', create({ openid: bobsOpenid, OPENID: bobsOpenid, userInfo: { openId: bobsOpenid } }));
  expect(created).toMatchObject({ ok: true });
  const outTradeNo = (created as { data: { order: { outTradeNo: string } } }).data.order.outTradeNo;
  const row = (storeSnapshot(stack).orders as Array<{ out_trade_no: string; payer_openid: string }>).find((r) => r.out_trade_no === outTradeNo);
  expect(row?.payer_openid).toBe(testOpenid(stack.gateway.keys.appid, 'alice'));
  expect(await bob.raw('pay', { action: 'query', outTradeNo, openid: testOpenid(stack.gateway.keys.appid, 'alice') })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  // Nor does the gateway see bob as the payer.
  const atGateway = (await stack.gateway.admin.orders()).orders.find((o) => o.outTradeNo === outTradeNo);
  expect(atGateway?.payerOpenid).toBe(testOpenid(stack.gateway.keys.appid, 'alice'));
});

it('no session: UNAUTHENTICATED from the host, nothing written', async () => {
  const before = storeSnapshot(stack);
  const res = await fetch(`${stack.hostUrl}/call/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: create({}) }) });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  expect(storeSnapshot(stack)).toEqual(before);
});

it('answers never carry openids, appids, mchids or prepay ids beyond the pay package', async () => {
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 120, idempotencyKey: idemKey() });
  const listed = await alice.ok('pay.list', {});
  const text = JSON.stringify({ order: created.order, listed });
  for (const secret of [testOpenid(stack.gateway.keys.appid, 'alice'), stack.gateway.keys.appid, stack.gateway.keys.mchid, 'prepay_id']) {
    expect(text).not.toContain(secret);
  }
});
