/**
 * Combine (合单) payments to individual payees — 平台收付通 个人收款, seed 000 §2.2.
 *
 * One combine order per purchase, one sub-order per payee (we send exactly one), each carrying
 * the payee's `individual_auth_id`. The prepay is pay-signed with the same appid the order was
 * created with (the seed: WeChat checks the calling mini-program's appid against it).
 *
 * Wire mapping only: which payee, which amount and whether the payee is authorized are decided
 * before an order exists (`core/domain/payees/service.ts`), and every state change goes through the order
 * service's state machine.
 */
import { AppError } from '../../kernel/errors';
import type { Order, Refund, SubOrder } from '../../domain/orders/model';
import type { CombineSubOrder, CombineTransactionResource } from '../../gateways/wechatpay/notification-types';
import type { ChannelNotification, GatewayPaymentState, GatewayRefundState, GatewaySubOrderState, PaymentChannel, RawNotification } from '../port';
import { isGatewayNotFound, withV3Errors } from '../wechatpay-v3/errors';
import { closeOutcomeOf, combinePaymentStateOf, parseV3Notification, prepayIdOf, resignPrepay, signPrepay, toRfc3339, type V3ChannelDeps } from '../wechatpay-v3/mapping';
import * as combine from '../../gateways/wechatpay/v3/combine';

/**
 * `trade_scenario`. The published 个人收款交易下单-小程序 reference lists one value, RECOMMERCE
 * (二手电商); the seed's notes also name TIP (打赏), which the published page does not, so the
 * gateway (and the sandbox) refuse it. See docs/references/combine.md.
 * https://pay.weixin.qq.com/doc/v3/partner/4012602225
 */
export type TradeScenario = 'RECOMMERCE';

export interface CombineOptions {
  /** Default RECOMMERCE, the only published value. */
  tradeScenario?: TradeScenario;
  /**
   * `scene_info.payer_client_ip` (required inside `scene_info`). The order carries the payer's IP
   * from the platform (CLIENTIP); this is only the fallback for a caller without one (default 127.0.0.1).
   */
  payerClientIp?: string;
}

/** The v3 channel deps every channel takes (`{ config, client, now, nonce }`), plus combine options. */
export type CombineChannelDeps = V3ChannelDeps & { combine?: CombineOptions };

export function combineOutTradeNoOf(order: Order): string {
  return order.combineOutTradeNo ?? order.outTradeNo;
}

function subOrdersOf(order: Order): SubOrder[] {
  if (order.channel !== 'combine') throw new AppError('INTERNAL', `order ${order.outTradeNo} is not a combine order`);
  const subs = order.subOrders ?? [];
  if (subs.length < 1 || subs.length > 10) throw new AppError('INTERNAL', `combine order ${order.outTradeNo} needs 1–10 sub-orders, has ${subs.length}`);
  for (const sub of subs) {
    if (!sub.individualAuthId) throw new AppError('PAYEE_NOT_AUTHORIZED', `sub-order ${sub.outTradeNo} has no individual_auth_id`);
  }
  const total = subs.reduce((sum, s) => sum + s.amount, 0);
  if (total !== order.amount) throw new AppError('INTERNAL', `combine order ${order.outTradeNo}: sub-orders add up to ${total} fen, order is ${order.amount}`);
  return subs;
}

/**
 * The request body of `POST /v3/combine-transactions/miniprogram`: exactly the fields the published
 * 个人收款交易下单-小程序 page lists (https://pay.weixin.qq.com/doc/v3/partner/4012602225). The
 * seed's samples also send `time_start`, `settle_info`, `goods_tag`, `detail` and (Java)
 * `transfer_scene`; the published page has none of them, so they are never sent.
 */
export function combineCreateBody(order: Order, notifyUrl: string, options: CombineOptions = {}): combine.CreateRequest {
  const combineOutTradeNo = combineOutTradeNoOf(order);
  return {
    combine_appid: order.appid,
    combine_mchid: order.mchid,
    combine_out_trade_no: combineOutTradeNo,
    combine_payer_info: { openid: order.payerOpenid },
    scene_info: { payer_client_ip: order.payerClientIp ?? options.payerClientIp ?? '127.0.0.1' },
    sub_orders: subOrdersOf(order).map((sub) => {
      const wire: combine.CreateSubOrder = {
        mchid: sub.mchid,
        individual_auth_id: sub.individualAuthId!,
        out_trade_no: sub.outTradeNo,
        amount: { total_amount: sub.amount, currency: order.currency },
        // Required; comes back in the notification and query: ties a sub-order to its combine order.
        attach: combineOutTradeNo,
        description: truncateUtf8(sub.description || order.description, 127),
      };
      // 商品单个人收款方平台昵称 (optional): the payee's name on our platform.
      if (order.payee?.displayName) wire.individual_name = truncateUtf8(order.payee.displayName, 64);
      return wire;
    }),
    time_expire: toRfc3339(order.expiresAt),
    notify_url: notifyUrl,
    trade_scenario: options.tradeScenario ?? 'RECOMMERCE',
  };
}

/**
 * How a gateway answer about a combine order contradicts what we stored: unknown sub-orders,
 * another amount, another payee (`individual_auth_id`) or mchid. `undefined` when consistent.
 * A contradiction is never applied: it means a forged, mixed-up or tampered message.
 */
