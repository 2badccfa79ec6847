/**
 * PayScore (seed 001) end to end through the real `payscore` / `payNotify` / `reconcile` functions
 * and the sandbox gateway over HTTP: create → the user confirms → the merchant completes → a
 * deduction is registered → the clearing institution collects; refusals, cancels, a failed
 * collection retried under a new number, a lost confirmation recovered by reconcile, expiry.
 * The gateway runs 100× faster (clearing delay, notification retries).
 */
import { createPayScoreAdmin, type PayScoreAdmin } from '../../../sandbox/gateway';
import { startStack, type Stack } from '../../helpers/stack';
import { login, waitFor, type User } from '../pay/harness';
import { completion, createRequest, decide, orderNo, payscoreSnapshot, storedOrder, waitForStored } from './harness';

jest.setTimeout(90_000);

let stack: Stack;
let alice: User;
let bob: User;
let admin: User;
let gw: PayScoreAdmin;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 }, env: { PAY_RECONCILE_AFTER_MS: '0' } });
  [alice, bob, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'bob'), login(stack, 'admin')]);
  gw = createPayScoreAdmin(stack.gatewayUrl);
});
afterAll(async () => {
  await stack?.close();
});

/** Created by alice and confirmed by her in PayScore; the confirmation notification applied. */
async function confirmedOrder(): Promise<string> {
  const { order } = await alice.ok('payscore.create', createRequest());
  await decide(stack, order, 'confirm');
  await waitForStored(stack, order.outOrderNo, 'DOING/USER_CONFIRM');
  return order.outOrderNo;
}

async function completedOrder(total = 2500): Promise<string> {
  const no = await confirmedOrder();
  await admin.ok('payscore.complete', completion(no, total));
  return no;
}

const gatewayState = async (no: string) => (await gw.order(no)).order;

it('create → confirm → complete 25.00 of a 50.00 risk fund → deduction → collected: DONE/USER_PAID with its audit trail', async () => {
  const { order } = await alice.ok('payscore.create', createRequest());
  expect(order).toMatchObject({ state: 'CREATED', riskFund: { amount: 5000 }, confirm: { businessType: 'wxpayScoreUse', extraData: { package: expect.stringMatching(/^\S{1,128}$/) } } });
  // The openBusinessView result is never proof: the page asks the server, which asks the gateway.
  await decide(stack, order, 'confirm');
  await waitForStored(stack, order.outOrderNo, 'DOING/USER_CONFIRM');
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order).toMatchObject({ state: 'DOING', stateDescription: 'USER_CONFIRM' });
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order.confirm).toBeUndefined();

  const completed = await admin.ok('payscore.complete', completion(order.outOrderNo, 2500));
  expect(completed.order).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING', totalAmount: 2500 });
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order).toMatchObject({ stateDescription: 'MCH_COMPLETE', totalAmount: 2500 });

  await admin.ok('payscore.registerDeduction', { outOrderNo: order.outOrderNo, outTradeNo: orderNo('DT') });
  const done = await waitForStored(stack, order.outOrderNo, 'DONE');
  expect(done).toMatchObject({ collectionState: 'USER_PAID', paidAmount: 2500 });
  expect(done.history.map((h) => [h.to, h.actor])).toEqual([
    ['CREATED', 'user'],
    ['DOING/USER_CONFIRM', 'notify'],
    ['DOING/MCH_COMPLETE (USER_PAYING)', 'admin'],
    ['DOING/MCH_COMPLETE (USER_PAYING)', 'admin'],
    ['DONE (USER_PAID)', 'notify'],
  ]);
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order).toMatchObject({ state: 'DONE', collectionState: 'USER_PAID', paidAmount: 2500 });
  const deduction = await admin.ok('payscore.queryDeduction', { outOrderNo: order.outOrderNo });
  expect(deduction.outTradeNo).toBe(done.paidOutTradeNo);
  expect(await gatewayState(order.outOrderNo)).toMatchObject({ state: 'DONE', collectionState: 'USER_PAID', totalAmount: 2500 });
});

it('the user refuses: nothing changes (CREATED); she cancels before confirming: REVOKED at the gateway and here', async () => {
  const { order } = await alice.ok('payscore.create', createRequest());
  expect((await decide(stack, order, 'refuse')).state).toBe('CREATED');
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order).toMatchObject({ state: 'CREATED', confirm: expect.any(Object) });
  const cancelled = await alice.ok('payscore.cancel', { outOrderNo: order.outOrderNo, reason: '用户不需要了' });
  expect(cancelled.order).toMatchObject({ state: 'REVOKED', cancelReason: '用户不需要了' });
  expect(await gatewayState(order.outOrderNo)).toMatchObject({ state: 'REVOKED' });
  expect(storedOrder(stack, order.outOrderNo)?.history.at(-1)).toMatchObject({ to: 'REVOKED', actor: 'user' });
});

