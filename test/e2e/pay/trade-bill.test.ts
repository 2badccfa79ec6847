/**
 * Daily reconciliation against WeChat Pay's trade bill (issue 17) over the whole local stack:
 * `pay.statement` / the `statement` timer → the jsapi channel's `GET /v3/bill/tradebill` → the
 * gzip download → the hash check → every line against the store. Each kind of mismatch is planted
 * in the sandbox's bill (or made real: a lost payment or refund notification); the ones a query
 * can settle are corrected through the normal ledger path, every one is an admin alert, and a
 * second run for the same day raises nothing new.
 */
import { todaysFileDate } from '../../../cloudfunctions/core/domain/orders/statement';
import type { StatementMismatch, StatementReport } from '../../../typings/api';
import { startStack, type Stack } from '../../helpers/stack';
import { auditOf, cashier, idemKey, login, orderRow, storeSnapshot, waitFor, waitForState, type User } from './harness';

jest.setTimeout(90_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 100 }, env: { PAY_RECONCILE_AFTER_MS: '0' } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

const gw = () => stack.gateway.admin;
const DAY_MS = 86_400_000;
const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const reconciliationAlerts = async () => (await admin.ok('pay.alerts', { pageSize: 100 })).alerts.filter((a) => a.kind === 'RECONCILIATION_MISMATCH');
const refundState = (outRefundNo: string) => (JSON.parse((storeSnapshot(stack).refunds as Array<{ out_refund_no: string; data: string }>).find((r) => r.out_refund_no === outRefundNo)!.data) as { state: string }).state;

async function pay(amount: number, lostNotification = false): Promise<string> {
  if (lostNotification) await gw().fault({ kind: 'notification', effect: 'drop', eventType: 'TRANSACTION.SUCCESS' });
  const created = await alice.ok('pay.create', { channel: 'jsapi', amount, idempotencyKey: idemKey() });
  await cashier(stack, 'pay', created.payment);
  const no = created.order.outTradeNo;
  if (lostNotification) await waitFor('payment notification dropped', async () => (await gw().notifications()).some((n) => n.subject === no && n.status === 'dropped'));
  else await waitForState(stack, no, 'PAID');
  return no;
}

async function refund(outTradeNo: string, amount: number, lostNotification = false): Promise<string> {
  if (lostNotification) await gw().fault({ kind: 'notification', effect: 'drop', eventType: 'REFUND.SUCCESS' });
  const { refund: r } = await admin.ok('pay.refund', { outTradeNo, amount, idempotencyKey: idemKey() });
  await waitFor(`refund ${r.outRefundNo} succeeded at the gateway`, async () => (await gw().orders()).refunds.some((x) => x.outRefundNo === r.outRefundNo && x.status === 'SUCCESS'));
  if (!lostNotification) await waitFor(`refund ${r.outRefundNo} SUCCESS here`, async () => refundState(r.outRefundNo) === 'SUCCESS');
  return r.outRefundNo;
}

