/**
 * The WeChat Pay APIv2 channels end to end (issue 13): the function host with the `wechatpayV2`
 * section the local stack writes, against the sandbox's v2 gateway over real HTTPS (every call
 * presents the merchant API certificate; /secapi refunds require it) and real SQLite. XML
 * notifications arrive at `payNotifyV2`. Forged notifications are built with
 * wechatpay-axios-plugin's v2 helpers (nothing shared with our code or the sandbox).
 */
import { Formatter, Hash, Transformer } from 'wechatpay-axios-plugin';
import type { ClientPaymentParams } from '../../../typings/api';
import { idemKey, waitFor } from '../../helpers/e2e-utils';
import { startStack, type Stack } from '../../helpers/stack';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import { auditOf, login, orderRow, storeSnapshot, waitForState, type User } from './harness';

jest.setTimeout(60_000);

const MIN_CLOSE_MS = 300;
let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({
    gateway: { minCloseIntervalMs: MIN_CLOSE_MS, timeScale: 100 },
    env: { PAY_MIN_CLOSE_INTERVAL_MS: String(MIN_CLOSE_MS), PAY_RECONCILE_AFTER_MS: '0' },
  });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

const v2Admin = () => createV2Admin(stack.gatewayUrl);
const toXml = (data: object) => (Transformer.toXml as unknown as (this: object, d: object) => string).call({}, data);
const toObject = (xml: string) => (Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, xml);

/** The mini-program's `wx.requestPayment` in the sandbox v2 cashier (it checks the v2 pay-sign). */
async function v2Cashier(action: 'pay' | 'cancel', payment: ClientPaymentParams | undefined) {
  if (payment?.kind !== 'miniprogram') throw new Error(`not mini-program parameters: ${JSON.stringify(payment)}`);
  const { kind: _kind, ...params } = payment;
  return v2Admin().cashier(params.package.replace(/^prepay_id=/, ''), action, params);
}

/** The merchant's APP hands the OpenSDK PayReq to WeChat (the sandbox's simulated APP client). */
async function appClient(payment: ClientPaymentParams | undefined) {
  if (payment?.kind !== 'app') throw new Error(`not APP parameters: ${JSON.stringify(payment)}`);
  return v2Admin().app('pay', {
    appid: payment.appId!,
    partnerid: payment.partnerId,
    prepayid: payment.prepayId,
    package: payment.packageValue,
    noncestr: payment.nonceStr,
    timestamp: payment.timeStamp,
    sign: payment.sign,
  });
}

async function postV2Notification(body: string): Promise<{ status: number; fields: Record<string, string> }> {
  const res = await fetch(`${stack.hostUrl}/http/payNotifyV2`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: res.status, fields: toObject(await res.text()) };
}

/** A payment notification as chapter=9_7 shows it, signed by the plugin with `key` in `type`. */
function paymentNotification(fields: Record<string, string | number>, o: { key?: string; type?: 'MD5' | 'HMAC-SHA256'; declare?: boolean } = {}): string {
  const data: Record<string, string> = { nonce_str: Formatter.nonce(32) };
  for (const [k, v] of Object.entries(fields)) data[k] = String(v);
  if (o.declare) data.sign_type = o.type ?? 'MD5';
  data.sign = Hash.sign(o.type ?? 'MD5', data, o.key ?? stack.gateway.v2.keys.apiV2Key);
  return toXml(data);
}

const v2Notifications = async (outTradeNo: string) => (await stack.gateway.admin.notifications()).filter((n) => n.subject === outTradeNo && n.eventType === 'V2.PAY');

it('keypad 12.34 → v2 JSAPI order → v2 cashier → XML notification → PAID (MD5 pay-sign, answered SUCCESS)', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 1234, idempotencyKey: idemKey() });
  expect(created.order).toMatchObject({ channel: 'v2', state: 'PAYING', amount: 1234 });
  expect(created.payment).toMatchObject({ kind: 'miniprogram', signType: 'MD5', package: expect.stringMatching(/^prepay_id=/) });
  expect(created.payment && 'paySign' in created.payment && created.payment.paySign).toMatch(/^[0-9A-F]{32}$/);
  expect(await v2Cashier('pay', created.payment)).toMatchObject({ trade_state: 'SUCCESS' });
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const delivered = await waitFor('delivered', async () => (await v2Notifications(created.order.outTradeNo)).find((n) => n.status === 'delivered'));
  expect(delivered.attempts.at(-1)?.statusCode).toBe(200);
  const { order } = await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo });
  expect(order).toMatchObject({ state: 'PAID', amount: 1234, transactionId: expect.stringMatching(/^\d+$/) });
  const gatewayOrder = (await v2Admin().order(created.order.outTradeNo)).order;
  expect(gatewayOrder).toMatchObject({ tradeType: 'JSAPI', totalFee: 1234, tradeState: 'SUCCESS', signType: 'MD5' });
  expect(auditOf(stack, created.order.outTradeNo).map((a) => [a.to, a.actor])).toEqual([['CREATED', 'user'], ['PAYING', 'user'], ['PAID', 'notify']]);
});

