/**
 * Refunds, from the admin's request (or an automatic refund) to a final state at the gateway.
 *
 * Rules (published: 申请退款 https://pay.weixin.qq.com/doc/v3/merchant/4012587971, 查询单笔退款
 * https://pay.weixin.qq.com/doc/v3/merchant/4013071041, error tables in wechatpay-go
 * services/refunddomestic/api_refunds.go):
 * - a refund's `out_refund_no` is fixed before anything is sent and never changes; a refund whose
 *   request got no answer, or whose query answers RESOURCE_NOT_EXISTS, is re-sent with the same
 *   number and the same body (built only from the stored order and refund) until the gateway
 *   has it — the gateway refunds one number once;
 * - only a refusal the channel calls final (`refundNotTaken`; v3: PARAM_ERROR, INVALID_REQUEST,
 *   NO_AUTH, USER_ACCOUNT_ABNORMAL, MCH_NOT_EXISTS, RESOURCE_NOT_EXISTS on create) writes a
 *   refund off; `balanceInsufficient` (v3 403 NOT_ENOUGH) keeps it pending (top up, re-send the
 *   same number); anything else (timeouts, 5xx, 429, a proxy's 404, our signature refused)
 *   leaves it PROCESSING for `reconcile`, which queries it and re-sends it when the gateway does
 *   not know it (`notFound`);
 * - ABNORMAL (the payer's card was cancelled or frozen) needs a person: the money stays reserved,
 *   an alert says what to do, and `reconcile` keeps asking until the gateway reports SUCCESS or
 *   CLOSED; CLOSED gives the money back to what can be refunded, with an alert.
 *
 * Every step is a transition + compare-and-set (`apply`) or an idempotent insert, so a retried
 * call, a duplicate notification and a reconcile run racing each other send one refund.
 */