it('who may do what: another user sees nothing; the user cannot complete nor cancel once confirmed', async () => {
  const no = await confirmedOrder();
  expect(await bob.call('payscore.query', { outOrderNo: no })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  expect(await bob.call('payscore.cancel', { outOrderNo: no, reason: 'x' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  const before = payscoreSnapshot(stack);
  expect(await alice.call('payscore.complete', completion(no, 100))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await alice.call('payscore.registerDeduction', { outOrderNo: no, outTradeNo: orderNo('DT') })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await alice.call('payscore.queryDeduction', { outOrderNo: no })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await alice.call('payscore.cancel', { outOrderNo: no, reason: '不用了' })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  expect(payscoreSnapshot(stack)).toEqual(before);
  expect(await gatewayState(no)).toMatchObject({ state: 'DOING', stateDescription: 'USER_CONFIRM' });
});

it('cancel is refused while a deduction registration is live; the gateway is not asked', async () => {
  const no = await completedOrder(1800);
  await gw.scriptClearing(['hold']);
  await admin.ok('payscore.registerDeduction', { outOrderNo: no, outTradeNo: orderNo('DT') });
  const before = payscoreSnapshot(stack);
  expect(await admin.call('payscore.cancel', { outOrderNo: no, reason: '商户取消' })).toMatchObject({ ok: false, code: 'PAYSCORE_DEDUCTION_LIVE' });
  expect(payscoreSnapshot(stack)).toEqual(before);
  expect(await gatewayState(no)).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE' });
  await gw.collect(no, 'succeed');
  await waitForStored(stack, no, 'DONE');
});

it('the collection fails, the same number is refused, a new registration collects', async () => {
  const no = await completedOrder(2500);
  await gw.scriptClearing(['fail', 'succeed']);
  const first = orderNo('DT');
  await admin.ok('payscore.registerDeduction', { outOrderNo: no, outTradeNo: first });
  await waitFor('the clearing institution fails the first attempt', async () => (await gatewayState(no)).registrations.find((r) => r.outTradeNo === first && r.outcome === 'failed'));
  expect(storedOrder(stack, no)).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collectionState: 'USER_PAYING' });
  const before = payscoreSnapshot(stack);
  expect(await admin.call('payscore.registerDeduction', { outOrderNo: no, outTradeNo: first })).toMatchObject({ ok: false, code: 'PAYSCORE_DEDUCTION_REUSED' });
  expect(payscoreSnapshot(stack)).toEqual(before);
  const second = orderNo('DT');
  await admin.ok('payscore.registerDeduction', { outOrderNo: no, outTradeNo: second });
  const done = await waitForStored(stack, no, 'DONE');
  expect(done.deductions.map((d) => [d.outTradeNo, d.outcome])).toEqual([
    [first, 'spent'],
    [second, 'paid'],
  ]);
  expect(done.paidOutTradeNo).toBe(second);
});

it('a lost confirmation notification is recovered by reconcile; a lost collection too', async () => {
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'PAYSCORE.USER_CONFIRM', count: 1 });
  const { order } = await alice.ok('payscore.create', createRequest());
  await decide(stack, order, 'confirm');
  await waitFor('the confirmation was dropped', async () => (await gw.order(order.outOrderNo)).notifications.find((n) => n.status === 'dropped'));
  expect(storedOrder(stack, order.outOrderNo)?.state).toBe('CREATED');
  const report = (await stack.host.runTimer('reconcile')) as { payscore: { confirmed: number } };
  expect(report.payscore.confirmed).toBeGreaterThanOrEqual(1);
  expect(storedOrder(stack, order.outOrderNo)?.history.at(-1)).toMatchObject({ to: 'DOING/USER_CONFIRM', actor: 'reconcile' });

  await admin.ok('payscore.complete', completion(order.outOrderNo, 1200));
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'PAYSCORE.USER_PAID', count: 1 });
  await admin.ok('payscore.registerDeduction', { outOrderNo: order.outOrderNo, outTradeNo: orderNo('DT') });
  await waitFor('the collection notice was dropped', async () => (await gw.order(order.outOrderNo)).notifications.find((n) => n.eventType === 'PAYSCORE.USER_PAID' && n.status === 'dropped'));
  expect(storedOrder(stack, order.outOrderNo)?.state).toBe('DOING');
  await stack.host.runTimer('reconcile');
  expect(storedOrder(stack, order.outOrderNo)).toMatchObject({ state: 'DONE', collectionState: 'USER_PAID', paidAmount: 1200 });
});

it('a CREATED order nobody confirms expires after 30 days: reconcile records EXPIRED', async () => {
  const { order } = await alice.ok('payscore.create', createRequest());
  await gw.advanceClock(30 * 24 * 3600_000);
  await stack.host.runTimer('reconcile');
  expect(storedOrder(stack, order.outOrderNo)?.history.at(-1)).toMatchObject({ to: 'EXPIRED', actor: 'reconcile' });
  expect((await alice.ok('payscore.query', { outOrderNo: order.outOrderNo })).order.state).toBe('EXPIRED');
});
