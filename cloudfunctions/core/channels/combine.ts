/**
 * Combine (合单) payments to individual payees — 平台收付通 个人收款, seed 000 §2.2.
 *
 * One combine order per purchase, one sub-order per payee (we send exactly one), each carrying
 * the payee's `individual_auth_id`. The prepay is pay-signed with the same appid the order was
 * created with (the seed: WeChat checks the calling mini-program's appid against it).
 *
 * Wire mapping only: which payee, which amount and whether the payee is authorized are decided
 * before an order exists (`core/payee/service.ts`), and every state change goes through the order
 * service's state machine.
 */
import type { KeyObject } from 'node:crypto';
import { AppError } from '../errors';
import type { Order, Refund, SubOrder } from '../orders/model';
import { gatewayAppError } from '../payee/gateway-errors';
import { WechatPayError } from '../wechatpay/errors';
import type { V3Client } from '../wechatpay/v3/client';
import type { Clock, NonceSource } from '../wechatpay/v3/nonce';
import { parseNotificationOrThrow } from '../wechatpay/v3/notification';
import type { CombineSubOrder, CombineTransactionResource } from '../wechatpay/v3/notification-types';
import { buildPayParams } from '../wechatpay/v3/paysign';
import type { Verifier } from '../wechatpay/v3/verifier';
import type {
  ChannelNotification,
  CreatedPayment,
  GatewayPaymentState,
  GatewayRefundState,
  GatewaySubOrderState,
  PaymentChannel,
  RawNotification,
} from './channel';

/** Seed 000 `trade_scenario`: TIP (打赏) or RECOMMERCE (二手电商). */
export type TradeScenario = 'TIP' | 'RECOMMERCE';

export interface CombineChannelConfig {
  /** Platform appid = `combine_appid`; also the pay-sign appid. */
  appid: string;
  /** Platform mchid = `combine_mchid` and each sub-order's `mchid`. */
  mchid: string;
  merchantPrivateKey: KeyObject | string;
  /** No query string (seed 000). */
  notifyUrl: string;
  apiV3Key: string | Buffer;
  /** Default TIP. */
  tradeScenario?: TradeScenario;
  /**
   * `scene_info.payer_client_ip` is required by the gateway; the order record does not carry the
   * payer's IP, so a platform-level value is sent (default 127.0.0.1).
   */
  payerClientIp?: string;
}

export interface CombineChannelDeps {
  config: CombineChannelConfig;
  client: Pick<V3Client, 'request'>;
  /** Platform keys by serial, for notifications (the client verifies responses with its own). */
  verifier: Verifier;
  now?: Clock;
  nonce?: NonceSource;
}

export const COMBINE_PATHS = {
  create: '/v3/combine-transactions/miniprogram',
  query: (combineOutTradeNo: string) => `/v3/combine-transactions/out-trade-no/${encodeURIComponent(combineOutTradeNo)}`,
  close: (combineOutTradeNo: string) => `/v3/combine-transactions/out-trade-no/${encodeURIComponent(combineOutTradeNo)}/close`,
} as const;

/** The seed's Java sample pairs RECOMMERCE with this sub-order `transfer_scene`. */
const TRANSFER_SCENE: Record<TradeScenario, string | undefined> = { RECOMMERCE: 'SECOND_HAND_ECOMMERCE', TIP: undefined };

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

/** The request body of `POST /v3/combine-transactions/miniprogram` (exported for tests and the sandbox's eyes). */
export function combineCreateBody(order: Order, config: CombineChannelConfig): Record<string, unknown> {
  const scenario = config.tradeScenario ?? 'TIP';
  const combineOutTradeNo = combineOutTradeNoOf(order);
  return {
    combine_appid: order.appid,
    combine_mchid: order.mchid,
    combine_out_trade_no: combineOutTradeNo,
    combine_payer_info: { openid: order.payerOpenid },
    scene_info: { payer_client_ip: config.payerClientIp ?? '127.0.0.1' },
    sub_orders: subOrdersOf(order).map((sub) => {
      const wire: Record<string, unknown> = {
        mchid: sub.mchid,
        individual_auth_id: sub.individualAuthId,
        out_trade_no: sub.outTradeNo,
        amount: { total_amount: sub.amount, currency: order.currency },
        // Comes back in the notification and query: ties a sub-order to its combine order.
        attach: combineOutTradeNo,
        description: truncateUtf8(sub.description || order.description, 127),
        settle_info: { profit_sharing: false, subsidy_amount: 0 },
      };
      const transferScene = TRANSFER_SCENE[scenario];
      if (transferScene) wire.transfer_scene = transferScene;
      return wire;
    }),
    time_start: rfc3339China(order.createdAt),
    time_expire: rfc3339China(order.expiresAt),
    notify_url: config.notifyUrl,
    trade_scenario: scenario,
  };
}

