/**
 * Huifu DouGong mini-program payment (seed 002, 聚合正扫 T_MINIAPP) as a `PaymentChannel`. Our
 * numbers are Huifu's: `req_seq_id` = out_trade_no / out_refund_no, `req_date` = the China date
 * the order (refund) was created, so every retry and every later query names the same trade
 * without storing anything Huifu-specific. Answers are verified by the client; `resp_code` and
 * `trans_stat` are read here and leave as channel-neutral outcomes or `ChannelError`s.
 */
import type { Order, Refund } from '../../domain/orders/model';
import type { HuifuClient } from '../../gateways/huifu/client';
import { fenToYuan } from '../../gateways/huifu/money';
import { parseHuifuNotification } from '../../gateways/huifu/notify';
import type { Verifier } from '../../gateways/wechatpay/auth/verifier';
import * as trade from '../../gateways/huifu/trade';
import { HUIFU_RESP, huifuDate, huifuTime, type HuifuAnswer } from '../../gateways/huifu/trade';
import { ChannelError, type ChannelOperation, type CloseOutcome, type CreatedPayment, type GatewayPaymentState, type GatewayRefundState, type PaymentChannel, type RawNotification } from '../port';
import { huifuChannelError, isAccepted, refusalError } from './errors';
import { notificationEventOf, paymentStateOf, refundStateOf, statementEntriesOf } from './mapping';
import { billRowsOf, downloadHuifuFile } from '../../gateways/huifu/bill';

/** seed 002 / trade-close.md: "不允许关闭一分钟以内的订单". */
export const HUIFU_MIN_CLOSE_INTERVAL_MS = 60_000;

export interface HuifuChannelConfig {
  huifuId: string;
  /** The mini-program's appid (`sub_appid` in `sub_openid` mode). */
  appid: string;
  notifyUrl: string;
  /**
   * How the payer is named in `wx_data` (seed 002 contradicts itself, PROTOCOL.md §3):
   * `openid` → `{"openid":…}`; `sub_openid` → `{"sub_appid":…,"sub_openid":…}`.
   */
  payerIdentity: 'openid' | 'sub_openid';
  /** Default 1 minute, as published. */
  minCloseIntervalMs?: number;
}

export interface HuifuChannelDeps {
  config: HuifuChannelConfig;
  client: HuifuClient;
  verifier: Verifier;
  now?: () => number;
  /** Downloads a reconciliation file by its URL; default a plain GET. */
  download?: (url: string) => Promise<Buffer>;
}

/** The payer in `wx_data` (a JSON string), as the config chooses. */
export function wxDataOf(order: Order, config: HuifuChannelConfig): string {
  return JSON.stringify(config.payerIdentity === 'openid' ? { openid: order.payerOpenid } : { sub_appid: order.appid, sub_openid: order.payerOpenid });
}

/** The 聚合正扫 body; built only from the stored order, so a retry sends identical data. */
export function jspayBody(order: Order, config: HuifuChannelConfig): trade.JspayRequest {
  return {
    req_date: huifuDate(order.createdAt),
    req_seq_id: order.outTradeNo,
    huifu_id: config.huifuId,
    trade_type: 'T_MINIAPP',
    trans_amt: fenToYuan(order.amount),
    goods_desc: order.description,
    time_expire: huifuTime(order.expiresAt),
    notify_url: config.notifyUrl,
    wx_data: wxDataOf(order, config),
  };
}

/** The trade named by our number and its day. */
export function tradeLocator(order: Order, huifuId: string): trade.TradeLocator {
  return { huifu_id: huifuId, org_req_date: huifuDate(order.createdAt), org_req_seq_id: order.outTradeNo };
}

export function refundBody(order: Order, refund: Refund, config: HuifuChannelConfig): trade.RefundRequest {
  return {
    req_date: huifuDate(refund.createdAt),
    req_seq_id: refund.outRefundNo,
    huifu_id: config.huifuId,
    ord_amt: fenToYuan(refund.amount),
    org_req_date: huifuDate(order.createdAt),
    org_req_seq_id: order.outTradeNo,
    ...(refund.reason ? { remark: refund.reason } : {}),
    notify_url: config.notifyUrl,
  };
}

/** Throws the channel error for a refusal; returns the data when Huifu accepted the request. */
function accepted<T extends Partial<HuifuAnswer>>(data: T, operation: ChannelOperation): T {
  if (!isAccepted(data)) throw refusalError(data, operation);
  return data;
}

