/**
 * Ill-formed text (a lone UTF-16 surrogate, sent as a JSON `\ud800` escape exactly as
 * `wx.request`/`callFunction` would carry it) in any string field of any function's event is
 * refused with INVALID_ARGUMENT naming the field, and nothing is written: not an order, a refund,
 * a payee row, an audit line. Well-formed text outside the BMP (a surrogate *pair*) still passes.
 */
import { join } from 'node:path';
import { startStack, type Stack } from '../helpers/stack';
import { testOpenid } from '../../sandbox/gateway/login';
import { cashier, idemKey, login, waitForState, type User } from './pay/harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;
let carol: User;
let paidOrder: string;
let shareCode: string;

beforeAll(async () => {
  stack = await startStack();
  [alice, admin, carol] = await Promise.all([login(stack, 'alice'), login(stack, 'admin'), login(stack, 'carol')]);
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 300, idempotencyKey: idemKey() });
  await cashier(stack, 'pay', created.payment);
  paidOrder = (await waitForState(stack, created.order.outTradeNo, 'PAID')).out_trade_no;
  await stack.gateway.admin.authorizeContract(testOpenid(stack.gateway.keys.appid, 'carol'));
  shareCode = (await carol.ok('payee.profile', {})).shareCode;
});
afterAll(async () => {
  await stack?.close();
});

/** Every table a function may write (payees included). */
function wholeStore(): Record<string, unknown[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(join(stack.dataDir, 'store.sqlite'), { readonly: true, timeout: 5000 });
  try {
    return Object.fromEntries(['orders', 'refunds', 'payees', 'notifications', 'audit'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';
const create = (overrides: Record<string, unknown>) => ({ action: 'create', channel: 'jsapi', amount: 100, idempotencyKey: idemKey(), ...overrides });

type Who = () => User;
describe.each<[string, Who, string, () => Record<string, unknown>, string]>([
  ['pay.create description', () => alice, 'pay', () => create({ description: `咖啡${LONE_HIGH}` }), 'description'],
  ['pay.create description (lone low half)', () => alice, 'pay', () => create({ description: `${LONE_LOW}咖啡` }), 'description'],
  ['pay.create description (halves reversed)', () => alice, 'pay', () => create({ description: '\udc00\ud800' }), 'description'],
  ['pay.create idempotencyKey', () => alice, 'pay', () => create({ idempotencyKey: `abcdefgh${LONE_HIGH}` }), 'idempotencyKey'],
  ['pay.create channel', () => alice, 'pay', () => create({ channel: `jsapi${LONE_HIGH}` }), 'channel'],
  ['pay.create payeeCode', () => alice, 'pay', () => create({ channel: 'combine', payeeCode: `${shareCode}${LONE_HIGH}` }), 'payeeCode'],
  ['pay.create, a field no schema knows, nested', () => alice, 'pay', () => create({ extra: { tags: ['ok', LONE_HIGH] } }), 'extra.tags.1'],
  ['pay.query outTradeNo', () => alice, 'pay', () => ({ action: 'query', outTradeNo: `${paidOrder}${LONE_LOW}` }), 'outTradeNo'],
  ['pay.close outTradeNo', () => alice, 'pay', () => ({ action: 'close', outTradeNo: `${paidOrder}${LONE_LOW}` }), 'outTradeNo'],
  ['pay.list cursor', () => alice, 'pay', () => ({ action: 'list', cursor: `eyJ${LONE_HIGH}` }), 'cursor'],
  ['pay.list role', () => alice, 'pay', () => ({ action: 'list', role: `payee${LONE_HIGH}` }), 'role'],
  ['pay.refund reason (by an admin, on a paid order)', () => admin, 'pay', () => ({ action: 'refund', outTradeNo: paidOrder, amount: 1, idempotencyKey: idemKey(), reason: `不要了${LONE_HIGH}` }), 'reason'],
  ['pay.refund outTradeNo', () => admin, 'pay', () => ({ action: 'refund', outTradeNo: `${paidOrder}${LONE_HIGH}`, amount: 1, idempotencyKey: idemKey() }), 'outTradeNo'],
  ['pay action', () => alice, 'pay', () => ({ action: `create${LONE_HIGH}` }), 'action'],
  ['payee.profile displayName', () => carol, 'payee', () => ({ action: 'profile', displayName: `卡萝${LONE_HIGH}` }), 'displayName'],
  ['payee.card shareCode', () => alice, 'payee', () => ({ action: 'card', shareCode: `${shareCode.slice(0, -1)}${LONE_HIGH}` }), 'shareCode'],
  ['payee.status, an extra field', () => carol, 'payee', () => ({ action: 'status', note: LONE_LOW }), 'note'],
  ['login, an extra field', () => alice, 'login', () => ({ note: `hi${LONE_HIGH}` }), 'note'],
])('%s', (_name, who, fn, event, field) => {
  it(`is refused with INVALID_ARGUMENT naming ${field}, and nothing is written`, async () => {
    const before = wholeStore();
    const answer = await who().raw(fn, event());
    expect(answer).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: must be well-formed Unicode text`)), retryable: false });
    expect(wholeStore()).toEqual(before);
  });
});

it('a field name that is not well-formed is refused too', async () => {
  const before = wholeStore();
  const answer = await alice.raw('pay', { action: 'list', [`role${LONE_HIGH}`]: 'payer' });
  expect(answer).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^role\uFFFD: the field name must be well-formed Unicode text/) });
  expect(wholeStore()).toEqual(before);
});

it('well-formed text beyond the BMP (a surrogate pair) is accepted and stored exactly', async () => {
  const description = '咖啡☕😀𠀀';
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount: 101, idempotencyKey: idemKey(), description });
  expect(created.order.description).toBe(description);
  const row = (wholeStore().orders as Array<{ out_trade_no: string; data: string }>).find((r) => r.out_trade_no === created.order.outTradeNo);
  expect((JSON.parse(row!.data) as { description: string }).description).toBe(description);
  const atGateway = (await stack.gateway.admin.orders()).orders.find((o) => o.outTradeNo === created.order.outTradeNo);
  expect(atGateway?.description).toBe(description);
});