export function combineMismatch(order: Order, reported: GatewaySubOrderState[]): string | undefined {
  const stored = order.subOrders ?? [];
  if (reported.length !== stored.length) return `gateway reports ${reported.length} sub-orders, order has ${stored.length}`;
  for (const fact of reported) {
    const sub = stored.find((candidate) => candidate.outTradeNo === fact.outTradeNo);
    if (!sub) return `sub-order ${fact.outTradeNo} is not part of ${order.outTradeNo}`;
    if (fact.mchid !== sub.mchid) return `sub-order ${fact.outTradeNo}: mchid ${fact.mchid}, expected ${sub.mchid}`;
    if (fact.amount !== sub.amount) return `sub-order ${fact.outTradeNo}: ${fact.amount} fen reported, ${sub.amount} fen recorded`;
    if (fact.individualAuthId !== undefined && fact.individualAuthId !== sub.individualAuthId) {
      return `sub-order ${fact.outTradeNo}: paid to another individual_auth_id`;
    }
  }
  return undefined;
}

/**
 * Gateway errors leave as channel-neutral `ChannelError`s, as in the jsapi channel; the order
 * service decides what they mean. Facts that contradict the stored order are AppError
 * GATEWAY_UNTRUSTED: they must never move it.
 */
export function createCombineChannel(deps: CombineChannelDeps): PaymentChannel {
  const { config, client } = deps;
  const now = deps.now ?? Date.now;


  // Gateway errors leave as channel-neutral ChannelErrors (`withV3Errors`).
  return withV3Errors({
    name: 'combine',

    async create(order) {
      const res = await combine.create(client, combineCreateBody(order, config.notifyUrl, deps.combine));
      return signPrepay(deps, order, prepayIdOf(res, 'combine order'));
    },

    async resign(order) {
      return resignPrepay(deps, order);
    },

    async query(order): Promise<GatewayPaymentState> {
      const combineOutTradeNo = combineOutTradeNoOf(order);
      // By the gateway's id once we hold it (the published recommended path), else by our number.
      let resource: Partial<CombineTransactionResource>;
      try {
        const answer = order.combineTransactionId ? combine.queryById(client, order.combineTransactionId) : combine.queryByOutTradeNo(client, combineOutTradeNo);
        resource = (await answer).data ?? {};
      } catch (error) {
        // The gateway's own "no such order" only; any other 404 tells nothing (gateway-errors.ts).
        if (isGatewayNotFound(error)) return { kind: 'NOT_FOUND' };
        throw error;
      }
      if (resource.combine_out_trade_no !== combineOutTradeNo || resource.combine_mchid !== order.mchid) {
        throw new AppError('GATEWAY_UNTRUSTED', `combine query answered about ${String(resource.combine_out_trade_no)}, asked ${combineOutTradeNo}`);
      }
      if (order.combineTransactionId && resource.combine_transaction_id !== order.combineTransactionId) {
        throw new AppError('GATEWAY_UNTRUSTED', `combine query answered about combine_transaction_id ${String(resource.combine_transaction_id)}, asked ${order.combineTransactionId}`);
      }
      // Authenticated, yet an answer about other sub-orders or amounts must not move this order.
      const mismatch = combineMismatch(order, subStates(resource));
      if (mismatch) throw new AppError('GATEWAY_UNTRUSTED', `combine query: ${mismatch}`);
      return combinePaymentStateOf(resource, now());
    },

    async close(order) {
      // 204 closed; 202 USERPAYING (个人收款 close page): the payer is paying, nothing was closed.
      return closeOutcomeOf(await combine.close(client, combineOutTradeNoOf(order), combineCloseBody(order)), 'combine close');
    },

    async refund(order: Order, _refund: Refund): Promise<GatewayRefundState> {
      throw new AppError('INVALID_STATE', `order ${order.outTradeNo}: refunds of individual-payee payments are not part of seed 000; refund in the merchant platform`);
    },

    async queryRefund(order: Order, _refund: Refund): Promise<GatewayRefundState> {
      throw new AppError('INVALID_STATE', `order ${order.outTradeNo}: refunds of individual-payee payments are not part of seed 000`);
    },

    async parseNotification(request: RawNotification): Promise<ChannelNotification> {
      // Same reader as every v3 channel: the shared notify URL may carry any of them.
      return parseV3Notification(request, deps);
    },
  });
}

/** Body of `POST …/close`: the sub-orders with the payee each was for (seed 000 §2.2.2.5). */
export function combineCloseBody(order: Order): combine.CloseRequest {
  return {
    combine_appid: order.appid,
    sub_orders: subOrdersOf(order).map((sub) => ({
      mchid: sub.mchid,
      out_trade_no: sub.outTradeNo,
      individual_auth_id: sub.individualAuthId,
      description: truncateUtf8(sub.description || order.description, 127),
    })),
  };
}

export function subStates(resource: { sub_orders?: CombineSubOrder[] }): GatewaySubOrderState[] {
  const subs = Array.isArray(resource.sub_orders) ? resource.sub_orders : [];
  return subs.map((s) => {
    const state: GatewaySubOrderState = { mchid: s.mchid, outTradeNo: s.out_trade_no, tradeState: s.trade_state, amount: s.amount?.total_amount };
    if (s.transaction_id) state.transactionId = s.transaction_id;
    if (typeof s.individual_auth_id === 'string') state.individualAuthId = s.individual_auth_id;
    return state;
  });
}

/** At most `maxBytes` of UTF-8 without splitting a character (description is string(127) bytes). */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}
