/**
 * APIv2 order calls, wire only: 统一下单 `POST /pay/unifiedorder` (trade_type JSAPI with the
 * payer's openid, or APP), 查询订单 `POST /pay/orderquery` (by out_trade_no or transaction_id),
 * 关闭订单 `POST /pay/closeorder`. Field names from the published pages:
 * https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (APP: app.php?chapter=9_1),
 * chapter=9_2, chapter=9_3 (docs/references/sandbox-v2.md lists the copies used).
 * Every answer was verified by the client before it gets here.
 */
import { WechatPayError } from '../errors';
import type { V2Client } from './client';
import { resultOrThrow } from './result';

export type V2TradeType = 'JSAPI' | 'APP';

export interface UnifiedOrderRequest {
  /** ≤ 128 bytes. */
  body: string;
  out_trade_no: string;
  /** fen */
  total_fee: number;
  spbill_create_ip: string;
  notify_url: string;
  trade_type: V2TradeType;
  /** JSAPI only: the payer's openid under the order's appid. */
  openid?: string;
  /** yyyyMMddHHmmss, China time. */
  time_expire?: string;
  attach?: string;
}

/** The order's appid is the client's per call: the mini-program's for JSAPI, the mobile app's for APP. */
export async function unifiedOrder(client: V2Client, request: UnifiedOrderRequest): Promise<{ prepayId: string; tradeType: string }> {
  if (request.trade_type === 'JSAPI' && !request.openid) throw new WechatPayError('ARGUMENT_INVALID', 'trade_type JSAPI needs the payer openid');
  const answer = resultOrThrow(await client.post('/pay/unifiedorder', { ...request }), 'unifiedorder');
  if (!answer.prepay_id) throw new WechatPayError('RESPONSE_MALFORMED', 'unifiedorder answer lacks prepay_id');
  return { prepayId: answer.prepay_id, tradeType: answer.trade_type ?? request.trade_type };
}

/** The verified answer of 查询订单 (trade_state, total_fee, transaction_id, time_end, …). */
export async function orderQuery(client: V2Client, by: { out_trade_no: string } | { transaction_id: string }): Promise<Record<string, string>> {
  return resultOrThrow(await client.post('/pay/orderquery', { ...by }), 'orderquery');
}

/** 关闭订单: resolves when closed; ORDERPAID / ORDERCLOSED / ORDERNOTEXIST leave as errors. */
export async function closeOrder(client: V2Client, outTradeNo: string): Promise<void> {
  resultOrThrow(await client.post('/pay/closeorder', { out_trade_no: outTradeNo }), 'closeorder');
}
