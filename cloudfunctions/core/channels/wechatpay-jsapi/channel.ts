/**
 * JSAPI / mini-program payment over WeChat Pay v3 (seed 004): `POST /v3/pay/transactions/jsapi`,
 * query and close by out_trade_no, domestic refunds. Gateway errors leave as channel-neutral
 * `ChannelError`s (`../wechatpay-v3/errors.ts`); the order service decides what they mean.
 */
import type { Order, Refund } from '../../domain/orders/model';
import type { GatewayPaymentState, GatewayRefundState, PaymentChannel, RawNotification } from '../port';
import { isGatewayNotFound, withV3Errors } from '../wechatpay-v3/errors';
import { closeOutcomeOf, parseV3Notification, paymentStateOf, prepayIdOf, refundStateOf, resignPrepay, seg, signPrepay, toRfc3339, type V3ChannelDeps } from '../wechatpay-v3/mapping';

export const JSAPI_PATHS = {
  create: '/v3/pay/transactions/jsapi',
  query: (outTradeNo: string, mchid: string) => `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}?mchid=${seg(mchid)}`,
  close: (outTradeNo: string) => `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}/close`,
  refund: '/v3/refund/domestic/refunds',
  queryRefund: (outRefundNo: string) => `/v3/refund/domestic/refunds/${seg(outRefundNo)}`,
} as const;

/** The order body; built only from the stored order, so a retry sends identical bytes. */
export function jsapiOrderBody(order: Order, notifyUrl: string) {
  return {
    appid: order.appid,
    mchid: order.mchid,
    description: order.description,
    out_trade_no: order.outTradeNo,
    time_expire: toRfc3339(order.expiresAt),
    notify_url: notifyUrl,
    amount: { total: order.amount, currency: order.currency },
    payer: { openid: order.payerOpenid },
  };
}

export function refundBody(order: Order, refund: Refund, notifyUrl: string, total = order.amount) {
  return {
    out_trade_no: order.outTradeNo,
    out_refund_no: refund.outRefundNo,
    ...(refund.reason ? { reason: refund.reason } : {}),
    notify_url: notifyUrl,
    amount: { refund: refund.amount, total, currency: order.currency },
  };
}

export function createJsapiChannel(deps: V3ChannelDeps): PaymentChannel {
  const { config, client } = deps;
  const now = deps.now ?? Date.now;


  // Gateway errors leave as channel-neutral ChannelErrors (`withV3Errors`).
  return withV3Errors({
    name: 'jsapi',

    async create(order) {
      const res = await client.request<{ prepay_id?: unknown }>('POST', JSAPI_PATHS.create, jsapiOrderBody(order, config.notifyUrl));
      return signPrepay(deps, order, prepayIdOf(res, 'order'));
    },

    async resign(order) {
      return resignPrepay(deps, order);
    },

    async query(order): Promise<GatewayPaymentState> {
      try {
        const res = await client.request<Record<string, unknown>>('GET', JSAPI_PATHS.query(order.outTradeNo, order.mchid));
        return paymentStateOf(res.data ?? {}, now());
      } catch (error) {
        // Only the gateway's own "no such order" (404 ORDER_NOT_EXIST, https://pay.weixin.qq.com/doc/v3/merchant/4012556398
        // family of pages); a 404 from a proxy or an unknown path says nothing about the order.
        if (isGatewayNotFound(error)) return { kind: 'NOT_FOUND' };
        throw error;
      }
    },

    async close(order) {
      // 204 closed; 202 USER_PAYING: the payer is paying right now, nothing was closed.
      return closeOutcomeOf(await client.request('POST', JSAPI_PATHS.close(order.outTradeNo), { mchid: order.mchid }), 'close');
    },

    async refund(order, refund): Promise<GatewayRefundState> {
      const res = await client.request<Record<string, unknown>>('POST', JSAPI_PATHS.refund, refundBody(order, refund, config.notifyUrl));
      return refundStateOf(res.data ?? {});
    },

    async queryRefund(_order, refund): Promise<GatewayRefundState> {
      const res = await client.request<Record<string, unknown>>('GET', JSAPI_PATHS.queryRefund(refund.outRefundNo));
      return refundStateOf(res.data ?? {});
    },

    async parseNotification(request: RawNotification) {
      return parseV3Notification(request, deps);
    },
  });
}