it('an APP order: PayReq re-signed over appid, partnerid, prepayid, noncestr, timestamp, package=Sign=WXPay; the simulated APP client pays it', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2app', amount: 2500, idempotencyKey: idemKey() });
  const info = await v2Admin().info();
  expect(created.payment).toMatchObject({ kind: 'app', appId: info.appAppid, partnerId: info.mchid, packageValue: 'Sign=WXPay', sign: expect.stringMatching(/^[0-9A-F]{32}$/) });
  // A PayReq changed after signing is refused by the APP client.
  if (created.payment?.kind !== 'app') throw new Error('no PayReq');
  await expect(v2Admin().app('pay', { appid: created.payment.appId!, partnerid: created.payment.partnerId, prepayid: created.payment.prepayId, package: 'Sign=WXPay', noncestr: 'other', timestamp: created.payment.timeStamp, sign: created.payment.sign })).rejects.toThrow(/SIGN_ERROR|401/);
  expect(await appClient(created.payment)).toMatchObject({ trade_state: 'SUCCESS', errCode: 0 });
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  expect((await v2Admin().order(created.order.outTradeNo)).order).toMatchObject({ tradeType: 'APP', appid: info.appAppid });
});

it('refund over mutual TLS → encrypted refund notification → REFUNDED', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 800, idempotencyKey: idemKey() });
  await v2Cashier('pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const refunded = await admin.ok('pay.refund', { outTradeNo: created.order.outTradeNo, amount: 800, reason: '缺货', idempotencyKey: idemKey() });
  expect(refunded.refund).toMatchObject({ amount: 800, state: 'PROCESSING' });
  await waitForState(stack, created.order.outTradeNo, 'REFUNDED');
  const refundNotes = (await stack.gateway.admin.notifications()).filter((n) => n.eventType === 'V2.REFUND' && n.subject === refunded.refund.outRefundNo);
  expect(refundNotes).toEqual([expect.objectContaining({ status: 'delivered' })]);
  const atGateway = await v2Admin().order(created.order.outTradeNo);
  expect(atGateway.refunds).toEqual([expect.objectContaining({ outRefundNo: refunded.refund.outRefundNo, refundFee: 800, status: 'SUCCESS' })]);
  expect((await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo })).order).toMatchObject({ state: 'REFUNDED', refundedAmount: 800 });
});

it('a refund the gateway could not take (SYSTEMERROR) keeps its number; reconcile re-sends it and the order ends REFUNDED', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 640, idempotencyKey: idemKey() });
  await v2Cashier('pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/secapi/pay/refund', effect: 'SYSTEM_ERROR', count: 1 });
  const failed = await admin.call('pay.refund', { outTradeNo: created.order.outTradeNo, amount: 640, idempotencyKey: idemKey() });
  expect(failed).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE', retryable: true });
  expect((await v2Admin().order(created.order.outTradeNo)).refunds).toEqual([]);
  await stack.host.runTimer('reconcile');
  await waitForState(stack, created.order.outTradeNo, 'REFUNDED');
  expect((await v2Admin().order(created.order.outTradeNo)).refunds).toEqual([expect.objectContaining({ refundFee: 640, status: 'SUCCESS' })]);
});

it('close: pay.close closes the v2 order at the gateway; the cashier then refuses it', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 300, idempotencyKey: idemKey() });
  await waitFor('the close interval', () => (Date.now() - Date.parse(created.order.createdAt) > MIN_CLOSE_MS + 50 ? true : undefined));
  const { order } = await alice.ok('pay.close', { outTradeNo: created.order.outTradeNo });
  expect(order.state).toBe('CLOSED');
  expect((await v2Admin().order(created.order.outTradeNo)).order.tradeState).toBe('CLOSED');
  await expect(v2Cashier('pay', created.payment)).rejects.toThrow(/ORDER_CLOSED|400/);
});

it('a lost notification: pay.query finds the payment by orderquery, and reconcile does the same for nobody asking', async () => {
  const asked = await alice.ok('pay.create', { channel: 'v2', amount: 401, idempotencyKey: idemKey() });
  const unasked = await alice.ok('pay.create', { channel: 'v2', amount: 402, idempotencyKey: idemKey() });
  for (const created of [asked, unasked]) {
    await stack.gateway.admin.fault({ kind: 'notification', effect: 'drop', eventType: 'V2.PAY' });
    await v2Cashier('pay', created.payment);
    await waitFor('the drop', async () => (await v2Notifications(created.order.outTradeNo)).some((n) => n.status === 'dropped'));
  }
  expect(orderRow(stack, asked.order.outTradeNo)?.state).toBe('PAYING');
  expect((await alice.ok('pay.query', { outTradeNo: asked.order.outTradeNo })).order.state).toBe('PAID');
  expect(auditOf(stack, asked.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'query' });
  const report = (await stack.host.runTimer('reconcile')) as { paid: number; errors: number };
  expect(report).toMatchObject({ errors: 0 });
  expect(orderRow(stack, unasked.order.outTradeNo)?.state).toBe('PAID');
  expect(auditOf(stack, unasked.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'reconcile' });
});