it('every kind of mismatch is reported and alerted, the settleable ones corrected by query; a second run adds nothing', async () => {
  const agreed = await pay(500);
  const differs = await pay(1000);
  const omitted = await pay(2000);
  const missed = await pay(3000, true);
  const refunded = await pay(900);
  const refundAgreed = await refund(agreed, 100);
  const refundDiffers = await refund(refunded, 200);
  const refundMissed = await refund(refunded, 300, true);
  // A refund the bill lists in a state other than SUCCESS (ABNORMAL here: the bill shows each
  // refund as it stood when listed) agrees with ours in that state: no mismatch.
  await gw().fault({ kind: 'refund', effect: 'ABNORMAL' });
  const { refund: abnormal } = await admin.ok('pay.refund', { outTradeNo: differs, amount: 100, idempotencyKey: idemKey() });
  await waitFor('refund ABNORMAL here', async () => refundState(abnormal.outRefundNo) === 'ABNORMAL');
  expect(orderRow(stack, missed)!.state).toBe('PAYING');
  expect(refundState(refundMissed)).toBe('PROCESSING');

  const billDate = chinaDay(Date.now());
  await gw().plantBill({ bill_date: billDate, kind: 'amount', out_trade_no: differs, delta_fen: 1 });
  await gw().plantBill({ bill_date: billDate, kind: 'missing', out_trade_no: omitted });
  const extra = (await gw().plantBill({ bill_date: billDate, kind: 'extra', total_fen: 4200 })).plant as { outTradeNo: string };
  await gw().plantBill({ bill_date: billDate, kind: 'refund-amount', out_refund_no: refundDiffers, delta_fen: -1 });
  const extraRefund = (await gw().plantBill({ bill_date: billDate, kind: 'extra-refund', out_trade_no: agreed, refund_fen: 50 })).plant as { outRefundNo: string };

  // The file of tomorrow (China time) lists today; before 10:00 tomorrow it is being made.
  const fileDate = todaysFileDate(Date.now() + DAY_MS);
  const early = (await admin.ok('pay.statement', { fileDate })).reports;
  expect(early).toEqual([expect.objectContaining({ channel: 'jsapi', fileDate, ready: false, entries: 0, mismatches: [] })]);
  expect(await reconciliationAlerts()).toEqual([]);

  await gw().publishBill(billDate);
  const { reports } = await admin.ok('pay.statement', { fileDate });
  expect(reports).toHaveLength(1);
  const report: StatementReport = reports[0]!;
  // Payments: agreed, differs, missed, refunded, extra (omitted is not listed); refunds: four real, one planted.
  expect(report).toMatchObject({ channel: 'jsapi', fileDate, ready: true, entries: 10 });
  const found = (kind: StatementMismatch['kind']) => report.mismatches.filter((m) => m.kind === kind);
  expect(found('AMOUNT_DIFFERS')).toEqual([expect.objectContaining({ outTradeNo: differs, amount: 1001, corrected: false })]);
  expect(found('MISSING_THERE')).toEqual([expect.objectContaining({ outTradeNo: omitted, amount: 2000, corrected: false })]);
  expect(found('MISSING_THERE')[0]!.detail).toContain('a query confirms the payment');
  expect(found('UNKNOWN_PAYMENT')).toEqual([expect.objectContaining({ outTradeNo: extra.outTradeNo, amount: 4200, corrected: false })]);
  expect(found('NOT_PAID_HERE')).toEqual([expect.objectContaining({ outTradeNo: missed, amount: 3000, corrected: true })]);
  expect(found('REFUND_AMOUNT_DIFFERS')).toEqual([expect.objectContaining({ outTradeNo: refunded, outRefundNo: refundDiffers, amount: 199 })]);
  expect(found('REFUND_NOT_SETTLED_HERE')).toEqual([expect.objectContaining({ outTradeNo: refunded, outRefundNo: refundMissed, amount: 300, corrected: true })]);
  expect(found('UNKNOWN_REFUND')).toEqual([expect.objectContaining({ outTradeNo: agreed, outRefundNo: extraRefund.outRefundNo, amount: 50 })]);
  expect(report.mismatches).toHaveLength(7);
  expect(report.mismatches.map((m) => m.outRefundNo)).not.toContain(refundAgreed);
  expect(report.mismatches.map((m) => m.outRefundNo)).not.toContain(abnormal.outRefundNo);

  // Corrected through the ledger: the missed payment is PAID with its audit entry, the missed refund SUCCESS.
  expect(orderRow(stack, missed)!.state).toBe('PAID');
  expect(auditOf(stack, missed).map((a) => a.to)).toContain('PAID');
  expect(refundState(refundMissed)).toBe('SUCCESS');

  // Every mismatch is an alert an admin sees.
  const alerts = await reconciliationAlerts();
  expect(alerts).toHaveLength(7);
  expect(alerts.map((a) => a.outTradeNo).sort()).toEqual([differs, omitted, extra.outTradeNo, missed, refunded, refunded, agreed].sort());
  expect(alerts.find((a) => a.outTradeNo === missed)!.message).toContain('NOT_PAID_HERE');

  // Running the same day again: the corrected ones agree now, the rest are the same alerts.
  const again = (await admin.ok('pay.statement', { fileDate })).reports[0]!;
  expect(again.mismatches.map((m) => m.kind).sort()).toEqual(['AMOUNT_DIFFERS', 'MISSING_THERE', 'REFUND_AMOUNT_DIFFERS', 'UNKNOWN_PAYMENT', 'UNKNOWN_REFUND']);
  expect(await reconciliationAlerts()).toHaveLength(7);
});

it("the daily statement timer asks for today's file: the jsapi channel's trade bill of yesterday", async () => {
  const result = (await stack.host.runTimer('statement', 'daily')) as { statements: StatementReport[] };
  expect(result.statements).toEqual([expect.objectContaining({ channel: 'jsapi', fileDate: todaysFileDate(Date.now()) })]);
  // Yesterday had no trades: ready with nothing (NO_STATEMENT_EXIST) after 10:00, or still being made before.
  const [report] = result.statements;
  expect(report!.entries).toBe(0);
  expect(report!.mismatches).toEqual([]);
});
