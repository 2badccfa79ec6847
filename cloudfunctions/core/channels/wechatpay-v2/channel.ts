/**
 * WeChat Pay APIv2 (seed 003) as a payment channel: `v2` pays in the mini-program (trade_type
 * JSAPI, the payer's openid, `wx.requestPayment` with the v2 pay-sign), `v2app` in the merchant's
 * mobile app (trade_type APP, the OpenSDK `PayReq` re-signed over appid, partnerid, prepayid,
 * noncestr, timestamp, package=Sign=WXPay). Both query, close and refund the same way; failures
 * leave as channel-neutral `ChannelError`s (`errors.ts`).
 */
import type { AppPaymentParams } from '../../../../typings/api';
import type { Order, Refund } from '../../domain/orders/model';
import type { Signer } from '../../gateways/wechatpay/auth/signer';
import * as v2 from '../../gateways/wechatpay/v2';
import type { Clock, NonceSource } from '../../kernel/nonce';
import type { CreatedPayment, GatewayPaymentState, GatewayRefundState, PaymentChannel, RawNotification } from '../port';
import { withV2Errors } from './errors';
import { toChinaCompact, v2PaymentStateOf, v2RefundState } from './mapping';
import { parseV2ChannelNotification } from './notifications';

export interface V2ChannelDeps {
  name: 'v2' | 'v2app';
  tradeType: v2.V2TradeType;
  mchid: string;
  /** APP orders: the mobile app's appid (开放平台). JSAPI orders keep the mini-program's. */
  appAppid?: string;
  notifyUrl: string;
  /** Verifies answers and notifications (a v2 check recomputes the sign) and decrypts req_info. */
  key: string;
  /** Signs the client parameters; its algorithm is the configured sign type. */
  signer: Signer;
  /** The v2 client speaking for an appid (every call presents the merchant certificate). */
  clientFor(appid: string): v2.V2Client;
  now?: Clock;
  nonce?: NonceSource;
}

/** The 统一下单 body; built only from the stored order, so a retry sends the same fields. */
export function unifiedOrderBody(order: Order, tradeType: v2.V2TradeType, notifyUrl: string): v2.UnifiedOrderRequest {
  return {
    body: order.description,
    out_trade_no: order.outTradeNo,
    total_fee: order.amount,
    // "支持IPV4和IPV6两种格式的IP地址。用户的客户端IP" (chapter=9_1); the loopback when the platform gave none.
    spbill_create_ip: order.payerClientIp ?? '127.0.0.1',
    notify_url: notifyUrl,
    trade_type: tradeType,
    time_expire: toChinaCompact(order.expiresAt),
    ...(tradeType === 'JSAPI' ? { openid: order.payerOpenid } : {}),
  };
}

export function createV2Channel(deps: V2ChannelDeps): PaymentChannel {
  const now = deps.now ?? Date.now;
  const signType = v2.v2SignTypeOf(deps.signer);
  const client = (order: Order) => deps.clientFor(order.appid);

  async function sign(order: Order, prepayId: string): Promise<CreatedPayment> {
    const options = { clock: now, ...(deps.nonce ? { nonce: deps.nonce } : {}) };
    if (deps.tradeType === 'JSAPI') {
      return { prepayId, payment: { kind: 'miniprogram', ...(await v2.buildV2PayParams({ appId: order.appid, prepayId, signer: deps.signer }, options)) } };
    }
    const req = await v2.buildV2AppPayParams({ appId: order.appid, mchId: order.mchid, prepayId, signer: deps.signer }, options);
    // The OpenSDK PayReq's field names (https://pay.weixin.qq.com/wiki/doc/api/app/app.php?chapter=9_12).
    const payment: AppPaymentParams = { kind: 'app', appId: req.appid, partnerId: req.partnerid, prepayId: req.prepayid, packageValue: req.package, nonceStr: req.noncestr, timeStamp: req.timestamp, sign: req.sign };
    return { prepayId, payment };
  }

  return withV2Errors({
    name: deps.name,
    orderParty: { mchid: deps.mchid, ...(deps.tradeType === 'APP' && deps.appAppid ? { appid: deps.appAppid } : {}) },

    async create(order) {
      const { prepayId } = await v2.unifiedOrder(client(order), unifiedOrderBody(order, deps.tradeType, deps.notifyUrl));
      return sign(order, prepayId);
    },

    async resign(order) {
      if (!order.prepayId) throw new v2.WechatPayError('ARGUMENT_INVALID', `order ${order.outTradeNo} has no prepay id to sign`);
      return sign(order, order.prepayId);
    },

    async query(order): Promise<GatewayPaymentState> {
      try {
        return v2PaymentStateOf(await v2.orderQuery(client(order), { out_trade_no: order.outTradeNo }), now());
      } catch (error) {
        // ORDERNOTEXIST "此交易订单号不存在" (chapter=9_2), signed: the gateway has no such order.
        if (v2.isV2ResultFail(error, 'ORDERNOTEXIST')) return { kind: 'NOT_FOUND' };
        throw error;
      }
    },

    async close(order) {
      await v2.closeOrder(client(order), order.outTradeNo);
      return { kind: 'closed' };
    },

    async refund(order: Order, refund: Refund): Promise<GatewayRefundState> {
      const facts = await v2.refund(client(order), {
        out_trade_no: order.outTradeNo,
        out_refund_no: refund.outRefundNo,
        total_fee: order.amount,
        refund_fee: refund.amount,
        ...(refund.reason ? { refund_desc: refund.reason } : {}),
        notify_url: deps.notifyUrl,
      });
      return v2RefundState(facts.outRefundNo, facts.status, facts.refundFee, facts.refundId);
    },

    async queryRefund(order: Order, refund: Refund): Promise<GatewayRefundState> {
      const facts = await v2.refundQuery(client(order), refund.outRefundNo);
      return v2RefundState(facts.outRefundNo, facts.status, facts.refundFee, facts.refundId);
    },

    async parseNotification(request: RawNotification) {
      return parseV2ChannelNotification(request.body, { key: deps.key, signType }, now());
    },
  });
}
