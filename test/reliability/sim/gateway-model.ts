/**
 * An in-process model of the WeChat Pay v3 gateway for the simulation, on the simulated clock:
 * orders (NOTPAY → SUCCESS | CLOSED), the payer in the cashier (a close answers 202
 * USER_PAYING), refunds (PROCESSING → SUCCESS | ABNORMAL | CLOSED, one number refunded once),
 * notifications waiting to be delivered, and faults: an answer lost before the gateway acted
 * (500) or after (a timeout — the gateway did it, we never heard). It answers as the v3 gateway
 * does (WechatPayError codes), and the channel wraps it in the v3 family's own error translation
 * (`withV3Errors`), so the domain sees exactly what it would see in production.
 */
import type { ChannelNotification, CloseOutcome, CreatedPayment, GatewayPaymentState, GatewayRefundState, PaymentChannel } from '../../../cloudfunctions/core/channels/port';
import { withV3Errors } from '../../../cloudfunctions/core/channels/wechatpay-v3/errors';
import type { Order, Refund } from '../../../cloudfunctions/core/domain/orders/model';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import type { Rng } from './rng';

export interface GwRefund {
  outRefundNo: string;
  amount: number;
  state: GatewayRefundState['state'];
  refundId: string;
}

export interface GwOrder {
  outTradeNo: string;
  amount: number;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  inCashier: boolean;
  transactionId?: string;
  paidAt?: number;
  refunds: Map<string, GwRefund>;
}

