/**
 * The Huifu channel end to end (issue 14): the real functions in the function host, the Huifu
 * sandbox over HTTP, real SQLite. pay.create on channel `huifu` → jspay → the payer pays `pay_info`
 * in the Huifu cashier → trade and accounting notifications to huifuNotify → PAID with the
 * settlement facts; refunds, close, lost/forged/duplicate/mismatched notifications, a booking failure.
 */
import { generateKeyPairSync } from 'node:crypto';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, idemKey, login, orderRow, storeSnapshot, waitFor, waitForState, type User } from '../pay/harness';
import { huifuCashier, payInfoOf, postNotification } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({
    // The channel's own 1-minute check is off here, so Huifu's answer is what refuses (close-rule.test.ts covers the check).
    huifu: { timeScale: 50, config: { minCloseIntervalMs: 0 } },
    env: { PAY_MIN_CLOSE_INTERVAL_MS: '0', PAY_RECONCILE_AFTER_MS: '0' },
  });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.huifu!.admin.clearFaults();
});

const hf = () => stack.huifu!.admin;
const stored = (outTradeNo: string) => JSON.parse(orderRow(stack, outTradeNo)!.data) as Record<string, unknown>;
const tradeOf = async (outTradeNo: string) => (await hf().trades()).trades.find((t) => t.reqSeqId === outTradeNo)!;
const delivered = (outTradeNo: string, kind: 'trade' | 'acct' | 'refund') =>
  waitFor(`${kind} notification of ${outTradeNo} delivered`, async () => (await hf().notifications()).find((n) => n.reqSeqId === outTradeNo && n.kind === kind && n.status === 'delivered'));
const alertsFor = async (outTradeNo: string) => (await admin.ok('pay.alerts', { pageSize: 100 })).alerts.filter((a) => a.outTradeNo === outTradeNo);

