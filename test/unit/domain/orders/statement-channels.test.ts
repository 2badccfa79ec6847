/**
 * `reconcileStatements` runs every channel with a daily file: one whose file fails (a WeChat bill
 * refused for its hash, a timeout) does not keep the others from being compared and alerted; the
 * failure is reported once they ran. Every payment of the file's day is looked for in the file,
 * whatever else the store holds.
 */
import type { PaymentChannel, StatementEntry } from '../../../../cloudfunctions/core/channels/port';
import { ChannelError } from '../../../../cloudfunctions/core/channels/port';
import { applyOrderEvent } from '../../../../cloudfunctions/core/domain/ledger';
import { statementDayOf } from '../../../../cloudfunctions/core/domain/orders/statement';
import { freshOrder } from './fixtures';
import { APPID, MCHID, closeOrderService, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';

const unused = () => Promise.reject(new Error('not used here'));
function channel(name: 'jsapi' | 'huifu', dailyStatement: (fileDate: string) => Promise<StatementEntry[] | undefined>): PaymentChannel {
  return { name, create: unused, resign: unused, query: unused, close: unused, refund: unused, queryRefund: unused, parseNotification: unused, dailyStatement };
}

let s: ServiceUnderTest;
afterEach(async () => {
  await closeOrderService(s);
});

it("a channel whose file fails does not stop the next channel's comparison; the failure surfaces after", async () => {
  const seen: string[] = [];
  const jsapi = channel('jsapi', async (fileDate) => {
    seen.push(`jsapi ${fileDate}`);
    throw new ChannelError('untrusted', 'BILL_HASH_MISMATCH');
  });
  const huifu = channel('huifu', async (fileDate) => {
    seen.push(`huifu ${fileDate}`);
    return [{ kind: 'payment', outTradeNo: 'UNKNOWN0001', transactionId: 'T1', amount: 100 }];
  });
  s = openOrderService('statement-channels-', { channels: { jsapi, huifu }, config: serviceConfig(), now: () => Date.UTC(2026, 11, 2, 3) });
  await expect(s.service.reconcileStatements('20261202')).rejects.toMatchObject({ kind: 'untrusted' });
  expect(seen).toEqual(['jsapi 20261202', 'huifu 20261202']);
  const alerts = await s.store.listAlerts({ limit: 10 });
  expect(alerts.items.map((a) => [a.kind, a.outTradeNo])).toEqual([['RECONCILIATION_MISMATCH', 'UNKNOWN0001']]);
});

it("looks for every payment of the file's day in it, however many older paid orders the store holds (MISSING_THERE)", async () => {
  const fileDate = '20261202';
  const [dayStart] = statementDayOf(fileDate);
  const DAY = 86_400_000;
  let entries: StatementEntry[] = [];
  const queried: string[] = [];
  const jsapi: PaymentChannel = {
    ...channel('jsapi', async () => entries),
    query: async (order) => {
      queried.push(order.outTradeNo);
      return { kind: 'PAID', transactionId: `4200${order.outTradeNo}`, paidAt: order.paidAt!, paidAmount: order.amount };
    },
  };
  s = openOrderService('statement-day-', { channels: { jsapi }, config: serviceConfig(), now: () => dayStart + 2 * DAY });
  const paidOrder = async (paidAt: number): Promise<string> => {
    const order = freshOrder({ appid: APPID, mchid: MCHID, amount: 500, expiresAt: paidAt + 60_000 }, paidAt - 60_000);
    await s.store.insertOrder(order);
    for (const [event, at] of [[{ type: 'PREPAY_CREATED', prepayId: `wx${order.outTradeNo}` }, paidAt - 30_000], [{ type: 'PAID', transactionId: `4200${order.outTradeNo}`, paidAt, paidAmount: 500 }, paidAt]] as const) {
      expect((await applyOrderEvent(s.store, order.outTradeNo, event, { actor: 'notify', now: () => at })).kind).toBe('applied');
    }
    return order.outTradeNo;
  };
  // More paid orders from the days before than one page of any listing: before, the check read only
  // the first 100 of each paid state, least recently changed first, and never reached the day.
  for (let i = 0; i < 150; i++) await paidOrder(dayStart - 2 * DAY + i * 1000);
  const listed = await paidOrder(dayStart + 3_600_000);
  const omitted = await paidOrder(dayStart + 7_200_000);
  const lastInstant = await paidOrder(dayStart + DAY - 1);
  await paidOrder(dayStart + DAY); // the next day's: not this file's
  entries = [listed, lastInstant].map((outTradeNo) => ({ kind: 'payment', outTradeNo, transactionId: `4200${outTradeNo}`, amount: 500 }));

  const [report] = await s.service.reconcileStatements(fileDate);
  expect(report!.mismatches).toEqual([expect.objectContaining({ kind: 'MISSING_THERE', outTradeNo: omitted, amount: 500, corrected: false })]);
  expect(report!.mismatches[0]!.detail).toContain('a query confirms the payment');
  expect(queried).toEqual([omitted]);
});
