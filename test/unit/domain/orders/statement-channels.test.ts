/**
 * `reconcileStatements` runs every channel with a daily file: one whose file fails (a WeChat bill
 * refused for its hash, a timeout) does not keep the others from being compared and alerted; the
 * failure is reported once they ran.
 */
import type { PaymentChannel, StatementEntry } from '../../../../cloudfunctions/core/channels/port';
import { ChannelError } from '../../../../cloudfunctions/core/channels/port';
import { closeOrderService, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';

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
