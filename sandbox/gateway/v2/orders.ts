import { newPrepayId, newTransactionId } from '../ids';
import { compactChina } from '../time';
import { outTradeNoTaken } from '../transactions';
import type { V2Call, V2Context, V2Endpoint, V2Fields } from './api';
import { badParam, V2ResultFail } from './errors';
import { sendPayNotification } from './notify';
import type { V2OrderRecord, V2TradeState } from './records';

/**
 * `/pay/unifiedorder` (trade_type JSAPI with the payer's openid, and APP), `/pay/orderquery` (by
 * transaction_id or out_trade_no), `/pay/closeorder`. Fields, answers and 错误码 tables:
 * https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (统一下单; APP: app.php?chapter=9_1),
 * chapter=9_2 (查询订单), chapter=9_3 (关闭订单). What a payer does to an order is in clients.ts.
 */

/** Unpaid orders without time_expire stay payable this long (the prepay_id's 2 h). */
export const V2_DEFAULT_EXPIRY_MS = 2 * 3600_000;
/** "商户系统内部订单号，要求32个字符内，只能是数字、大小写字母_-|*" (chapter=9_1). */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
const TOTAL_FEE = /^[1-9][0-9]{0,9}$/;
const COMPACT_TIME = /^\d{14}$/;

const STATE_DESC: Record<V2TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款，退款详情请查询退款单',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '已撤销',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败，请重新下单支付',
};

export const orderEndpoints: V2Endpoint[] = [
  { path: '/pay/unifiedorder', systemErrorDes: '系统错误', handle: unifiedOrder },
  { path: '/pay/orderquery', systemErrorDes: '系统错误', handle: orderQuery },
  { path: '/pay/closeorder', systemErrorDes: '系统错误', handle: closeOrder },
];

function unifiedOrder(ctx: V2Context, call: V2Call): V2Fields {
  const f = call.fields;
  const tradeType = f.trade_type;
  if (tradeType !== 'JSAPI' && tradeType !== 'APP') throw badParam('trade_type'); // NATIVE/MWEB are not emulated
  const body = required(f, 'body', 128);
  const outTradeNo = f.out_trade_no ?? '';
  if (!OUT_TRADE_NO.test(outTradeNo)) throw badParam('out_trade_no');
  if (!TOTAL_FEE.test(f.total_fee ?? '')) throw badParam('total_fee');
  const totalFee = Number(f.total_fee);
  const feeType = f.fee_type ?? 'CNY';
  if (feeType !== 'CNY') throw badParam('fee_type');
  const spbillCreateIp = required(f, 'spbill_create_ip', 64);
  const notifyUrl = required(f, 'notify_url', 256);
  if (!isNotifyUrl(notifyUrl)) throw badParam('notify_url');
  const attach = optional(f, 'attach', 127);
  const deviceInfo = optional(f, 'device_info', 32);
  const timeExpire = f.time_expire;
  if (timeExpire !== undefined && (!COMPACT_TIME.test(timeExpire) || Number.isNaN(chinaTimeMs(timeExpire)))) throw badParam('time_expire');
  let openid: string | undefined;
  if (tradeType === 'JSAPI') {
    openid = f.openid;
    if (!openid || openid.length > 128) throw badParam('openid');
  }

  const fingerprint = JSON.stringify([call.appid, tradeType, body, f.detail, attach, outTradeNo, totalFee, feeType, notifyUrl, openid, timeExpire, f.goods_tag, deviceInfo]);
  const d = ctx.gw.state.data.v2;
  const existing = d.orders[outTradeNo];
  if (existing) {
    expireIfDue(ctx, existing);
    if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') throw new V2ResultFail('ORDERPAID', '商户订单已支付');
    if (existing.tradeState === 'CLOSED') throw new V2ResultFail('ORDERCLOSED', '订单已关闭');
    if (existing.fingerprint !== fingerprint) throw new V2ResultFail('OUT_TRADE_NO_USED', '商户订单号重复');
    return [['prepay_id', existing.prepayId], ['trade_type', existing.tradeType]]; // a client retry
  }
  // APIv2 and APIv3 orders of one merchant share the out_trade_no space.
  if (outTradeNoTaken(ctx.gw, outTradeNo)) throw new V2ResultFail('OUT_TRADE_NO_USED', '商户订单号重复');

  const order: V2OrderRecord = {
    tradeType,
    appid: call.appid,
    mchId: ctx.gw.keys.mchid,
    outTradeNo,
    body,
    totalFee,
    feeType,
    spbillCreateIp,
    notifyUrl,
    signType: call.signType,
    prepayId: newPrepayId(),
    createdAt: Date.now(),
    fingerprint,
    tradeState: 'NOTPAY',
    refunded: 0,
    ...(attach !== undefined ? { attach } : {}),
    ...(deviceInfo !== undefined ? { deviceInfo } : {}),
    ...(timeExpire !== undefined ? { timeExpire } : {}),
    ...(openid !== undefined ? { openid } : {}),
  };
  d.orders[outTradeNo] = order;
  d.prepays[order.prepayId] = outTradeNo;
  ctx.gw.state.changed();
  ctx.gw.log(`v2 order ${outTradeNo} ${tradeType} ${totalFee} fen created (prepay ${order.prepayId}, ${call.signType})`);
  return [['prepay_id', order.prepayId], ['trade_type', tradeType]];
}

