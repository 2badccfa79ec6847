/**
 * Every bad input to every `payscore` action is answered with a clear, stable code and writes
 * nothing — neither here nor at the gateway. Business rules (issue 12) are enforced before the
 * gateway is asked: total = Σ payments − Σ discounts (seed 001's own sample breaks it), total ≤ the
 * risk fund, the create-time appid, 20-character introductions, the out_order_no alphabet.
 */
import { createPayScoreAdmin } from '../../../sandbox/gateway';
import { startStack, type Stack } from '../../helpers/stack';
import { login, type User } from '../pay/harness';
import { completion, createRequest, decide, orderNo, payscoreSnapshot, waitForStored } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;
let confirmedNo: string;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
  const { order } = await alice.ok('payscore.create', createRequest());
  await decide(stack, order, 'confirm');
  await waitForStored(stack, order.outOrderNo, 'DOING/USER_CONFIRM');
  confirmedNo = order.outOrderNo;
});
afterAll(async () => {
  await stack?.close();
});

async function gatewayOrderCount(): Promise<number> {
  return (await createPayScoreAdmin(stack.gatewayUrl).overview()).orders.length;
}

async function refused(user: () => User, action: string, event: Record<string, unknown>, code: string): Promise<void> {
  const before = payscoreSnapshot(stack);
  const gatewayBefore = await gatewayOrderCount();
  const result = await user().raw('payscore', { action, ...event });
  expect(result).toMatchObject({ ok: false, code });
  expect((result as { message: string }).message).toEqual(expect.any(String));
  expect(payscoreSnapshot(stack)).toEqual(before);
  expect(await gatewayOrderCount()).toBe(gatewayBefore);
}

describe('create', () => {
  const base = () => createRequest() as unknown as Record<string, unknown>;
  it.each([
    ['a 21-character introduction', { serviceIntroduction: '一二三四五六七八九十一二三四五六七八九十一' }, 'INVALID_ARGUMENT'],
    ['an empty introduction', { serviceIntroduction: '' }, 'INVALID_ARGUMENT'],
    ['an out_order_no with a space', { outOrderNo: 'PS 1' }, 'INVALID_ARGUMENT'],
    ['an out_order_no of 33 characters', { outOrderNo: 'P'.repeat(33) }, 'INVALID_ARGUMENT'],
    ['an out_order_no with 中文', { outOrderNo: '订单1' }, 'INVALID_ARGUMENT'],
    ['a fractional risk fund (yuan, not fen)', { riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 50.5 } }, 'INVALID_ARGUMENT'],
    ['a risk fund as a string', { riskFund: { name: 'ESTIMATE_ORDER_COST', amount: '5000' } }, 'INVALID_ARGUMENT'],
    ['a zero risk fund', { riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 0 } }, 'INVALID_ARGUMENT'],
    ['a risk fund name that is no enum name', { riskFund: { name: '免密模式', amount: 5000 } }, 'INVALID_ARGUMENT'],
    ['a risk fund above the merchant limit', { riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5_000_001 } }, 'AMOUNT_OUT_OF_RANGE'],
    ['no payment line', { postPayments: [] }, 'INVALID_ARGUMENT'],
    ['101 payment lines', { postPayments: Array.from({ length: 101 }, () => ({ name: '费用' })) }, 'INVALID_ARGUMENT'],
    ['31 discount lines', { postDiscounts: Array.from({ length: 31 }, () => ({ name: '优惠', description: '减' })) }, 'INVALID_ARGUMENT'],
    ['a negative payment amount', { postPayments: [{ name: '费用', amount: -1 }] }, 'INVALID_ARGUMENT'],
    ['a discount with an amount at create', { postDiscounts: [{ name: '优惠', description: '减', amount: 100 }] }, 'INVALID_ARGUMENT'],
    ['an unknown field', { notifyUrl: 'https://evil.example/' }, 'INVALID_ARGUMENT'],
  ])('%s', async (_what, over, code) => {
    await refused(() => alice, 'create', { ...base(), ...over }, code);
  });
  it('a missing field', async () => {
    const { serviceIntroduction: _drop, ...rest } = base();
    await refused(() => alice, 'create', rest, 'INVALID_ARGUMENT');
  });
});

