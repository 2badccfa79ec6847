/**
 * PayScore notifications at the v3 endpoint (`payNotify`): verified, decrypted, checked against the
 * stored service order and applied exactly once. Duplicated, forged, stale, tampered and
 * amount-mismatched ones change nothing.
 */
import { createPayScoreAdmin } from '../../../sandbox/gateway';
import { startStack, type Stack } from '../../helpers/stack';
import { craftNotification, login, postNotification, type User } from '../pay/harness';
import { completion, createRequest, decide, orderNo, payscoreSnapshot, storedOrder, waitForStored } from './harness';
import { generateKeyPairSync } from 'node:crypto';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

/** The confirmed order's plaintext as the gateway sends it (its query answer). */
async function gatewayView(outOrderNo: string): Promise<Record<string, unknown>> {
  const { order } = await createPayScoreAdmin(stack.gatewayUrl).order(outOrderNo);
  return {
    out_order_no: order.outOrderNo,
    service_id: order.serviceId,
    appid: order.appid,
    mchid: order.mchid,
    sub_mchid: order.subMchid,
    channel_id: order.channelId,
    service_introduction: order.serviceIntroduction,
    state: order.state,
    ...(order.stateDescription ? { state_description: order.stateDescription } : {}),
    risk_fund: order.riskFund,
    order_id: order.orderId,
    total_amount: order.totalAmount ?? 0,
  };
}

const payscoreNotice = (resource: Record<string, unknown>, eventType: string, opts: Parameters<typeof craftNotification>[2] = {}) =>
  craftNotification(stack.gateway.keys, resource, { eventType, ...opts });

it('a duplicated USER_CONFIRM (the gateway posts two copies) is applied once', async () => {
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'duplicate', eventType: 'PAYSCORE.USER_CONFIRM', copies: 3, count: 1 });
  const { order } = await alice.ok('payscore.create', createRequest());
  await decide(stack, order, 'confirm');
  const stored = await waitForStored(stack, order.outOrderNo, 'DOING/USER_CONFIRM');
  expect(stored.history.filter((h) => h.event === 'CONFIRMED')).toHaveLength(1);
  // A replay of the same body later: answered 204, nothing changes.
  const replay = payscoreNotice({ ...(await gatewayView(order.outOrderNo)) }, 'PAYSCORE.USER_CONFIRM');
  const before = storedOrder(stack, order.outOrderNo);
  expect((await postNotification(stack, replay)).status).toBe(204);
  expect(storedOrder(stack, order.outOrderNo)).toEqual(before);
});

describe('refused, nothing written', () => {
  let confirmedNo: string;
  let paying: Record<string, unknown>;
  beforeAll(async () => {
    const { order } = await alice.ok('payscore.create', createRequest());
    await decide(stack, order, 'confirm');
    await waitForStored(stack, order.outOrderNo, 'DOING/USER_CONFIRM');
    await admin.ok('payscore.complete', completion(order.outOrderNo, 2500));
    confirmedNo = order.outOrderNo;
    paying = await gatewayView(confirmedNo);
  });
  const paid = (amount: number) => ({ ...paying, state: 'DONE', collection: { state: 'USER_PAID', total_amount: 2500, paying_amount: 2500 - amount, paid_amount: amount, details: [] }, out_trade_no: 'DT-forged' });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  it.each([
    ['forged (signed by another key)', () => payscoreNotice(paid(2500), 'PAYSCORE.USER_PAID', { signWith: otherKey }), 401],
    ['stale (timestamp 10 minutes old)', () => payscoreNotice(paid(2500), 'PAYSCORE.USER_PAID', { timestamp: Date.now() - 600_000 }), 401],
    ['tampered body', () => payscoreNotice(paid(2500), 'PAYSCORE.USER_PAID', { tamper: (b) => b.replace('"summary"', '"summary "') }), 401],
    ['amount-mismatched (10.00 collected of 25.00)', () => payscoreNotice(paid(1000), 'PAYSCORE.USER_PAID'), 400],
    ['amount above the completion (50.00 of 25.00)', () => payscoreNotice(paid(5000), 'PAYSCORE.USER_PAID'), 400],
    ['for another appid', () => payscoreNotice({ ...paid(2500), appid: 'wx0000000000000000' }, 'PAYSCORE.USER_PAID'), 400],
    ['for another service_id', () => payscoreNotice({ ...paid(2500), service_id: '2002000000000000000000000000000' }, 'PAYSCORE.USER_PAID'), 400],
    ['for an unknown order', () => payscoreNotice({ ...paid(2500), out_order_no: orderNo('NONE') }, 'PAYSCORE.USER_PAID'), 404],
    ['USER_PAID that says nothing was paid', () => payscoreNotice(paying, 'PAYSCORE.USER_PAID'), 400],
  ])('%s', async (_what, build, status) => {
    const before = payscoreSnapshot(stack);
    const res = await postNotification(stack, build());
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'FAIL' });
    expect(payscoreSnapshot(stack)).toEqual(before);
    expect(storedOrder(stack, confirmedNo)).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE' });
  });

  it('a USER_CONFIRM arriving after completion (out of order) changes nothing', async () => {
    const before = storedOrder(stack, confirmedNo);
    const res = await postNotification(stack, payscoreNotice({ ...paying, state: 'DOING', state_description: 'USER_CONFIRM' }, 'PAYSCORE.USER_CONFIRM'));
    expect(res.status).toBe(204);
    expect(storedOrder(stack, confirmedNo)).toEqual(before);
  });
});