it('duplicated notifications (the sandbox sends 20 at once): one transition, every one answered SUCCESS', async () => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 999, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'duplicate', copies: 20, eventType: 'V2.PAY' });
  await v2Cashier('pay', created.payment);
  const record = await waitFor('20 answers', async () => {
    const n = (await v2Notifications(created.order.outTradeNo))[0];
    return n && n.attempts.length >= 20 && n.attempts.every((a) => a.statusCode !== undefined || a.error !== undefined) ? n : undefined;
  });
  expect(record.attempts.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
  expect(record.status).toBe('delivered');
  expect(auditOf(stack, created.order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  expect(orderRow(stack, created.order.outTradeNo)).toMatchObject({ state: 'PAID', version: 3 });
});

it.each([
  ['signtest', 'the other sign type, declared (a downgrade)'],
  ['serial', 'signed with a key that is not the merchant’s'],
  ['signature', 'a sign that does not verify'],
] as const)('the sandbox spoils the first delivery (%s: %s): refused with FAIL, the sound retry is taken once', async (corruption, _what) => {
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 710, idempotencyKey: idemKey() });
  await stack.gateway.admin.fault({ kind: 'notification', effect: 'corrupt', corruption, eventType: 'V2.PAY' });
  await v2Cashier('pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  const record = await waitFor('delivered', async () => (await v2Notifications(created.order.outTradeNo)).find((n) => n.status === 'delivered'));
  // The spoiled first round was answered (HTTP 200, return_code FAIL), so the notifier went on to a second.
  expect(record.attempts[0]).toMatchObject({ round: 1, statusCode: 200, fault: expect.stringContaining(corruption) });
  expect(record.attempts.length).toBeGreaterThanOrEqual(2);
  expect(auditOf(stack, created.order.outTradeNo).filter((a) => a.to === 'PAID')).toHaveLength(1);
  expect(auditOf(stack, created.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'notify' });
});

describe('notifications that must change nothing: FAIL XML with the reason, nothing written', () => {
  let outTradeNo: string;
  let base: Record<string, string | number>;
  beforeAll(async () => {
    const created = await alice.ok('pay.create', { channel: 'v2', amount: 555, idempotencyKey: idemKey() });
    outTradeNo = created.order.outTradeNo;
    const info = await v2Admin().info();
    base = {
      appid: info.appid, bank_type: 'OTHERS', cash_fee: 555, fee_type: 'CNY', is_subscribe: 'N', mch_id: info.mchid, openid: 'o-forger',
      out_trade_no: outTradeNo, result_code: 'SUCCESS', return_code: 'SUCCESS', time_end: '20261201120000', total_fee: 555, trade_type: 'JSAPI', transaction_id: '4200000000202612010000000001',
    };
  });

  it.each([
    ['forged (signed with another key)', () => paymentNotification(base, { key: 'ForgedKeyForgedKeyForgedKey00000' })],
    ['unsigned', () => toXml(Object.fromEntries(Object.entries(base).map(([k, v]) => [k, String(v)])))],
    ['a downgrade: signed HMAC-SHA256 and declared so, while the merchant is configured MD5', () => paymentNotification(base, { type: 'HMAC-SHA256', declare: true })],
    ['tampered after signing (total_fee changed)', () => paymentNotification(base).replace('<total_fee>555</total_fee>', '<total_fee>1</total_fee>')],
    ['amount-mismatched (correctly signed, 1 fen)', () => paymentNotification({ ...base, total_fee: 1, cash_fee: 1 })],
    ['another merchant (mch_id)', () => paymentNotification({ ...base, mch_id: '1999999999' })],
    ['another appid', () => paymentNotification({ ...base, appid: 'wx0000000000000000' })],
    ['with a DOCTYPE', () => `<!DOCTYPE xml [<!ENTITY x "y">]>${paymentNotification(base)}`],
  ])('%s', async (_name, body) => {
    const before = storeSnapshot(stack);
    const answer = await postV2Notification(body());
    expect(answer.status).toBe(200);
    expect(answer.fields.return_code).toBe('FAIL');
    expect(answer.fields.return_msg).toBeTruthy();
    const after = storeSnapshot(stack);
    expect(after.orders).toEqual(before.orders);
    expect(after.notifications).toEqual(before.notifications);
    expect(after.audit).toEqual(before.audit);
    expect(orderRow(stack, outTradeNo)?.state).toBe('PAYING');
  });

  it('the same notification correctly signed is taken (the cases above fail for their reason only)', async () => {
    const answer = await postV2Notification(paymentNotification(base));
    expect(answer.fields).toEqual({ return_code: 'SUCCESS', return_msg: 'OK' });
    expect(orderRow(stack, outTradeNo)?.state).toBe('PAID');
    // And again: a duplicate is answered SUCCESS and changes nothing.
    const before = storeSnapshot(stack);
    expect((await postV2Notification(paymentNotification(base))).fields.return_code).toBe('SUCCESS');
    expect(storeSnapshot(stack).audit).toEqual(before.audit);
  });
});