/**
 * What the gateway says about each sub-order, folded into one payment state. Throws
 * WechatPayError RESPONSE_MALFORMED for an answer that cannot be read as a fact.
 */
export function combineState(resource: { sub_orders?: CombineSubOrder[] }): GatewayPaymentState {
  const subs = Array.isArray(resource.sub_orders) ? resource.sub_orders : [];
  // Malformed facts are refused, never turned into a state: a broken answer must not fail a payment.
  if (subs.length === 0) throw new WechatPayError('RESPONSE_MALFORMED', 'combine answer without sub_orders');
  const subOrders = subStates(resource);
  const states = subs.map((s) => s.trade_state);
  // REFUND: paid, then (partly) refunded — still a paid combine order from the payer's side.
  if (states.every((t) => t === 'SUCCESS' || t === 'REFUND')) {
    const paidAt = Math.max(...subs.map((s) => Date.parse(s.success_time ?? '')));
    const transactionId = subs[0].transaction_id;
    if (!transactionId || !Number.isFinite(paidAt)) throw new WechatPayError('RESPONSE_MALFORMED', 'paid sub-order lacks transaction_id or success_time');
    const paidAmount = subs.reduce((sum, s) => sum + (s.amount?.total_amount ?? 0), 0);
    return { kind: 'PAID', transactionId, paidAt, paidAmount, subOrders };
  }
  if (states.some((t) => t === 'PAYERROR')) return { kind: 'FAILED', reason: 'PAYERROR' };
  if (states.some((t) => t === 'CLOSED' || t === 'REVOKED')) return { kind: 'CLOSED', reason: states.includes('REVOKED') ? 'REVOKED' : 'CLOSED' };
  return { kind: 'PENDING' };
}

/**
 * How a gateway answer about a combine order contradicts what we stored: unknown sub-orders,
 * another amount, another payee (`individual_auth_id`) or mchid. `undefined` when consistent.
 * A contradiction is never applied: it means a forged, mixed-up or tampered message.
 */
export function combineMismatch(order: Order, reported: GatewaySubOrderState[]): string | undefined {
  const stored = order.subOrders ?? [];
  if (reported.length !== stored.length) return `gateway reports ${reported.length} sub-orders, order has ${stored.length}`;
  for (const r of reported) {
    const sub = stored.find((s) => s.outTradeNo === r.outTradeNo);
    if (!sub) return `sub-order ${r.outTradeNo} is not part of ${order.outTradeNo}`;
    if (r.mchid !== sub.mchid) return `sub-order ${r.outTradeNo}: mchid ${r.mchid}, expected ${sub.mchid}`;
    if (r.amount !== sub.amount) return `sub-order ${r.outTradeNo}: ${r.amount} fen reported, ${sub.amount} fen recorded`;
    if (r.individualAuthId !== undefined && r.individualAuthId !== sub.individualAuthId) {
      return `sub-order ${r.outTradeNo}: paid to another individual_auth_id`;
    }
  }
  return undefined;
}