describe('complete (admin)', () => {
  it.each([
    // Seed 001's sample: 4000 − 4000 with total_amount 3900.
    ['the seed sample total (4000 − 4000 ≠ 3900)', { postPayments: [{ name: '费用', amount: 4000 }], postDiscounts: [{ name: '优惠', description: '减', amount: 4000 }], totalAmount: 3900 }, 'PAYSCORE_TOTAL_MISMATCH'],
    ['a total above the 50.00 risk fund', { postPayments: [{ name: '费用', amount: 5001 }], postDiscounts: [], totalAmount: 5001 }, 'PAYSCORE_EXCEEDS_RISK_FUND'],
    ['a fractional total', { postPayments: [{ name: '费用', amount: 25.5 }], totalAmount: 25.5 }, 'INVALID_ARGUMENT'],
    ['a payment line without amount', { postPayments: [{ name: '费用' }], totalAmount: 0 }, 'INVALID_ARGUMENT'],
    ['a discount line without amount', { postPayments: [{ name: '费用', amount: 100 }], postDiscounts: [{ name: '优惠', description: '减' }], totalAmount: 100 }, 'INVALID_ARGUMENT'],
  ])('%s', async (_what, body, code) => {
    await refused(() => admin, 'complete', { outOrderNo: confirmedNo, ...body }, code);
  });
  it('an unknown order', async () => {
    await refused(() => admin, 'complete', completion(orderNo('NONE'), 100), 'NOT_FOUND');
  });
  it('a CREATED order (not confirmed)', async () => {
    const { order } = await alice.ok('payscore.create', createRequest());
    await refused(() => admin, 'complete', completion(order.outOrderNo, 100), 'INVALID_STATE');
  });
});

describe('cancel, registerDeduction, queryDeduction, query', () => {
  it.each([
    ['cancel', { outOrderNo: 'x y', reason: 'r' }, 'INVALID_ARGUMENT'],
    ['cancel', { outOrderNo: 'PS1' }, 'INVALID_ARGUMENT'],
    ['cancel', { outOrderNo: 'PS1', reason: 'r'.repeat(51) }, 'INVALID_ARGUMENT'],
    ['query', { outOrderNo: '' }, 'INVALID_ARGUMENT'],
    ['query', { outOrderNo: orderNo('NONE') }, 'NOT_FOUND'],
    ['registerDeduction', { outOrderNo: 'PS1', outTradeNo: 'DT 1' }, 'INVALID_ARGUMENT'],
    ['queryDeduction', { outOrderNo: 'PS1', extra: 1 }, 'INVALID_ARGUMENT'],
    ['nope', {}, 'UNKNOWN_ACTION'],
  ])('%s %j', async (action, event, code) => {
    await refused(() => (action === 'cancel' || action === 'query' ? alice : admin), action, event, code);
  });
  it('registerDeduction before completion, queryDeduction before any deduction: INVALID_STATE', async () => {
    await refused(() => admin, 'registerDeduction', { outOrderNo: confirmedNo, outTradeNo: orderNo('DT') }, 'INVALID_STATE');
    await refused(() => admin, 'queryDeduction', { outOrderNo: confirmedNo }, 'INVALID_STATE');
  });
  it('no caller identity', async () => {
    expect(await stack.host.invoke('payscore', { action: 'query', outOrderNo: confirmedNo })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
  it('a caller from another mini-program: the create-time appid is kept', async () => {
    const openid = (await alice.ok('login', {})).openid;
    const other = (event: Record<string, unknown>) => stack.host.invoke('payscore', event, { openid, appid: 'wx0000000000000000' });
    const before = payscoreSnapshot(stack);
    expect(await other({ action: 'cancel', outOrderNo: confirmedNo, reason: '换个小程序取消' })).toMatchObject({ ok: false, code: 'PAYSCORE_APPID_MISMATCH' });
    expect(await other({ action: 'create', ...createRequest() })).toMatchObject({ ok: false, code: 'PAYSCORE_APPID_MISMATCH' });
    expect(payscoreSnapshot(stack)).toEqual(before);
  });
});

it('the same create retried is the same order; the number is not someone else\'s', async () => {
  const request = createRequest();
  const first = await alice.ok('payscore.create', request);
  const again = await alice.ok('payscore.create', request);
  expect(again.order.outOrderNo).toBe(first.order.outOrderNo);
  expect(again.order.confirm).toEqual(first.order.confirm);
  const bob = await login(stack, 'bob');
  expect(await bob.call('payscore.create', request)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
});