import type { GatewayRefundState, PaymentChannel } from '../../channels/port';
import { isChannelError, toChannelAppError } from '../../channels/port';
import type { ChannelRegistry } from '../../channels/registry';
import { AppError, isAppError } from '../../kernel/errors';
import { crashPoint } from '../../kernel/platform/crash-point';
import type { Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import { newAlertRecord, type NewAlertInput } from './alerts';
import type { AuditActor, Order, Refund } from './model';
import { OPEN_REFUND_STATES, newRefundRecord, refundableAmount } from './model';
import { latePaymentRefundNumber, refundNumberForKey } from './refund-numbers';
import { applyRefundUpdate } from '../ledger';
import type { RefundUpdate } from './refund-rules';
import type { AppliedOutcome, ApplyOrderEvent } from './order-ledger';
import type { SubOrderUpdate } from './state-machine';

export type { AppliedOutcome };

export interface RefundFlowDeps {
  store: Store;
  channels: ChannelRegistry;
  now: () => number;
  log: (line: string, detail?: Record<string, unknown>) => void;
  /** The order service's transition + compare-and-set, re-reading on a lost race. */
  apply: ApplyOrderEvent;
  /** Lost refund-record compare-and-sets tolerated before giving up. */
  casAttempts: number;
}

/** A payment fact the gateway verified, for an order we had closed. */
export interface LatePayment {
  transactionId: string;
  paidAt: number;
  paidAmount: number;
  subOrders?: SubOrderUpdate[];
}

export interface RefundReconcileCounts {
  checked: number;
  /** Refund results recorded. */
  refunds: number;
  /** Refunds re-sent because the gateway did not know them. */
  resent: number;
  errors: number;
}

/** Sent as the refund's `reason` (≤ 80 bytes; shown to the payer) for an automatic refund. */
export const LATE_PAYMENT_REFUND_REASON = '订单已关闭，款项原路退回';

/** How one attempt to put a refund at the gateway ended. */
type Delivery =
  | { kind: 'settled'; state: GatewayRefundState['state'] }
  /** No answer we can act on: the gateway may or may not have it. Still PROCESSING. */
  | { kind: 'unknown'; error: AppError }
  /** The merchant's refundable balance is short: not taken; the same number is re-sent later. Still PROCESSING. */
  | { kind: 'insufficient'; error: AppError }
  /** A final refusal: written off (CLOSED) without ever being taken. */
  | { kind: 'refused'; error: AppError };

const fen = (amount: number) => `${amount} fen`;

export function createRefundFlow(deps: RefundFlowDeps) {
  const { store, channels, now, log, apply } = deps;

  async function raiseAlert(input: NewAlertInput): Promise<void> {
    try {
      const recorded = await store.insertAlert(newAlertRecord(input, now()));
      if (recorded) log(`ALERT ${input.kind} ${input.outTradeNo}: ${input.message}`);
    } catch (error) {
      // An alert is a signal about a fact already recorded elsewhere: losing it must not undo the fact.
      log(`alert ${input.kind} for ${input.outTradeNo} not recorded: ${(error as Error).message}`);
    }
  }

  /** The refund record's own state through the ledger loop (compare-and-set, re-read on a lost race). */
  async function updateRefundRecord(refund: Refund, update: RefundUpdate): Promise<Refund> {
    let outcome;
    try {
      outcome = await applyRefundUpdate(store, refund, update, { now, maxAttempts: deps.casAttempts });
    } catch (error) {
      if (isStoreError(error, 'CONTENDED')) throw new AppError('INTERNAL', `refund ${refund.outRefundNo} kept changing; try again`, true);
      throw error;
    }
    return outcome.kind === 'notFound' ? refund : outcome.record;
  }

  /** Records a gateway refund fact on the refund record and the order's ledger, with an alert when a person must act. */
  async function settle(order: Order, refund: Refund, state: GatewayRefundState, actor: AuditActor): Promise<AppliedOutcome | undefined> {
    await updateRefundRecord(refund, { state: state.state, ...(state.refundId ? { refundId: state.refundId } : {}) });
    const base = { outTradeNo: order.outTradeNo, outRefundNo: refund.outRefundNo, amount: refund.amount };
    switch (state.state) {
      case 'SUCCESS':
        return apply(order.outTradeNo, { type: 'REFUND_SUCCEEDED', outRefundNo: refund.outRefundNo, amount: state.amount }, actor);
      case 'ABNORMAL':
        await raiseAlert({
          ...base,
          kind: 'REFUND_ABNORMAL',
          message:
            `refund ${refund.outRefundNo} of ${fen(refund.amount)} is ABNORMAL: the gateway could not return the money to the payer (e.g. a cancelled or frozen card). ` +
            'Handle it in the merchant platform (交易中心) or with the 发起异常退款 API; the amount stays reserved and reconcile records the outcome.',
        });
        return apply(order.outTradeNo, { type: 'REFUND_ABNORMAL', outRefundNo: refund.outRefundNo }, actor);
      case 'CLOSED':
        await raiseAlert({
          ...base,
          kind: 'REFUND_CLOSED',
          message: `refund ${refund.outRefundNo} of ${fen(refund.amount)} was closed by the gateway: the money stayed with the merchant. Refund again (pay.refund with a new idempotencyKey) if it is still owed.`,
        });
        return apply(order.outTradeNo, { type: 'REFUND_FAILED', outRefundNo: refund.outRefundNo }, actor);
      case 'PROCESSING':
        return undefined;
    }
  }

  /** A refund the gateway never took: CLOSED here, the amount refundable again, an alert. */
  async function writeOff(order: Order, refund: Refund, failure: string, actor: AuditActor): Promise<void> {
    await updateRefundRecord(refund, { state: 'CLOSED', failure });
    await apply(order.outTradeNo, { type: 'REFUND_FAILED', outRefundNo: refund.outRefundNo }, actor);
    await raiseAlert({
      kind: 'REFUND_REJECTED',
      outTradeNo: order.outTradeNo,
      outRefundNo: refund.outRefundNo,
      amount: refund.amount,
      message: `refund ${refund.outRefundNo} of ${fen(refund.amount)} was refused and closed (${failure}): the money stayed with the merchant; refund it another way or again once the cause is fixed.`,
    });
  }

  function checkAnswer(refund: Refund, state: GatewayRefundState): void {
    if (state.amount !== refund.amount || state.outRefundNo !== refund.outRefundNo) {
      throw new AppError('GATEWAY_UNTRUSTED', `refund answer (${state.outRefundNo}, ${fen(state.amount)}) does not match ${refund.outRefundNo} (${fen(refund.amount)})`);
    }
  }

  /** POSTs the refund (the same body every time) and records what the answer means. */
  async function send(order: Order, refund: Refund, actor: AuditActor): Promise<Delivery> {
    let channel: PaymentChannel;
    let state: GatewayRefundState;
    try {
      channel = channels.get(order.channel);
      state = await channel.refund(order, refund);
      crashPoint('pay.refund:after-gateway');
    } catch (error) {
      if (isChannelError(error, 'balanceInsufficient')) {
        await raiseAlert({
          kind: 'REFUND_BALANCE_INSUFFICIENT',
          outTradeNo: order.outTradeNo,
          outRefundNo: refund.outRefundNo,
          amount: refund.amount,
          message: `refund ${refund.outRefundNo} of ${fen(refund.amount)} waits: the merchant account's balance available for refunds is too low (${error.reason}). Top it up; reconcile re-sends the same refund.`,
        });
        return {
          kind: 'insufficient',
          error: new AppError('REFUND_BALANCE_INSUFFICIENT', `refund ${refund.outRefundNo}: the merchant account's balance available for refunds is too low (${error.reason}); top it up — the refund keeps its number and is re-sent automatically`, true),
        };
      }
      if (isChannelError(error, 'refundNotTaken')) {
        await writeOff(order, refund, error.reason, actor);
        return { kind: 'refused', error: toChannelAppError(error, 'refund') };
      }
      // A channel that cannot refund at all (e.g. combine payments, refunded in the merchant platform).
      if (isAppError(error) && (error.code === 'INVALID_STATE' || error.code === 'INVALID_ARGUMENT')) {
        await writeOff(order, refund, error.message, actor);
        return { kind: 'refused', error };
      }
      const appError = toChannelAppError(error, 'refund');
      log(`refund ${refund.outRefundNo} not confirmed (${appError.code}); it keeps its number and is re-sent if the gateway does not have it`);
      return { kind: 'unknown', error: appError };
    }
    try {
      checkAnswer(refund, state);
    } catch (error) {
      return { kind: 'unknown', error: error as AppError };
    }
    await settle(order, refund, state, actor);
    return { kind: 'settled', state: state.state };
  }

  /**
   * Asks the gateway about a refund and records the answer; re-sends it (same number, same body)
   * when the gateway does not know it. `resent` says whether it was sent again.
   */
  async function drive(order: Order, refund: Refund, actor: AuditActor): Promise<{ delivery: Delivery; resent: boolean; applied: boolean }> {
    let state: GatewayRefundState;
    try {
      state = await channels.get(order.channel).queryRefund(order, refund);
    } catch (error) {
      // Only the gateway's own "no such refund", never a bare 404 (a proxy's page says nothing about it).
      if (isChannelError(error, 'notFound') && refund.state === 'PROCESSING') {
        log(`refund ${refund.outRefundNo} unknown at the gateway: re-sending it under the same number`);
        return { delivery: await send(order, refund, actor), resent: true, applied: false };
      }
      return { delivery: { kind: 'unknown', error: toChannelAppError(error, 'query refund') }, resent: false, applied: false };
    }
    checkAnswer(refund, state);
    const result = await settle(order, refund, state, actor);
    return { delivery: { kind: 'settled', state: state.state }, resent: false, applied: result?.outcome === 'applied' };
  }

  /** Puts the refund on the order's ledger (idempotent); writes it off if there is no room left. */
  async function start(order: Order, refund: Refund, actor: AuditActor): Promise<Order> {
    const started = await apply(order.outTradeNo, { type: 'REFUND_STARTED', outRefundNo: refund.outRefundNo, amount: refund.amount }, actor);
    if (started.outcome !== 'rejected') return started.order;
    // Never sent: closing it here cannot lose money.
    await updateRefundRecord(refund, { state: 'CLOSED', failure: `not started: ${started.rejected}` });
    throw new AppError(started.rejected === 'REFUND_EXCEEDS_PAID' ? 'REFUND_EXCEEDS_PAID' : 'INVALID_STATE', started.message);
  }

  /** The refund record for this number: the one inserted now, or the one a concurrent or earlier call inserted. */
  async function insertOrGet(refund: Refund): Promise<{ refund: Refund; created: boolean }> {
    try {
      await store.insertRefund(refund);
      return { refund, created: true };
    } catch (error) {
      if (!isStoreError(error, 'DUPLICATE')) throw error;
      const existing = await store.getRefund(refund.outRefundNo);
      if (!existing) throw error;
      return { refund: existing, created: false };
    }
  }

  /** What an admin's call answers, or the error it fails with, for where the refund ended up. */
  async function answer(outTradeNo: string, outRefundNo: string, delivery: Delivery): Promise<{ order: Order; refund: Refund }> {
    if (delivery.kind !== 'settled') {
      if (delivery.kind === 'unknown') {
        throw new AppError(delivery.error.code, `${delivery.error.message}; refund ${outRefundNo} keeps its number: retry with the same idempotencyKey, or reconcile re-sends it`, delivery.error.retryable);
      }
      throw delivery.error;
    }
    const [order, refund] = await Promise.all([store.getOrder(outTradeNo), store.getRefund(outRefundNo)]);
    if (!order || !refund) throw new AppError('INTERNAL', `refund ${outRefundNo} vanished`);
    return { order, refund };
  }

  return {
    raiseAlert,
    settle,

    /** `pay.refund` (the caller is an admin): one refund per (order, idempotencyKey), however often it is asked. */
    async refundByAdmin(request: { outTradeNo: string; amount: number; reason?: string; idempotencyKey: string }): Promise<{ order: Order; refund: Refund }> {
      const order = await store.getOrder(request.outTradeNo);
      if (!order) throw new AppError('NOT_FOUND', `no order ${request.outTradeNo}`);
      const outRefundNo = refundNumberForKey(order.outTradeNo, request.idempotencyKey);
      let refund = await store.getRefund(outRefundNo);
      let created = false;
      if (!refund) {
        if (order.state !== 'PAID' && order.state !== 'REFUNDING') throw new AppError('INVALID_STATE', `a ${order.state} order cannot be refunded`);
        const left = refundableAmount(order);
        if (request.amount > left) throw new AppError('REFUND_EXCEEDS_PAID', `refund of ${fen(request.amount)} exceeds the ${fen(left)} left`);
        ({ refund, created } = await insertOrGet(
          newRefundRecord({ outRefundNo, outTradeNo: order.outTradeNo, amount: request.amount, ...(request.reason ? { reason: request.reason } : {}) }, now()),
        ));
      }
      if (refund.outTradeNo !== order.outTradeNo || refund.amount !== request.amount) {
        throw new AppError('INVALID_ARGUMENT', 'idempotencyKey was already used for a different refund');
      }
      if (!created && refund.state !== 'PROCESSING') return answer(order.outTradeNo, outRefundNo, { kind: 'settled', state: refund.state });
      const started = await start(order, refund, 'admin');
      crashPoint('pay.refund:after-start');
      // A retried call does not know whether the first attempt reached the gateway: ask first.
      const delivery = created ? await send(started, refund, 'admin') : (await drive(started, refund, 'admin')).delivery;
      const answered = await answer(order.outTradeNo, outRefundNo, delivery);
      crashPoint('pay.refund:after-store');
      return answered;
    },

    /**
     * A verified payment for an order we had closed: record it (the audit shows it), start the
     * automatic refund of the whole payment under a number derived from the payment, raise an
     * alert, then try to send it (reconcile re-sends it if this attempt does not get through).
     * Idempotent: a duplicate notification finds every step already done and sends nothing.
     */
    async settleLatePayment(order: Order, paid: LatePayment, actor: AuditActor): Promise<AppliedOutcome> {
      const { transactionId, paidAt, paidAmount, subOrders } = paid;
      const recorded = await apply(order.outTradeNo, { type: 'PAID_AFTER_CLOSE', transactionId, paidAt, paidAmount, ...(subOrders ? { subOrders } : {}) }, actor);
      if (recorded.outcome === 'rejected') return recorded;
      const outRefundNo = latePaymentRefundNumber(order.outTradeNo, paid.transactionId);
      const { refund } = await insertOrGet(
        newRefundRecord({ outRefundNo, outTradeNo: order.outTradeNo, amount: paid.paidAmount, reason: LATE_PAYMENT_REFUND_REASON }, now()),
      );
      const started = await apply(order.outTradeNo, { type: 'REFUND_STARTED', outRefundNo, amount: refund.amount }, actor);
      if (started.outcome === 'rejected') return started;
      await raiseAlert({
        kind: 'PAID_AFTER_CLOSE',
        outTradeNo: order.outTradeNo,
        transactionId: paid.transactionId,
        outRefundNo,
        amount: paid.paidAmount,
        message: `payment ${paid.transactionId} of ${fen(paid.paidAmount)} arrived after order ${order.outTradeNo} was closed; refund ${outRefundNo} of the whole payment was started automatically.`,
      });
      if (started.outcome === 'applied') {
        const delivery = await send(started.order, refund, actor).catch((error: unknown) => {
          log(`automatic refund ${outRefundNo}: ${(error as Error).message}; reconcile re-sends it`);
          return undefined;
        });
        if (delivery && delivery.kind !== 'settled') log(`automatic refund ${outRefundNo} not confirmed yet (${delivery.kind}); reconcile follows it up`);
      }
      const latest = (await store.getOrder(order.outTradeNo)) ?? started.order;
      return { outcome: recorded.outcome === 'applied' || started.outcome === 'applied' ? 'applied' : 'alreadyApplied', order: latest };
    },

    /**
     * Drives every open refund (PROCESSING, ABNORMAL) of stale REFUNDING orders one step towards
     * a final state: query, record, re-send when unknown. At most `limit` orders a run.
     */
    async reconcile(query: { olderThan: number; limit: number }, counts: RefundReconcileCounts): Promise<void> {
      const refunding = await store.listOrdersInState('REFUNDING', query);
      for (const order of refunding) {
        for (const entry of order.refunds.filter((r) => OPEN_REFUND_STATES.has(r.state))) {
          counts.checked++;
          try {
            const refund = await store.getRefund(entry.outRefundNo);
            if (!refund) {
              counts.errors++;
              log(`reconcile: order ${order.outTradeNo} lists refund ${entry.outRefundNo}, which has no record`);
              continue;
            }
            const current = (await store.getOrder(order.outTradeNo)) ?? order;
            const { delivery, resent, applied } = await drive(current, refund, 'reconcile');
            if (resent) counts.resent++;
            if (applied || (resent && delivery.kind === 'settled')) counts.refunds++;
            if (delivery.kind === 'unknown') {
              counts.errors++;
              log(`reconcile refund ${entry.outRefundNo}: ${delivery.error.message}`);
            }
          } catch (error) {
            counts.errors++;
            log(`reconcile refund ${entry.outRefundNo} failed: ${(error as Error).message}`);
          }
        }
      }
    },
  };
}

export type RefundFlow = ReturnType<typeof createRefundFlow>;