export function createCombineChannel(deps: CombineChannelDeps): PaymentChannel {
  const { config, client } = deps;
  const now = deps.now ?? Date.now;

  function sign(order: Order, prepayId: string): CreatedPayment {
    const payment = buildPayParams({ appId: order.appid, prepayId, privateKey: config.merchantPrivateKey }, { clock: now, nonce: deps.nonce });
    return { prepayId, payment };
  }

  return {
    name: 'combine',

    async create(order) {
      const body = combineCreateBody(order, config);
      let data: unknown;
      try {
        ({ data } = await client.request('POST', COMBINE_PATHS.create, body));
      } catch (error) {
        throw gatewayAppError(error, 'combine order');
      }
      const prepayId = (data as { prepay_id?: unknown } | undefined)?.prepay_id;
      if (typeof prepayId !== 'string' || prepayId.length === 0) throw new AppError('GATEWAY_REJECTED', 'combine order: answer without prepay_id');
      return sign(order, prepayId);
    },

    async resign(order) {
      if (!order.prepayId) throw new AppError('INVALID_STATE', `order ${order.outTradeNo} has no prepay to sign`);
      return sign(order, order.prepayId);
    },

    async query(order) {
      const combineOutTradeNo = combineOutTradeNoOf(order);
      let data: unknown;
      try {
        ({ data } = await client.request('GET', COMBINE_PATHS.query(combineOutTradeNo)));
      } catch (error) {
        if (error instanceof WechatPayError && (error.status === 404 || error.code === 'ORDER_NOT_EXIST')) return { kind: 'NOT_FOUND' };
        throw gatewayAppError(error, 'combine query');
      }
      const resource = (data ?? {}) as Partial<CombineTransactionResource>;
      if (resource.combine_out_trade_no !== combineOutTradeNo || resource.combine_mchid !== order.mchid) {
        throw new AppError('GATEWAY_UNTRUSTED', `combine query answered about ${String(resource.combine_out_trade_no)}, asked ${combineOutTradeNo}`);
      }
      // The query is authenticated, but an answer about other sub-orders must not move this order.
      const mismatch = combineMismatch(order, subStates(resource));
      if (mismatch) throw new AppError('GATEWAY_UNTRUSTED', `combine query: ${mismatch}`);
      try {
        return combineState(resource);
      } catch (error) {
        throw gatewayAppError(error, 'combine query');
      }
    },

    async close(order) {
      const body = {
        combine_appid: order.appid,
        sub_orders: subOrdersOf(order).map((sub) => ({
          mchid: sub.mchid,
          out_trade_no: sub.outTradeNo,
          individual_auth_id: sub.individualAuthId,
          description: truncateUtf8(sub.description || order.description, 127),
        })),
      };
      try {
        await client.request('POST', COMBINE_PATHS.close(combineOutTradeNoOf(order)), body);
      } catch (error) {
        throw gatewayAppError(error, 'combine close');
      }
    },

    async refund(order: Order, _refund: Refund): Promise<GatewayRefundState> {
      throw new AppError('INVALID_STATE', `order ${order.outTradeNo}: refunds of individual-payee payments are not part of seed 000; refund it in the merchant platform`);
    },

    async queryRefund(order: Order, _refund: Refund): Promise<GatewayRefundState> {
      throw new AppError('INVALID_STATE', `order ${order.outTradeNo}: refunds of individual-payee payments are not part of seed 000`);
    },

    async parseNotification(request: RawNotification): Promise<ChannelNotification> {
      // Throws WechatPayError with a stable code for anything untrusted; payNotify turns it into the reply.
      const notification = parseNotificationOrThrow(
        { headers: request.headers, body: request.body },
        { verifier: deps.verifier, apiV3Key: config.apiV3Key, clock: now },
      );
      if (notification.kind !== 'combine_transaction') {
        return { kind: 'ignored', notificationId: notification.id, eventType: notification.event_type };
      }
      const resource = notification.resource;
      return {
        kind: 'payment',
        notificationId: notification.id,
        outTradeNo: resource.combine_out_trade_no,
        appid: resource.combine_appid,
        mchid: resource.combine_mchid,
        state: combineState(resource),
      };
    },
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

/** RFC 3339 in China Standard Time, as WeChat Pay writes times (`2018-06-08T10:34:56+08:00`). */
export function rfc3339China(ms: number): string {
  const shifted = new Date(ms + 8 * 3600_000).toISOString(); // UTC fields now read as +08:00 wall time
  return `${shifted.slice(0, 19)}+08:00`;
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
