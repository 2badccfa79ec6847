/**
 * The v3 family's daily reconciliation file: WeChat Pay's trade bill (`GET /v3/bill/tradebill`,
 * `bill_type=ALL`, `tar_type=GZIP`) read into channel-neutral statement entries. The bill of day D
 * is made "每日10点后 … 昨日交易账单" (https://pay.weixin.qq.com/docs/merchant/apis/mini-program-payment/get-trade-bill.html),
 * so the file date F (the day it is fetched, China time) names `bill_date` = F − 1, as Huifu's
 * file_date does. Error answers (the published 申请交易账单 error table, e.g. the wiki page
 * https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/pay/bill/chapter3_1.shtml): 400 NO_STATEMENT_EXIST
 * "账单文件不存在 — 请检查当前商户号是否在指定日期有交易或退款发生" → a day without trades (ready, empty);
 * 400 STATEMENT_CREATING "账单生成中" → not ready yet.
 */
import type { V3Client } from '../../gateways/wechatpay/client';
import { WechatPayError } from '../../gateways/wechatpay/errors';
import { downloadTradeBill, type TradeBillRow } from '../../gateways/wechatpay/v3/bill';
import { ChannelError, type GatewayRefundState, type StatementEntry } from '../port';

const DAY_MS = 86_400_000;
const REFUND_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'PROCESSING', 'ABNORMAL', 'CLOSED']);

/** `yyyyMMdd` file date → the bill_date it lists (`yyyy-MM-dd`, the day before). */
export function billDateOf(fileDate: string): string {
  if (!/^\d{8}$/.test(fileDate)) throw new ChannelError('rejected', `file date must be yyyyMMdd, got ${fileDate}`);
  const day = Date.UTC(Number(fileDate.slice(0, 4)), Number(fileDate.slice(4, 6)) - 1, Number(fileDate.slice(6, 8))) - DAY_MS;
  return new Date(day).toISOString().slice(0, 10);
}

/** Bill rows → entries: SUCCESS rows are payments (订单金额), REFUND rows refunds (申请退款金额, 退款状态). Other states (REVOKED) list no money we take. */
export function statementEntriesOfBill(rows: TradeBillRow[], mchid: string): StatementEntry[] {
  const entries: StatementEntry[] = [];
  for (const row of rows) {
    // An ordinary merchant's bill lists its own orders only; anything else is not this merchant's file.
    if (row.mchid !== mchid) throw new ChannelError('untrusted', `the trade bill lists ${row.outTradeNo} of merchant ${row.mchid}, not ${mchid}`);
    if (row.tradeState === 'SUCCESS') entries.push({ kind: 'payment', outTradeNo: row.outTradeNo, transactionId: row.transactionId, amount: row.orderAmount });
    else if (row.tradeState === 'REFUND') {
      const state = REFUND_STATES.has(row.refundStatus ?? '') ? (row.refundStatus as GatewayRefundState['state']) : undefined;
      if (!state) throw new ChannelError('untrusted', `the trade bill lists refund ${row.outRefundNo} in state ${row.refundStatus ?? '(none)'}`);
      entries.push({ kind: 'refund', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo!, refundId: row.refundId ?? '', amount: row.requestedRefundAmount!, state });
    }
  }
  return entries;
}

/** `dailyStatement` of a v3 channel: undefined while the bill is being made; [] for a day without trades. WechatPayErrors go to the channel's translation. */
export function tradeBillStatement(client: Pick<V3Client, 'request' | 'download'>, mchid: string, now: () => number = Date.now) {
  return async (fileDate: string): Promise<StatementEntry[] | undefined> => {
    const billDate = billDateOf(fileDate);
    // A day still to come (China time) has no bill: nothing to ask (the gateway refuses a future bill_date, INVALID_REQUEST).
    if (billDate > new Date(now() + 8 * 3600_000).toISOString().slice(0, 10)) return undefined;
    try {
      const bill = await downloadTradeBill(client, { bill_date: billDate, bill_type: 'ALL', tar_type: 'GZIP' });
      return statementEntriesOfBill(bill.rows, mchid);
    } catch (error) {
      if (error instanceof WechatPayError && error.status === 400 && error.code === 'NO_STATEMENT_EXIST') return [];
      if (error instanceof WechatPayError && error.status === 400 && error.code === 'STATEMENT_CREATING') return undefined;
      throw error;
    }
  };
}
