/**
 * JSAPI / mini-program payment over WeChat Pay v3 (seed 004): `POST /v3/pay/transactions/jsapi`,
 * query and close by out_trade_no, domestic refunds. Gateway errors leave as channel-neutral
 * `ChannelError`s (`../wechatpay-v3/errors.ts`); the order service decides what they mean.
 */
import type { Order, Refund } from '../../domain/orders/model';
import type { GatewayPaymentState, GatewayRefundState, PaymentChannel, RawNotification } from '../port';
import { isGatewayNotFound, withV3Errors } from '../wechatpay-v3/errors';
import { closeOutcomeOf, parseV3Notification, paymentStateOf, prepayIdOf, refundStateOf, resignPrepay, signPrepay, toRfc3339, type V3ChannelDeps } from '../wechatpay-v3/mapping';
import * as jsapi from '../../gateways/wechatpay/v3/jsapi';
import * as refunds from '../../gateways/wechatpay/v3/refunds';

/** The order body; built only from the stored order, so a retry sends identical bytes. */
export function jsapiOrderBody(order: Order, notifyUrl: string): jsapi.PrepayRequest {
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

export function refundBody(order: Order, refund: Refund, notifyUrl: string, total = order.amount): refunds.CreateRequest {
  return {
    out_trade_no: order.outTradeNo,
    out_refund_no: refund.outRefundNo,
    ...(refund.reason ? { reason: refund.reason } : {}),
    notify_url: notifyUrl,
    amount: { refund: refund.amount, total, currency: order.currency },
  };
}

/**
 * The trade bill reader, loaded at the first daily statement: it is its own side bundle
 * (gulpfile SIDE_MODULES, `wechatpay-v3/statement.js`: the CSV reader and zlib), so the bundles
 * that never read a bill (pay, payNotify, …) do not carry it.
 */
function tradeBillOf(...args: Parameters<typeof import('../wechatpay-v3/statement').tradeBillStatement>) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tradeBillStatement } = require('../wechatpay-v3/statement') as typeof import('../wechatpay-v3/statement');
  return tradeBillStatement(...args);
}

export function createJsapiChannel(deps: V3ChannelDeps): PaymentChannel {
  const { config, client } = deps;
  const now = deps.now ?? Date.now;


  // Gateway errors leave as channel-neutral ChannelErrors (`withV3Errors`).
  return withV3Errors({
    name: 'jsapi',

    async create(order) {
      const res = await jsapi.prepay(client, jsapiOrderBody(order, config.notifyUrl));
      return signPrepay(deps, order, prepayIdOf(res, 'order'));
    },

    async resign(order) {
      return resignPrepay(deps, order);
    },

    async query(order): Promise<GatewayPaymentState> {
      try {
        const res = await jsapi.queryByOutTradeNo(client, order.mchid, order.outTradeNo);
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
      return closeOutcomeOf(await jsapi.close(client, order.mchid, order.outTradeNo), 'close');
    },

    async refund(order, refund): Promise<GatewayRefundState> {
      const res = await refunds.create(client, refundBody(order, refund, config.notifyUrl));
      return refundStateOf(res.data ?? {});
    },

    async queryRefund(_order, refund): Promise<GatewayRefundState> {
      const res = await refunds.queryByOutRefundNo(client, refund.outRefundNo);
      return refundStateOf(res.data ?? {});
    },

    async parseNotification(request: RawNotification) {
      return parseV3Notification(request, deps);
    },

    // The merchant's trade bill lists every v3 order of the mchid by out_trade_no: this channel
    // reads it (combine sub-orders are listed by their own numbers, which no order is keyed by).
    ...(client.download ? { dailyStatement: (fileDate: string) => tradeBillOf({ request: client.request, download: client.download! }, config.mchid, now)(fileDate) } : {}),
  });
}
