/**
 * Huifu's daily reconciliation file against our store (issue 14): check/filequery → the zip → the
 * csv → a report of mismatches (paid there but not here, amounts that differ, missing there, paid
 * there and unknown here), each an admin alert, the ones a query can settle corrected. Run by the
 * admin call `pay.statement` for a given day and by reconcile's daily trigger for today.
 */
import { todaysFileDate } from '../../../cloudfunctions/core/domain/orders/statement';
import type { StatementMismatch } from '../../../typings/api';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, orderRow, waitFor, waitForState, type User } from '../pay/harness';
import { huifuCashier } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({ huifu: { timeScale: 50 }, env: { PAY_RECONCILE_AFTER_MS: '0' } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

const hf = () => stack.huifu!.admin;
const tradeOf = async (outTradeNo: string) => (await hf().trades()).trades.find((t) => t.reqSeqId === outTradeNo)!;
const alertsOf = async () => (await admin.ok('pay.alerts', { pageSize: 100 })).alerts.filter((a) => a.kind === 'RECONCILIATION_MISMATCH');

async function pay(amount: number, lost = false): Promise<string> {
  if (lost) await hf().fault({ kind: 'notification', effect: 'drop', count: 2 });
  const created = await alice.ok('pay.create', { channel: 'huifu', amount, idempotencyKey: idemKey() });
  await huifuCashier(stack, 'pay', created.payment);
  if (lost) await waitFor('notifications dropped', async () => (await hf().notifications()).filter((n) => n.reqSeqId === created.order.outTradeNo && n.status === 'dropped').length === 2);
  else await waitForState(stack, created.order.outTradeNo, 'PAID');
  return created.order.outTradeNo;
}

it('a file with planted mismatches produces them in the report and as alerts; a payment we missed is recorded by query', async () => {
  const agreed = await pay(500);
  const differs = await pay(1000);
  const omitted = await pay(2000);
  const missed = await pay(3000, true);
  expect(orderRow(stack, missed)!.state).toBe('PAYING');
  // Tomorrow's file lists today's trades (Huifu clock); it exists once Huifu's day has turned.
  const today = todaysFileDate((await hf().advanceClock(0)).now);
  await hf().plant({ kind: 'amount', hf_seq_id: (await tradeOf(differs)).hfSeqId, delta_fen: 1 });
  await hf().plant({ kind: 'missing', hf_seq_id: (await tradeOf(omitted)).hfSeqId });
  const extra = await hf().plant({ kind: 'extra', trans_fen: 4200 });
  const tomorrow = todaysFileDate((await hf().advanceClock(86_400_000)).now);
  expect(tomorrow > today).toBe(true);

  const { reports } = await admin.ok('pay.statement', { fileDate: tomorrow });
  // One report per channel with a daily file: huifu's here (jsapi's trade bill has its own test).
  expect(reports.map((r) => r.channel)).toEqual(['jsapi', 'huifu']);
  const report = reports.find((r) => r.channel === 'huifu')!;
  expect(report).toMatchObject({ channel: 'huifu', fileDate: tomorrow, ready: true, entries: 4 });
  const found = (kind: StatementMismatch['kind']) => report.mismatches.filter((m) => m.kind === kind);
  expect(found('AMOUNT_DIFFERS')).toEqual([expect.objectContaining({ outTradeNo: differs, amount: 1001, corrected: false })]);
  expect(found('MISSING_THERE')).toEqual([expect.objectContaining({ outTradeNo: omitted, amount: 2000 })]);
  expect(found('MISSING_THERE')[0]!.detail).toContain('a query confirms the payment');
  expect(found('UNKNOWN_PAYMENT')).toEqual([expect.objectContaining({ outTradeNo: (extra as { reqSeqId: string }).reqSeqId, amount: 4200 })]);
  expect(found('NOT_PAID_HERE')).toEqual([expect.objectContaining({ outTradeNo: missed, amount: 3000, corrected: true })]);
  expect(report.mismatches.map((m) => m.outTradeNo)).not.toContain(agreed);
  // Corrected by query: the missed payment is now recorded, with Huifu's settlement facts.
  expect(JSON.parse(orderRow(stack, missed)!.data)).toMatchObject({ state: 'PAID', settlementAmount: 3000 });

  // Every mismatch is an alert an admin lists; running the same day again adds none.
  const alerts = await alertsOf();
  expect(alerts.map((a) => a.outTradeNo).sort()).toEqual([differs, omitted, missed, (extra as { reqSeqId: string }).reqSeqId].sort());
  await admin.ok('pay.statement', { fileDate: tomorrow });
  expect(await alertsOf()).toHaveLength(alerts.length);
});

it("reconcile's daily trigger compares today's file; a file not produced yet is reported as not ready", async () => {
  const result = (await stack.host.runTimer('statement', 'daily')) as { statements: Array<{ channel: string; fileDate: string; ready: boolean }> };
  expect(result.statements.find((r) => r.channel === 'huifu')).toEqual(expect.objectContaining({ channel: 'huifu', fileDate: todaysFileDate(Date.now()), ready: true }));
  // A file date after Huifu's today: nothing yet.
  const future = todaysFileDate((await hf().advanceClock(0)).now + 5 * 86_400_000);
  const { reports } = await admin.ok('pay.statement', { fileDate: future });
  expect(reports.find((r) => r.channel === 'huifu')).toMatchObject({ ready: false, entries: 0, mismatches: [] });
});

it('only admins may run it', async () => {
  expect(await alice.call('pay.statement', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(await admin.call('pay.statement', { fileDate: '2026-12-01' })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
});