/** `pay_info` as Huifu carries it: a JSON object string, passed on untouched. */
function payInfoOf(data: Partial<trade.JspayAnswer>): string {
  const payInfo = data.pay_info;
  if (typeof payInfo !== 'string' || payInfo === '') throw new ChannelError('untrusted', 'Huifu jspay answer has no pay_info');
  try {
    const parsed = JSON.parse(payInfo) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch (cause) {
    throw new ChannelError('untrusted', 'Huifu pay_info is not a JSON object', { cause });
  }
  return payInfo;
}

export function createHuifuChannel(deps: HuifuChannelDeps): PaymentChannel {
  const { config, client, verifier } = deps;
  const now = deps.now ?? Date.now;
  const minCloseIntervalMs = config.minCloseIntervalMs ?? HUIFU_MIN_CLOSE_INTERVAL_MS;
  /** Each operation's Huifu errors leave as ChannelErrors. */
  const guarded = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (error) {
      throw huifuChannelError(error);
    }
  };

  async function query(order: Order): Promise<GatewayPaymentState> {
    const { data } = await trade.query(client, tradeLocator(order, config.huifuId));
    if (data.resp_code === HUIFU_RESP.NOT_FOUND) return { kind: 'NOT_FOUND' };
    return paymentStateOf(accepted(data, 'query'), now());
  }

  /** Asks whether a close took effect (closequery): S closed; anything else decides nothing. */
  async function closeQuery(order: Order, request: trade.CloseRequest): Promise<CloseOutcome> {
    const { data } = await trade.closeQuery(client, request);
    if (isAccepted(data) && data.trans_stat === 'S') return { kind: 'closed' };
    throw new ChannelError('unavailable', `Huifu has not confirmed the close of ${order.outTradeNo} (closequery ${String(data.resp_code)} ${String(data.trans_stat ?? '')}); try again`);
  }

  return {
    name: 'huifu',
    orderParty: { mchid: config.huifuId },

    create: guarded(async (order: Order): Promise<CreatedPayment> => {
      const { data } = await trade.jspay(client, jspayBody(order, config));
      accepted(data, 'create');
      // 00000100 下单成功 with trans_stat P: placed, not paid (the result comes by notification or query).
      if (data.trans_stat === 'F') throw new ChannelError('rejected', `Huifu refused the order: ${String(data.bank_message || data.resp_desc || 'trans_stat F')}`);
      const hfSeqId = typeof data.hf_seq_id === 'string' && data.hf_seq_id ? data.hf_seq_id : undefined;
      if (!hfSeqId) throw new ChannelError('untrusted', 'Huifu jspay answer has no hf_seq_id');
      // Huifu signs pay_info once per jspay: the order keeps it for a payer who comes back.
      return { prepayId: hfSeqId, payment: { kind: 'huifu', payInfo: payInfoOf(data) }, keep: true };
    }),

    async resign(order) {
      // Huifu's pay_info is signed by Huifu for one jspay; nothing here can sign it again: the one it issued is handed back.
      if (order.issuedPayment?.kind === 'huifu' && order.prepayId) return { prepayId: order.prepayId, payment: order.issuedPayment };
      throw new ChannelError('rejected', `Huifu issued no pay_info we kept for ${order.outTradeNo}; start a new payment`);
    },

    query: guarded(query),

    close: guarded(async (order: Order): Promise<CloseOutcome> => {
      // Huifu refuses to close within 1 minute of the order (20000001): say so without asking.
      const age = now() - order.createdAt;
      if (age < minCloseIntervalMs) {
        throw new ChannelError('tooEarly', `Huifu closes an order only ${Math.ceil(minCloseIntervalMs / 1000)} s after it was placed; try again in ${Math.ceil((minCloseIntervalMs - age) / 1000)} s`);
      }
      const request: trade.CloseRequest = { ...tradeLocator(order, config.huifuId), req_date: huifuDate(now()), req_seq_id: `${order.outTradeNo}C${huifuTime(now())}` };
      const { data } = await trade.close(client, request);
      accepted(data, 'close');
      if (data.trans_stat === 'S') return { kind: 'closed' };
      if (data.trans_stat === 'F') throw new ChannelError('rejected', `Huifu did not close ${order.outTradeNo}: ${String(data.resp_desc ?? '')}`);
      return closeQuery(order, request);
    }),

    refund: guarded(async (order: Order, refund: Refund): Promise<GatewayRefundState> => {
      const { data } = await trade.refund(client, refundBody(order, refund, config));
      return refundStateOf(accepted(data, 'refund'), refund.outRefundNo);
    }),

    queryRefund: guarded(async (_order: Order, refund: Refund): Promise<GatewayRefundState> => {
      const { data } = await trade.refundQuery(client, { huifu_id: config.huifuId, org_req_date: huifuDate(refund.createdAt), org_req_seq_id: refund.outRefundNo });
      if (data.resp_code === HUIFU_RESP.NOT_FOUND) throw refusalError(data, 'queryRefund');
      return refundStateOf(accepted(data, 'queryRefund'), refund.outRefundNo);
    }),

    /** check/filequery for the day's TRADE_BILL, each file downloaded and read (reconciliation.md). */
    dailyStatement: guarded(async (fileDate: string) => {
      const { data } = await trade.fileQuery(client, { req_date: huifuDate(now()), req_seq_id: `RECON${fileDate}${huifuTime(now())}`, huifu_id: config.huifuId, file_date: fileDate, bill_type: 'TRADE_BILL' });
      accepted(data, 'query');
      const files = (data.file_details ?? []).filter((file) => typeof file.download_url === 'string' && file.download_url);
      // "file_details 为空 … task_stat=S 但无文件表示前一日无记录": done, nothing to compare.
      if (!files.length) return (data.task_details ?? []).some((task) => task.task_stat === 'S') ? [] : undefined;
      const download = deps.download ?? ((url: string) => downloadHuifuFile(url));
      const rows = [];
      for (const file of files) rows.push(...billRowsOf(await download(file.download_url)));
      return statementEntriesOf(rows, config.huifuId);
    }),

    /** Verifies `sign` over `resp_data` exactly as posted; errors are the gateway layer's own (the endpoint answers them). */
    async parseNotification(request: RawNotification) {
      let notification;
      try {
        notification = parseHuifuNotification(request.body, verifier);
      } catch (error) {
        // As ChannelErrors (recognised by mark): this channel may be a side bundle with its own HuifuError class.
        throw huifuChannelError(error);
      }
      return notificationEventOf(notification.data, { appid: config.appid, now: now() });
    },
  };
}
