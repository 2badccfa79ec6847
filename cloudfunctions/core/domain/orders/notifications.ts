/**
 * A verified payment or refund notification applied to the order it is about (`payNotify` has
 * verified and decrypted it; `domain/notifications.ts` routed it here). Checks it against the
 * stored order, applies it once, records its id, and says what the endpoint should answer.
 */
import type { ChannelNotification } from '../../channels/port';
import { crashPoint } from '../../kernel/platform/crash-point';
import type { NotificationReceipt, Store } from '../../store/port';
import type { NotificationOutcome, OrderNotification } from '../notifications';
import type { GatewaySync } from './gateway-sync';
import type { AppliedOutcome } from './order-ledger';
import { payeeMismatch, paymentEvent } from './payment-facts';
import type { RefundFlow } from './refund-flow';

export interface NotificationDeps {
  store: Store;
  sync: Pick<GatewaySync, 'applyPayment'>;
  refunds: Pick<RefundFlow, 'settle' | 'raiseAlert'>;
  now: () => number;
  log: (line: string, detail?: Record<string, unknown>) => void;
}

type RejectedStatus = 400 | 404 | 409 | 500;

export function createNotificationApplier(deps: NotificationDeps) {
  const { store, sync, refunds, now, log } = deps;

  /** The order's verdict on a payment notification, or the answer that refuses it. */
  async function applyPaymentNotification(event: Extract<ChannelNotification, { kind: 'payment' }>, reject: (status: RejectedStatus, code: string, message: string) => NotificationOutcome): Promise<AppliedOutcome | NotificationOutcome> {
    const order = (await store.getOrder(event.outTradeNo)) ?? (await store.getOrderByCombineOutTradeNo(event.outTradeNo));
    if (!order) return reject(404, 'ORDER_NOT_FOUND', `no order ${event.outTradeNo}`);
    if (event.mchid !== order.mchid) return reject(400, 'MCHID_MISMATCH', `mchid ${event.mchid} is not the order's`);
    if (event.appid !== order.appid) return reject(400, 'APPID_MISMATCH', `appid ${event.appid} is not the order's`);
    const mismatch = payeeMismatch(order, event.state);
    if (mismatch) return reject(400, 'PAYEE_MISMATCH', mismatch);
    const orderEvent = paymentEvent(event.state);
    if (!orderEvent) return reject(400, 'NOT_A_RESULT', `notification for ${event.outTradeNo} carries no final state`);
    // The order just read is the first compare-and-set attempt; the notification's id is written
    // in the same commit as the change it causes (one commit, and never one without the other).
    return sync.applyPayment(order, orderEvent, 'notify', { id: event.notificationId, receipt: receiptOf(event) });
  }

  /** The order's verdict on a refund notification, or the answer that refuses it. */
  async function applyRefundNotification(event: Extract<ChannelNotification, { kind: 'refund' }>, reject: (status: RejectedStatus, code: string, message: string) => NotificationOutcome): Promise<AppliedOutcome | NotificationOutcome | undefined> {
    const refund = await store.getRefund(event.refund.outRefundNo);
    if (!refund) return reject(404, 'REFUND_NOT_FOUND', `no refund ${event.refund.outRefundNo}`);
    const order = await store.getOrder(refund.outTradeNo);
    if (!order) return reject(404, 'ORDER_NOT_FOUND', `no order ${refund.outTradeNo}`);
    if (event.mchid !== order.mchid) return reject(400, 'MCHID_MISMATCH', `mchid ${event.mchid} is not the order's`);
    if (event.refund.amount !== refund.amount) return reject(400, 'AMOUNT_MISMATCH', `refund ${refund.outRefundNo}: ${event.refund.amount} fen reported, ${refund.amount} started`);
    return refunds.settle(order, refund, event.refund, 'notify');
  }

  async function applyNotification(event: OrderNotification): Promise<NotificationOutcome> {
    const reject = (status: RejectedStatus, code: string, message: string): NotificationOutcome => {
      log(`notification ${event.notificationId} rejected: ${code} ${message}`);
      return { status, result: 'rejected', code, message };
    };
    if (event.kind === 'ignored') {
      await store.recordNotification(event.notificationId, { eventType: event.eventType, receivedAt: now() });
      return { status: 204, result: 'ignored' };
    }
    const verdict = event.kind === 'payment' ? await applyPaymentNotification(event, reject) : await applyRefundNotification(event, reject);
    if (verdict && 'status' in verdict) return verdict;
    const outcome = verdict;
    if (outcome?.outcome === 'rejected') {
      if (event.kind === 'payment' && event.state.kind === 'PAID') {
        // Money reported for an order we cannot mark paid: someone must look (refund or fix).
        await refunds.raiseAlert({
          kind: 'PAYMENT_NOT_APPLIED',
          outTradeNo: outcome.order.outTradeNo,
          transactionId: event.state.transactionId,
          ...(event.state.paidAmount > 0 && Number.isSafeInteger(event.state.paidAmount) ? { amount: event.state.paidAmount } : {}),
          message: `verified payment ${event.state.transactionId} for ${outcome.order.outTradeNo} was not recorded (${outcome.rejected}: ${outcome.message}); check it in the merchant platform and refund it there if it is not owed.`,
        });
      }
      const status = outcome.rejected === 'AMOUNT_MISMATCH' || outcome.rejected === 'INVALID_EVENT' || outcome.rejected === 'UNKNOWN_SUB_ORDER' ? 400 : 409;
      return reject(status, outcome.rejected, outcome.message);
    }
    if (event.kind === 'payment' && event.state.kind === 'PAID' && event.state.settlement?.booking === 'FAILED' && outcome) {
      // The money was taken but not booked to the merchant's account (入账失败): a person must act.
      await refunds.raiseAlert({
        kind: 'BOOKING_FAILED',
        outTradeNo: outcome.order.outTradeNo,
        transactionId: event.state.transactionId,
        amount: event.state.paidAmount,
        message: `payment ${event.state.transactionId} for ${outcome.order.outTradeNo} was taken but the gateway could not book it to the merchant account; check it with the gateway (Huifu 控台) before refunding or settling it.`,
      });
    }
    crashPoint('notify:after-apply');
    if (outcome?.outcome === 'applied' && outcome.notificationRecorded) return { status: 204, result: 'applied' };
    // Nothing written with the id (a duplicate, a refund, a late payment): recorded after the
    // fact. A crash in between leaves the id unrecorded, so the gateway's retry still gets
    // through (the CAS, not this record, makes it exactly-once).
    const first = await store.recordNotification(event.notificationId, receiptOf(event));
    return { status: 204, result: outcome?.outcome === 'applied' && first ? 'applied' : 'duplicate' };
  }

  function receiptOf(event: Exclude<OrderNotification, { kind: 'ignored' }>): NotificationReceipt {
    return { eventType: event.kind, receivedAt: now(), outTradeNo: event.outTradeNo };
  }

  return { applyNotification };
}