export class GatewayModel {
  readonly orders = new Map<string, GwOrder>();
  /** Notifications sent and not yet delivered (the scheduler delivers, repeats, drops, reorders). */
  readonly outbox: ChannelNotification[] = [];
  faultRate = 0;
  private seq = 0;

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number,
    readonly ids: { appid: string; mchid: string },
  ) {}

  /** Money the gateway took for an order. */
  taken(no: string): number {
    const o = this.orders.get(no);
    return o?.state === 'SUCCESS' ? o.amount : 0;
  }
  /** Money the gateway gave back (SUCCESS) and has promised (PROCESSING / ABNORMAL). */
  refunded(no: string, states: ReadonlyArray<GwRefund['state']> = ['SUCCESS']): number {
    return [...(this.orders.get(no)?.refunds.values() ?? [])].filter((r) => states.includes(r.state)).reduce((s, r) => s + r.amount, 0);
  }

  // ---- the payer and the gateway's own progress

  payerOpens(no: string): void {
    const o = this.orders.get(no);
    if (o?.state === 'NOTPAY') o.inCashier = true;
  }
  payerLeaves(no: string): void {
    const o = this.orders.get(no);
    if (o) o.inCashier = false;
  }
  /** The payer pays; `late`: the money lands although the order was closed a moment earlier (the sandbox's late payment). */
  payerPays(no: string, late = false): boolean {
    const o = this.orders.get(no);
    if (!o || o.state === 'SUCCESS' || (o.state === 'CLOSED' && !late)) return false;
    o.state = 'SUCCESS';
    o.inCashier = false;
    o.transactionId = `4200${String(++this.seq).padStart(10, '0')}`;
    o.paidAt = this.now();
    this.outbox.push(this.paymentNotice(o));
    return true;
  }
  /** Moves one PROCESSING refund on; an ABNORMAL one is re-routed by a person and succeeds. */
  progressRefund(no: string, outRefundNo: string, to: GwRefund['state']): void {
    const r = this.orders.get(no)?.refunds.get(outRefundNo);
    if (!r || r.state === 'SUCCESS' || r.state === 'CLOSED') return;
    r.state = to;
    this.outbox.push({ kind: 'refund', notificationId: `N${++this.seq}`, outTradeNo: no, mchid: this.ids.mchid, refund: { outRefundNo, refundId: r.refundId, state: to, amount: r.amount } });
  }
  pendingRefunds(): Array<{ no: string; refund: GwRefund }> {
    return [...this.orders.values()].flatMap((o) => [...o.refunds.values()].filter((r) => r.state === 'PROCESSING' || r.state === 'ABNORMAL').map((refund) => ({ no: o.outTradeNo, refund })));
  }

  paymentNotice(o: GwOrder): ChannelNotification {
    return { kind: 'payment', notificationId: `N${++this.seq}`, outTradeNo: o.outTradeNo, appid: this.ids.appid, mchid: this.ids.mchid, state: this.stateOf(o) };
  }

  stateOf(o: GwOrder): GatewayPaymentState {
    if (o.state === 'SUCCESS') return { kind: 'PAID', transactionId: o.transactionId!, paidAt: o.paidAt!, paidAmount: o.amount };
    if (o.state === 'CLOSED') return { kind: 'CLOSED', reason: 'CLOSED 已关闭' };
    return { kind: 'PENDING' };
  }

  // ---- the API, as the channel calls it

  /** Before: a 500 (nothing done). After: the gateway did it and the answer was lost (a timeout). */
  private async call<T>(act: () => T): Promise<T> {
    if (this.rng.chance(this.faultRate)) throw new WechatPayError('SYSTEM_ERROR', '系统错误', { status: 500 });
    const result = act();
    if (this.rng.chance(this.faultRate)) throw new WechatPayError('TIMEOUT', 'no answer in time', { status: 0 });
    return result;
  }

  channel(): PaymentChannel {
    const gw = this;
    const prepay = (order: Order): CreatedPayment => ({
      prepayId: `wx_prepay_${order.outTradeNo}`,
      payment: { kind: 'miniprogram', timeStamp: '1', nonceStr: 'n', package: `prepay_id=wx_prepay_${order.outTradeNo}`, signType: 'RSA', paySign: 'sim' },
    });
    const raw: PaymentChannel = {
      name: 'jsapi',
      create: (order) =>
        gw.call(() => {
          const existing = gw.orders.get(order.outTradeNo);
          // 下单 is idempotent on out_trade_no with the same body; a different amount is refused.
          if (existing && existing.amount !== order.amount) throw new WechatPayError('PARAM_ERROR', 'out_trade_no 重复', { status: 400 });
          if (!existing) gw.orders.set(order.outTradeNo, { outTradeNo: order.outTradeNo, amount: order.amount, state: 'NOTPAY', inCashier: false, refunds: new Map() });
          return prepay(order);
        }),
      resign: async (order) => prepay(order),
      query: (order) =>
        gw.call(() => {
          const o = gw.orders.get(order.outTradeNo);
          if (!o) throw new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 });
          return gw.stateOf(o);
        }),
      close: (order) =>
        gw.call((): CloseOutcome => {
          const o = gw.orders.get(order.outTradeNo);
          if (!o) throw new WechatPayError('ORDER_NOT_EXIST', '订单不存在', { status: 404 });
          if (o.state === 'SUCCESS') throw new WechatPayError('ORDERPAID', '订单已支付', { status: 400 });
          if (o.state === 'CLOSED') throw new WechatPayError('ORDER_CLOSED', '订单已关闭', { status: 400 });
          if (o.inCashier) return { kind: 'payerPaying', code: 'USER_PAYING', message: '用户支付中' };
          o.state = 'CLOSED';
          return { kind: 'closed' };
        }),
      refund: (order: Order, refund: Refund) =>
        gw.call((): GatewayRefundState => {
          const o = gw.orders.get(order.outTradeNo);
          if (!o || o.state !== 'SUCCESS') throw new WechatPayError('RESOURCE_NOT_EXISTS', '订单不存在', { status: 404 });
          const known = o.refunds.get(refund.outRefundNo);
          if (known) return { outRefundNo: known.outRefundNo, refundId: known.refundId, state: known.state, amount: known.amount };
          if (refund.amount > o.amount - gw.refunded(o.outTradeNo, ['SUCCESS', 'PROCESSING', 'ABNORMAL'])) throw new WechatPayError('INVALID_REQUEST', '退款金额超过可退金额', { status: 400 });
          const r: GwRefund = { outRefundNo: refund.outRefundNo, amount: refund.amount, state: 'PROCESSING', refundId: `5030${++gw.seq}` };
          o.refunds.set(r.outRefundNo, r);
          return { outRefundNo: r.outRefundNo, refundId: r.refundId, state: r.state, amount: r.amount };
        }),
      queryRefund: (order: Order, refund: Refund) =>
        gw.call((): GatewayRefundState => {
          const r = gw.orders.get(order.outTradeNo)?.refunds.get(refund.outRefundNo);
          if (!r) throw new WechatPayError('RESOURCE_NOT_EXISTS', '退款单不存在', { status: 404 });
          return { outRefundNo: r.outRefundNo, refundId: r.refundId, state: r.state, amount: r.amount };
        }),
      parseNotification: async () => {
        throw new Error('the simulation hands verified notifications to the service directly');
      },
    };
    return withV3Errors(raw);
  }
}