function orderQuery(ctx: V2Context, call: V2Call): V2Fields {
  const order = findOrder(ctx, call, '此交易订单号不存在');
  const paid = order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND';
  if (!paid) {
    return [
      ['total_fee', order.totalFee],
      ['out_trade_no', order.outTradeNo],
      ['attach', order.attach],
      ['trade_state', order.tradeState],
      ['trade_state_desc', STATE_DESC[order.tradeState]],
    ];
  }
  return [
    ['openid', payerOf(order)],
    ['is_subscribe', 'N'],
    ['trade_type', order.tradeType],
    ['bank_type', order.bankType],
    ['total_fee', order.totalFee],
    ['fee_type', order.feeType],
    ['transaction_id', order.transactionId],
    ['out_trade_no', order.outTradeNo],
    ['attach', order.attach],
    ['time_end', order.timeEnd],
    ['trade_state', order.tradeState],
    ['cash_fee', order.totalFee],
    ['trade_state_desc', STATE_DESC[order.tradeState]],
  ];
}

function closeOrder(ctx: V2Context, call: V2Call): V2Fields {
  if (!call.fields.out_trade_no) throw badParam('out_trade_no');
  const order = ctx.gw.state.data.v2.orders[call.fields.out_trade_no];
  if (!order || order.appid !== call.appid) throw new V2ResultFail('ORDERNOTEXIST', '订单不存在');
  expireIfDue(ctx, order);
  if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') throw new V2ResultFail('ORDERPAID', '订单已支付');
  if (order.tradeState === 'CLOSED') throw new V2ResultFail('ORDERCLOSED', '订单已关闭');
  // The page advises 5 min between ordering and closing but publishes no error for it: not enforced.
  order.tradeState = 'CLOSED';
  ctx.gw.state.changed();
  ctx.gw.log(`v2 order ${order.outTradeNo} closed`);
  return [];
}

/** By transaction_id (preferred when both are sent, as the page says) or out_trade_no. */
export function findOrder(ctx: V2Context, call: V2Call, notFoundDes: string): V2OrderRecord {
  const { transaction_id: transactionId, out_trade_no: outTradeNo } = call.fields;
  if (!transactionId && !outTradeNo) throw badParam('out_trade_no');
  const orders = ctx.gw.state.data.v2.orders;
  const order = transactionId ? Object.values(orders).find((o) => o.transactionId === transactionId) : orders[outTradeNo!];
  if (!order || order.appid !== call.appid) throw new V2ResultFail('ORDERNOTEXIST', notFoundDes);
  expireIfDue(ctx, order);
  return order;
}

/** An unpaid order past its time_expire (or 2 h) is closed, as the gateway closes it. */
export function expireIfDue(ctx: V2Context, order: V2OrderRecord): void {
  const due = order.timeExpire ? chinaTimeMs(order.timeExpire) : order.createdAt + V2_DEFAULT_EXPIRY_MS;
  if ((order.tradeState === 'NOTPAY' || order.tradeState === 'USERPAYING') && Date.now() > due) {
    order.tradeState = 'CLOSED';
    ctx.gw.state.changed();
  }
}

export const payerOf = (order: V2OrderRecord) => order.openid ?? order.paidBy;

/** The payer paid: SUCCESS, and the payment notification (chapter=9_7) to the order's notify_url. */
export function markV2Paid(ctx: V2Context, order: V2OrderRecord, payerOpenid: string): void {
  order.tradeState = 'SUCCESS';
  order.transactionId = newTransactionId();
  order.timeEnd = compactChina();
  order.bankType = 'OTHERS';
  if (!order.openid) order.paidBy = payerOpenid;
  ctx.gw.state.changed();
  ctx.gw.log(`v2 order ${order.outTradeNo} paid (${order.transactionId})`);
  sendPayNotification(
    ctx,
    order.notifyUrl,
    order.outTradeNo,
    {
      appid: order.appid,
      attach: order.attach,
      bank_type: order.bankType,
      cash_fee: order.totalFee,
      device_info: order.deviceInfo,
      fee_type: order.feeType,
      is_subscribe: 'N',
      mch_id: order.mchId,
      openid: payerOf(order),
      out_trade_no: order.outTradeNo,
      result_code: 'SUCCESS',
      return_code: 'SUCCESS',
      time_end: order.timeEnd,
      total_fee: order.totalFee,
      trade_type: order.tradeType,
      transaction_id: order.transactionId,
    },
    order.signType,
  );
}

function required(f: Record<string, string>, name: string, maxBytes: number): string {
  const value = f[name];
  if (!value || Buffer.byteLength(value) > maxBytes) throw badParam(name);
  return value;
}

function optional(f: Record<string, string>, name: string, maxBytes: number): string | undefined {
  const value = f[name];
  if (value === undefined || value === '') return undefined;
  if (Buffer.byteLength(value) > maxBytes) throw badParam(name);
  return value;
}

/** "通知url必须为直接可访问的url，不能携带参数" (chapter=9_7). */
export function isNotifyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search;
  } catch {
    return false;
  }
}

/** yyyyMMddHHmmss in GMT+8 → epoch ms. */
export function chinaTimeMs(compact: string): number {
  const iso = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(8, 10)}:${compact.slice(10, 12)}:${compact.slice(12, 14)}+08:00`;
  return Date.parse(iso);
}