async function paidOrder(amount: number): Promise<string> {
  const created = await alice.ok('pay.create', { channel: 'huifu', amount, idempotencyKey: idemKey() });
  await huifuCashier(stack, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  return created.order.outTradeNo;
}

it('12.34 yuan: jspay T_MINIAPP → pay_info in the cashier → trade + accounting notifications → PAID, 1234 fen with settlement and fee stored', async () => {
  const created = await alice.ok('pay.create', { channel: 'huifu', amount: 1234, idempotencyKey: idemKey(), description: '咖啡' });
  expect(created.order).toMatchObject({ state: 'PAYING', amount: 1234, channel: 'huifu' });
  const payInfo = payInfoOf(created.payment);
  expect(payInfo).toMatchObject({ appId: stack.gateway.keys.appid, package: expect.stringMatching(/^prepay_id=/) });
  const trade = await tradeOf(created.order.outTradeNo);
  // What Huifu received: yuan string from integer fen, the mini-program trade type, the payer in wx_data.
  expect(trade).toMatchObject({ transFen: 1234, tradeType: 'T_MINIAPP', goodsDesc: '咖啡', huifuId: stack.huifu!.keys.huifuId, subAppid: stack.gateway.keys.appid });
  expect(trade.notifyUrl).toBe(`${stack.hostUrl}/http/huifuNotify`);

  await huifuCashier(stack, 'pay', created.payment);
  const tradeNote = await delivered(created.order.outTradeNo, 'trade');
  const acctNote = await delivered(created.order.outTradeNo, 'acct');
  // Acknowledged as Huifu asks: 200 + RECV_ORD_ID_<req_seq_id>, on the first attempt.
  for (const note of [tradeNote, acctNote]) expect(note.attempts[0]).toMatchObject({ statusCode: 200, reply: `RECV_ORD_ID_${created.order.outTradeNo}`, ok: true });

  const { order } = await alice.ok('pay.query', { outTradeNo: created.order.outTradeNo });
  expect(order).toMatchObject({ state: 'PAID', amount: 1234, transactionId: trade.hfSeqId });
  // fee 0.38 % rounded up by the sandbox: 4.69 → 5 fen; settlement = the amount paid.
  expect(stored(created.order.outTradeNo)).toMatchObject({ amount: 1234, settlementAmount: 1234, feeAmount: 5, mchid: stack.huifu!.keys.huifuId });
  expect(auditOf(stack, created.order.outTradeNo).map((a) => [a.to, a.actor])).toEqual([
    ['CREATED', 'user'],
    ['PAYING', 'user'],
    ['PAID', 'notify'],
  ]);
});

it('cancel in the cashier, then pay again (same key): the same order and the pay_info Huifu issued, paid once', async () => {
  const idempotencyKey = idemKey();
  const first = await alice.ok('pay.create', { channel: 'huifu', amount: 650, idempotencyKey });
  await huifuCashier(stack, 'cancel', first.payment);
  const again = await alice.ok('pay.create', { channel: 'huifu', amount: 650, idempotencyKey });
  expect(again.order.outTradeNo).toBe(first.order.outTradeNo);
  expect(again.payment).toEqual(first.payment);
  await huifuCashier(stack, 'pay', again.payment);
  await waitForState(stack, first.order.outTradeNo, 'PAID');
  expect((await hf().trades()).trades.filter((t) => t.reqSeqId === first.order.outTradeNo)).toHaveLength(1);
});

it('a failed payment (notify_type 1, trans_stat F) marks the order FAILED with Huifu’s reason; no accounting notification follows', async () => {
  const created = await alice.ok('pay.create', { channel: 'huifu', amount: 432, idempotencyKey: idemKey() });
  await huifuCashier(stack, 'fail', created.payment);
  const row = await waitForState(stack, created.order.outTradeNo, 'FAILED');
  expect(JSON.parse(row.data)).toMatchObject({ state: 'FAILED', reason: expect.any(String) });
  await delivered(created.order.outTradeNo, 'trade');
  expect((await hf().notifications()).filter((n) => n.reqSeqId === created.order.outTradeNo).map((n) => n.kind)).toEqual(['trade']);
});

it('partial refunds up to the original amount; one fen more is refused', async () => {
  const outTradeNo = await paidOrder(1000);
  await delivered(outTradeNo, 'acct');
  const first = await admin.ok('pay.refund', { outTradeNo, amount: 300, idempotencyKey: idemKey() });
  const second = await admin.ok('pay.refund', { outTradeNo, amount: 700, idempotencyKey: idemKey() });
  expect([first.refund.amount, second.refund.amount]).toEqual([300, 700]);
  await waitForState(stack, outTradeNo, 'REFUNDED');
  const { refunds } = await hf().trades();
  expect(refunds.filter((r) => r.tradeKey.endsWith(outTradeNo)).map((r) => [r.ordFen, r.transStat])).toEqual([
    [300, 'S'],
    [700, 'S'],
  ]);
  expect(await admin.call('pay.refund', { outTradeNo, amount: 1, idempotencyKey: idemKey() })).toMatchObject({ ok: false });
});

it('close: refused within Huifu’s minute (the gateway’s 20000001 said as CLOSE_TOO_EARLY), accepted after it', async () => {
  const created = await alice.ok('pay.create', { channel: 'huifu', amount: 200, idempotencyKey: idemKey() });
  const early = await alice.call('pay.close', { outTradeNo: created.order.outTradeNo });
  expect(early).toMatchObject({ ok: false, code: 'CLOSE_TOO_EARLY' });
  expect((await tradeOf(created.order.outTradeNo)).transStat).toBe('P');
  expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAYING');
  // A minute later on Huifu's clock the same request closes it.
  await hf().advanceClock(60_000);
  const { order } = await alice.ok('pay.close', { outTradeNo: created.order.outTradeNo });
  expect(order.state).toBe('CLOSED');
  expect((await tradeOf(created.order.outTradeNo)).close).toMatchObject({ transStat: 'S' });
});

it('a lost notification: the payment is recovered by query (reconcile)', async () => {
  await hf().fault({ kind: 'notification', effect: 'drop', count: 2 });
  const created = await alice.ok('pay.create', { channel: 'huifu', amount: 321, idempotencyKey: idemKey() });
  await huifuCashier(stack, 'pay', created.payment);
  await waitFor('both notifications dropped', async () => (await hf().notifications()).filter((n) => n.reqSeqId === created.order.outTradeNo && n.status === 'dropped').length === 2);
  expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAYING');
  await stack.host.runTimer('reconcile');
  expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAID');
  expect(stored(created.order.outTradeNo)).toMatchObject({ settlementAmount: 321, feeAmount: 2 });
  expect(auditOf(stack, created.order.outTradeNo).at(-1)).toMatchObject({ to: 'PAID', actor: 'reconcile' });
});

describe('notifications that must change nothing', () => {
  let outTradeNo: string;
  let paidNotification: Record<string, unknown>;
  beforeAll(async () => {
    outTradeNo = await paidOrder(555);
    const note = await delivered(outTradeNo, 'trade');
    paidNotification = JSON.parse(note.respData) as Record<string, unknown>;
  });

  it('a duplicate is acknowledged and applied once', async () => {
    const before = storeSnapshot(stack);
    expect(await postNotification(stack, paidNotification)).toEqual({ status: 200, body: `RECV_ORD_ID_${outTradeNo}` });
    const after = storeSnapshot(stack);
    expect([after.orders, after.audit, after.refunds]).toEqual([before.orders, before.audit, before.refunds]);
  });

  it('a forged one (signed by another key) is refused before anything is read', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const created = await alice.ok('pay.create', { channel: 'huifu', amount: 777, idempotencyKey: idemKey() });
    const trade = await tradeOf(created.order.outTradeNo);
    const before = storeSnapshot(stack);
    const forged = { ...paidNotification, req_seq_id: created.order.outTradeNo, hf_seq_id: trade.hfSeqId, trans_amt: '7.77', settlement_amt: '7.77' };
    const answer = await postNotification(stack, forged, other);
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('RECV_ORD_ID_');
    expect(storeSnapshot(stack)).toEqual(before);
    expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAYING');
  });

  it('one with another amount (validly signed) is refused and records no payment', async () => {
    const created = await alice.ok('pay.create', { channel: 'huifu', amount: 888, idempotencyKey: idemKey() });
    const trade = await tradeOf(created.order.outTradeNo);
    const mismatched = { ...paidNotification, req_seq_id: created.order.outTradeNo, req_date: trade.reqDate, hf_seq_id: trade.hfSeqId, trans_amt: '0.01', settlement_amt: '0.01' };
    const answer = await postNotification(stack, mismatched);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body).not.toContain('RECV_ORD_ID_');
    expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAYING');
    expect(auditOf(stack, created.order.outTradeNo).map((a) => a.to)).toEqual(['CREATED', 'PAYING']);
  });

  it('one for another huifu_id is refused', async () => {
    const created = await alice.ok('pay.create', { channel: 'huifu', amount: 999, idempotencyKey: idemKey() });
    const trade = await tradeOf(created.order.outTradeNo);
    const foreign = { ...paidNotification, huifu_id: '6666000000000001', req_seq_id: created.order.outTradeNo, hf_seq_id: trade.hfSeqId, trans_amt: '9.99' };
    expect((await postNotification(stack, foreign)).status).toBe(400);
    expect(orderRow(stack, created.order.outTradeNo)!.state).toBe('PAYING');
  });
});

it('an accounting failure (notify_type 2, acct_stat F) raises an alert an admin can list; the payment stays recorded', async () => {
  await hf().failBookings(1);
  const outTradeNo = await paidOrder(4321);
  await delivered(outTradeNo, 'acct');
  const alerts = await waitFor('booking alert', async () => {
    const found = await alertsFor(outTradeNo);
    return found.length ? found : undefined;
  });
  expect(alerts).toEqual([expect.objectContaining({ kind: 'BOOKING_FAILED', outTradeNo, amount: 4321 })]);
  expect(orderRow(stack, outTradeNo)!.state).toBe('PAID');
  // Delivered twice more (a duplicate): still one alert.
  const note = (await hf().notifications()).find((n) => n.reqSeqId === outTradeNo && n.kind === 'acct')!;
  expect((await postNotification(stack, note.respData)).status).toBe(200);
  expect(await alertsFor(outTradeNo)).toHaveLength(1);
});
