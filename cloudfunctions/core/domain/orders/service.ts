/**
 * The order service: the one place where a payment request becomes an order, and where gateway
 * facts (notifications, queries, reconcile) move it. Every change is `transition()` followed by a
 * compare-and-set with its audit entry; a lost CAS re-reads and re-applies (bounded), so duplicate
 * and concurrent facts apply exactly once. It never branches on a gateway name: channels do that.
 */
import type { AlertView, OrderView, PayCreateRequest, PayCreateResponse, PayListResponse } from '../../../../typings/api';
import type { ChannelNotification, CloseOutcome, GatewayOrderIds, GatewayPaymentState, GatewayRefundState, GatewaySubOrderState, PaymentChannel } from '../../channels/port';
import { isChannelError, toChannelAppError } from '../../channels/port';
import type { ChannelRegistry } from '../../channels/registry';
import { AppError } from '../../kernel/errors';
import type { Caller } from '../../kernel/platform/identity';
import type { Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import { applyOrderEvent } from '../ledger';
import type { NotificationOutcome } from '../notifications';
import { toAlertView } from './alerts';
import type { AuditActor, Order, Refund } from './model';
import { newOrderRecord, toOrderView } from './model';
import { newOutTradeNo } from './out-trade-no';
import { createRefundFlow } from './refund-flow';
import { type OrderEvent, type SubOrderUpdate, type TransitionRejection } from './state-machine';

/** The slice of merchant config the service decides with. */
export interface OrderServiceConfig {
  appid: string;
  mchid: string;
  orderTtlMs: number;
  amount: { minFen: number; maxFen: number };
  admins: readonly string[];
  defaultDescription: string;
  minCloseIntervalMs: number;
  reconcile: { payingOlderThanMs: number; batchSize: number };
}

export interface PayeeResolver {
  resolvePayeeForPayment(input: { shareCode: string; payerOpenid: string }): Promise<{ openid: string; displayName: string; individualAuthId: string }>;
}

export interface OrderServiceDeps {
  store: Store;
  channels: ChannelRegistry;
  config: OrderServiceConfig;
  /** Needed for channel `combine`. */
  payees?: PayeeResolver;
  now?: () => number;
  /** Injected in tests; default `newOutTradeNo`. */
  newNumber?: (prefix: string) => string;
  log?: (line: string, detail?: Record<string, unknown>) => void;
}

export interface ReconcileReport {
  checked: number;
  paid: number;
  closed: number;
  failed: number;
  refunds: number;
  /** Refunds re-sent (same number, same body) because the gateway did not know them. */
  resent: number;
  errors: number;
}

/** Answer to a notification (the endpoint turns it into its gateway's reply). */
export type { NotificationOutcome };

export interface OrderService {
  create(caller: Caller, request: PayCreateRequest): Promise<PayCreateResponse>;
  query(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }>;
  close(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }>;
  list(caller: Caller, request: { pageSize?: number; cursor?: string; role?: 'payer' | 'payee' }): Promise<PayListResponse>;
  refund(
    caller: Caller,
    request: { outTradeNo: string; amount: number; reason?: string; idempotencyKey: string },
  ): Promise<{ order: OrderView; refund: { outRefundNo: string; amount: number; state: GatewayRefundState['state'] } }>;
  /** Admins only: alerts (payments on closed orders, refunds that need a person), newest first. */
  alerts(caller: Caller, request: { pageSize?: number; cursor?: string }): Promise<{ alerts: AlertView[]; nextCursor?: string }>;
  /** Applies a verified notification (payNotify has already verified and decrypted it). */
  applyNotification(notification: ChannelNotification): Promise<NotificationOutcome>;
  reconcile(): Promise<ReconcileReport>;
  isAdmin(openid: string): boolean;
}

/** Re-reads after a lost compare-and-set before giving up; contention beyond this is a bug or an attack. */
const CAS_ATTEMPTS = 8;
const DEFAULT_PAGE_SIZE = 20;

/**
 * The gateway counts the close interval from its own creation time, which is a little after ours
 * (we insert, then place): wait this much longer so a close is never refused as too early.
 */
export function closeMarginMs(minCloseIntervalMs: number): number {
  return Math.min(2000, Math.ceil(minCloseIntervalMs * 0.05));
}

type Applied = { outcome: 'applied' | 'alreadyApplied'; order: Order } | { outcome: 'rejected'; rejected: TransitionRejection; message: string; order: Order };

export function createOrderService(deps: OrderServiceDeps): OrderService {
  const { store, channels, config } = deps;
  const now = deps.now ?? Date.now;
  const number = deps.newNumber ?? ((prefix: string) => newOutTradeNo(prefix, now()));
  const log = deps.log ?? ((line: string, detail?: Record<string, unknown>) => console.log(`[orders] ${line}`, detail ?? ''));
  const isAdmin = (openid: string) => config.admins.includes(openid);

  /** transition + CAS, re-reading on a lost race (`applyOrderEvent`). The event is re-judged against each fresh read. */
  async function apply(outTradeNo: string, event: OrderEvent, actor: AuditActor): Promise<Applied> {
    let result;
    try {
      result = await applyOrderEvent(store, outTradeNo, event, { actor, now, maxAttempts: CAS_ATTEMPTS });
    } catch (error) {
      if (isStoreError(error, 'CONTENDED')) throw new AppError('INTERNAL', `order ${outTradeNo} kept changing under ${event.type}; try again`, true);
      throw error;
    }
    switch (result.kind) {
      case 'notFound':
        throw new AppError('NOT_FOUND', `no order ${outTradeNo}`);
      case 'rejected':
        return { outcome: 'rejected', rejected: result.rejected, message: result.message, order: result.order };
      case 'alreadyApplied':
        return { outcome: 'alreadyApplied', order: result.order };
      case 'applied':
        return { outcome: 'applied', order: result.order };
    }
  }

  async function applyOrThrow(outTradeNo: string, event: OrderEvent, actor: AuditActor): Promise<Order> {
    const result = await apply(outTradeNo, event, actor);
    if (result.outcome === 'rejected') {
      const code = result.rejected === 'REFUND_EXCEEDS_PAID' ? 'REFUND_EXCEEDS_PAID' : result.rejected === 'INVALID_STATE' ? 'INVALID_STATE' : 'INTERNAL';
      throw new AppError(code, result.message);
    }
    return result.order;
  }

  /** Refunds to a final state, and the automatic refund of payments on closed orders. */
  const refunds = createRefundFlow({ store, channels, now, log, apply, casAttempts: CAS_ATTEMPTS });

  /** The event a gateway payment fact means; undefined when there is nothing to record. */
  function paymentEvent(state: GatewayPaymentState): OrderEvent | undefined {
    switch (state.kind) {
      case 'PAID':
        return { type: 'PAID', transactionId: state.transactionId, paidAt: state.paidAt, paidAmount: state.paidAmount, ...subOrderUpdates(state), ...gatewayIds(state) };
      case 'CLOSED':
        return { type: 'CLOSED', reason: state.reason, ...subOrderUpdates(state), ...gatewayIds(state) };
      case 'FAILED':
        return { type: 'PAYMENT_FAILED', reason: state.reason, ...subOrderUpdates(state), ...gatewayIds(state) };
      default:
        return undefined;
    }
  }

  /** A reported payee that differs from the stored one is a contradiction, whatever the gateway. */
  function payeeMismatch(order: Order, state: GatewayPaymentState): string | undefined {
    if (state.kind !== 'PAID' || !state.subOrders) return undefined;
    for (const reported of state.subOrders) {
      const stored = order.subOrders?.find((s) => s.outTradeNo === reported.outTradeNo);
      if (stored && reported.individualAuthId !== undefined && reported.individualAuthId !== stored.individualAuthId) {
        return `sub-order ${reported.outTradeNo} was paid to another payee`;
      }
    }
    return undefined;
  }

  /** Asks the gateway about a PAYING order and applies what it says (same transition as a notification). */
  async function syncWithGateway(order: Order, actor: AuditActor): Promise<{ order: Order; state: GatewayPaymentState }> {
    const state = await channels.get(order.channel).query(order);
    const mismatch = payeeMismatch(order, state);
    if (mismatch) throw new AppError('GATEWAY_UNTRUSTED', mismatch);
    // Still payable, but the answer named the gateway's id: store it (later queries go by it).
    const event = paymentEvent(state) ?? (state.kind === 'PENDING' && state.combineTransactionId ? { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: state.combineTransactionId } : undefined);
    if (!event) return { order, state };
    let result = await apply(order.outTradeNo, event, actor);
    // Closed here meanwhile, paid there: the payment is recorded and refunded, never ignored.
    if (result.outcome === 'rejected' && event.type === 'PAID' && result.rejected === 'INVALID_STATE' && result.order.state === 'CLOSED') {
      result = await refunds.settleLatePayment(result.order, event, actor);
    }
    if (result.outcome === 'rejected') {
      log(`gateway ${actor} result not applied to ${order.outTradeNo}: ${result.rejected} ${result.message}`);
      if (result.rejected === 'AMOUNT_MISMATCH' || result.rejected === 'CONFLICT') throw new AppError('GATEWAY_UNTRUSTED', result.message);
      return { order: result.order, state };
    }
    return { order: result.order, state };
  }

  /** Places a CREATED order at the gateway; marks it FAILED on a final refusal. */
  async function place(order: Order, channel: PaymentChannel): Promise<PayCreateResponse> {
    let created;
    try {
      created = await channel.create(order);
    } catch (error) {
      const appError = toChannelAppError(error, 'create order');
      if (appError.code === 'GATEWAY_REJECTED') {
        await apply(order.outTradeNo, { type: 'CREATE_REJECTED', reason: appError.message }, 'user');
      }
      // Unavailable/untrusted: the order stays CREATED; a retry with the same idempotency key
      // resends the identical body under the same out_trade_no.
      throw appError;
    }
    const placed = await applyOrThrow(order.outTradeNo, { type: 'PREPAY_CREATED', prepayId: created.prepayId }, 'user');
    return { order: toOrderView(placed), payment: created.payment };
  }

  /** A retried create: the same order, and fresh pay-sign params while it can still be paid. */
  async function resume(existing: Order, request: PayCreateRequest): Promise<PayCreateResponse> {
    if (existing.amount !== request.amount || existing.channel !== request.channel) {
      throw new AppError('INVALID_ARGUMENT', 'idempotencyKey was already used for a different payment');
    }
    const channel = channels.get(existing.channel);
    if (existing.expiresAt <= now()) return { order: toOrderView(existing) };
    if (existing.state === 'CREATED') return place(existing, channel);
    if (existing.state === 'PAYING') {
      try {
        return { order: toOrderView(existing), payment: (await channel.resign(existing)).payment };
      } catch (error) {
        throw toChannelAppError(error, 'sign payment');
      }
    }
    return { order: toOrderView(existing) };
  }

  /**
   * A verified payment fact: the usual transition, except for an order we had closed (or one
   * already marked paid-after-close), whose payment is recorded and refunded automatically.
   */
  async function applyPayment(order: Order, event: OrderEvent, actor: AuditActor): Promise<Applied> {
    if (event.type === 'PAID' && (order.state === 'CLOSED' || order.paidAfterClose)) return refunds.settleLatePayment(order, event, actor);
    const result = await apply(order.outTradeNo, event, actor);
    // Closed between our read and our write: the same late-payment path.
    if (result.outcome === 'rejected' && event.type === 'PAID' && result.rejected === 'INVALID_STATE' && result.order.state === 'CLOSED') {
      return refunds.settleLatePayment(result.order, event, actor);
    }
    return result;
  }

  async function readOwn(caller: Caller, outTradeNo: string, access: 'act' | 'read' = 'act'): Promise<Order> {
    const order = await store.getOrder(outTradeNo);
    if (!order) throw new AppError('NOT_FOUND', `no order ${outTradeNo}`);
    // The payee may read an order paid to them (as pay.list role payee shows it), never act on it.
    const isPayee = access === 'read' && order.payee !== undefined && order.payee.openid === caller.openid;
    if (order.payerOpenid !== caller.openid && !isAdmin(caller.openid) && !isPayee) throw new AppError('FORBIDDEN', 'this order belongs to someone else');
    return order;
  }

  /** Updates the refund record and the order's ledger from a gateway refund fact. */
  async function applyRefundState(order: Order, refund: Refund, state: GatewayRefundState, actor: AuditActor): Promise<Applied | undefined> {
    return refunds.settle(order, refund, state, actor);
  }

  /**
   * Closes at the gateway. "Never placed" (`notFound`, the gateway's own word) and "already
   * closed" (`closed`) count as closed; a payer still in the cashier does not (the channel answers
   * `payerPaying`). An unavailable gateway (a proxy's 404, an empty body) decides nothing.
   */
  async function closeAtGateway(order: Order): Promise<CloseOutcome> {
    const channel = channels.get(order.channel);
    try {
      return await channel.close(order);
    } catch (error) {
      if (isChannelError(error, 'notFound', 'closed')) return { kind: 'closed' };
      // A refusal whose meaning is unclear (e.g. a channel that reports it without the gateway's
      // code): a verified query decides. Unreachable gateways are not asked again.
      if (toChannelAppError(error, 'close order').code !== 'GATEWAY_UNAVAILABLE') {
        const state = await channel.query(order).catch(() => undefined);
        if (state?.kind === 'NOT_FOUND' || state?.kind === 'CLOSED') return { kind: 'closed' };
      }
      throw error;
    }
  }

  /**
   * A close the gateway refused: maybe the order was paid (or closed) meanwhile. Ask, record what
   * it says, and answer by the outcome; otherwise the refusal stands.
   */
  async function settleRefusedClose(order: Order, error: unknown, actor: AuditActor): Promise<Order> {
    const appError = toChannelAppError(error, 'close order');
    if (appError.code !== 'GATEWAY_UNAVAILABLE') {
      const synced = await syncWithGateway(order, actor).catch(() => undefined);
      if (synced && synced.order.state !== 'PAYING' && synced.order.state !== 'CREATED') return synced.order;
    }
    throw appError;
  }

  return {
    isAdmin,

    async create(caller, request) {
      if (request.amount < config.amount.minFen || request.amount > config.amount.maxFen) {
        throw new AppError('AMOUNT_OUT_OF_RANGE', `amount must be between ${config.amount.minFen} and ${config.amount.maxFen} fen`);
      }
      const existing = await store.findOrderByIdempotencyKey(caller.openid, request.idempotencyKey);
      if (existing) return resume(existing, request);

      const channel = channels.get(request.channel);
      const description = request.description?.trim() || config.defaultDescription;
      const outTradeNo = number(request.channel === 'combine' ? 'C' : '');
      let combine: Pick<Order, 'payee' | 'combineOutTradeNo' | 'subOrders'> = {};
      if (request.channel === 'combine') {
        if (!request.payeeCode) throw new AppError('INVALID_ARGUMENT', 'payeeCode: required for channel combine');
        if (!deps.payees) throw new AppError('INVALID_ARGUMENT', 'payment channel "combine" is not available');
        const payee = await deps.payees.resolvePayeeForPayment({ shareCode: request.payeeCode, payerOpenid: caller.openid });
        combine = {
          payee: { openid: payee.openid, displayName: payee.displayName },
          combineOutTradeNo: outTradeNo,
          subOrders: [
            { mchid: config.mchid, outTradeNo: number('S'), amount: request.amount, individualAuthId: payee.individualAuthId, description, state: 'NOTPAY' },
          ],
        };
      }
      const at = now();
      const order = newOrderRecord(
        {
          outTradeNo,
          channel: request.channel,
          amount: request.amount,
          description,
          payerOpenid: caller.openid,
          // The caller's appid from the platform: the pay sign must use the appid the order was created with.
          appid: caller.appid || config.appid,
          mchid: config.mchid,
          idempotencyKey: request.idempotencyKey,
          expiresAt: at + config.orderTtlMs,
          ...(caller.clientIp ? { payerClientIp: caller.clientIp } : {}),
          ...combine,
        },
        at,
      );
      try {
        await store.insertOrder(order);
      } catch (error) {
        // Two creates with one key raced: the loser answers with the winner's order.
        if (isStoreError(error, 'DUPLICATE') && error.field === 'idempotencyKey') {
          const winner = await store.findOrderByIdempotencyKey(caller.openid, request.idempotencyKey);
          if (winner) return resume(winner, request);
        }
        throw error;
      }
      return place(order, channel);
    },

    async query(caller, outTradeNo) {
      let order = await readOwn(caller, outTradeNo, 'read');
      if (order.state === 'PAYING') {
        try {
          order = (await syncWithGateway(order, 'query')).order;
        } catch (error) {
          // The stored state is still a true answer; the gateway being down must not hide it.
          log(`query ${outTradeNo}: gateway check failed: ${(error as Error).message}`);
        }
      }
      return { order: toOrderView(order) };
    },

    async close(caller, outTradeNo) {
      const order = await readOwn(caller, outTradeNo);
      if (order.state === 'CLOSED') return { order: toOrderView(order) };
      if (order.state !== 'CREATED' && order.state !== 'PAYING') throw new AppError('INVALID_STATE', `a ${order.state} order cannot be closed`);
      const earliest = order.createdAt + config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs);
      if (now() < earliest) {
        throw new AppError('CLOSE_TOO_EARLY', `an order can be closed ${Math.ceil(config.minCloseIntervalMs / 1000)} s after it was created; try again in ${Math.ceil((earliest - now()) / 1000)} s`);
      }
      let outcome: CloseOutcome;
      try {
        outcome = await closeAtGateway(order);
      } catch (error) {
        const settled = await settleRefusedClose(order, error, 'query');
        if (settled.state === 'CLOSED') return { order: toOrderView(settled) };
        throw new AppError('INVALID_STATE', `order ${outTradeNo} is already ${settled.state}`);
      }
      if (outcome.kind === 'payerPaying') {
        // Not closed: money may still arrive. Record what the gateway knows, keep the order PAYING.
        log(`close ${outTradeNo} not confirmed: ${outcome.code} ${outcome.message}`);
        const synced = await syncWithGateway(order, 'query').catch(() => undefined);
        if (synced?.order.state === 'CLOSED') return { order: toOrderView(synced.order) };
        if (synced && synced.order.state !== 'PAYING' && synced.order.state !== 'CREATED') {
          throw new AppError('INVALID_STATE', `order ${outTradeNo} is already ${synced.order.state}`);
        }
        throw new AppError('PAYER_PAYING', `order ${outTradeNo} is being paid right now; it stays open, try again shortly`, true);
      }
      const closed = await applyOrThrow(outTradeNo, { type: 'CLOSED', reason: 'closed by the payer' }, isAdmin(caller.openid) && order.payerOpenid !== caller.openid ? 'admin' : 'user');
      return { order: toOrderView(closed) };
    },

    async list(caller, request) {
      const page = { limit: request.pageSize ?? DEFAULT_PAGE_SIZE, ...(request.cursor ? { cursor: request.cursor } : {}) };
      try {
        const result = request.role === 'payee' ? await store.listOrdersByPayee(caller.openid, page) : await store.listOrdersByPayer(caller.openid, page);
        return { orders: result.items.map(toOrderView), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) };
      } catch (error) {
        if (isStoreError(error, 'INVALID_CURSOR')) throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor this listing issued');
        throw error;
      }
    },

    async refund(caller, request) {
      if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', 'only merchant admins may refund');
      const { order, refund } = await refunds.refundByAdmin(request);
      return { order: toOrderView(order), refund: { outRefundNo: refund.outRefundNo, amount: refund.amount, state: refund.state } };
    },

    async alerts(caller, request) {
      if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', 'only merchant admins may list alerts');
      try {
        const page = await store.listAlerts({ limit: request.pageSize ?? DEFAULT_PAGE_SIZE, ...(request.cursor ? { cursor: request.cursor } : {}) });
        return { alerts: page.items.map(toAlertView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      } catch (error) {
        if (isStoreError(error, 'INVALID_CURSOR')) throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor this listing issued');
        throw error;
      }
    },

    async applyNotification(n) {
      const reject = (status: 400 | 404 | 409 | 500, code: string, message: string): NotificationOutcome => {
        log(`notification ${n.notificationId} rejected: ${code} ${message}`);
        return { status, result: 'rejected', code, message };
      };
      if (n.kind === 'ignored') {
        await store.recordNotification(n.notificationId, { eventType: n.eventType, receivedAt: now() });
        return { status: 204, result: 'ignored' };
      }
      let outcome: Applied | undefined;
      if (n.kind === 'payment') {
        const order = (await store.getOrder(n.outTradeNo)) ?? (await store.getOrderByCombineOutTradeNo(n.outTradeNo));
        if (!order) return reject(404, 'ORDER_NOT_FOUND', `no order ${n.outTradeNo}`);
        if (n.mchid !== order.mchid) return reject(400, 'MCHID_MISMATCH', `mchid ${n.mchid} is not the order's`);
        if (n.appid !== order.appid) return reject(400, 'APPID_MISMATCH', `appid ${n.appid} is not the order's`);
        const mismatch = payeeMismatch(order, n.state);
        if (mismatch) return reject(400, 'PAYEE_MISMATCH', mismatch);
        const event = paymentEvent(n.state);
        if (!event) return reject(400, 'NOT_A_RESULT', `notification for ${n.outTradeNo} carries no final state`);
        outcome = await applyPayment(order, event, 'notify');
      } else {
        const refund = await store.getRefund(n.refund.outRefundNo);
        if (!refund) return reject(404, 'REFUND_NOT_FOUND', `no refund ${n.refund.outRefundNo}`);
        const order = await store.getOrder(refund.outTradeNo);
        if (!order) return reject(404, 'ORDER_NOT_FOUND', `no order ${refund.outTradeNo}`);
        if (n.mchid !== order.mchid) return reject(400, 'MCHID_MISMATCH', `mchid ${n.mchid} is not the order's`);
        if (n.refund.amount !== refund.amount) return reject(400, 'AMOUNT_MISMATCH', `refund ${refund.outRefundNo}: ${n.refund.amount} fen reported, ${refund.amount} started`);
        outcome = await applyRefundState(order, refund, n.refund, 'notify');
      }
      if (outcome?.outcome === 'rejected') {
        if (n.kind === 'payment' && n.state.kind === 'PAID') {
          // Money reported for an order we cannot mark paid: someone must look (refund or fix).
          await refunds.raiseAlert({
            kind: 'PAYMENT_NOT_APPLIED',
            outTradeNo: outcome.order.outTradeNo,
            transactionId: n.state.transactionId,
            ...(n.state.paidAmount > 0 && Number.isSafeInteger(n.state.paidAmount) ? { amount: n.state.paidAmount } : {}),
            message: `verified payment ${n.state.transactionId} for ${outcome.order.outTradeNo} was not recorded (${outcome.rejected}: ${outcome.message}); check it in the merchant platform and refund it there if it is not owed.`,
          });
        }
        const status = outcome.rejected === 'AMOUNT_MISMATCH' || outcome.rejected === 'INVALID_EVENT' || outcome.rejected === 'UNKNOWN_SUB_ORDER' ? 400 : 409;
        return reject(status, outcome.rejected, outcome.message);
      }
      // Recorded after the fact is applied: a crash in between leaves the id unrecorded, so the
      // gateway's retry still gets through (the CAS, not this record, makes it exactly-once).
      const first = await store.recordNotification(n.notificationId, {
        eventType: n.kind,
        receivedAt: now(),
        outTradeNo: n.outTradeNo,
      });
      return { status: 204, result: outcome?.outcome === 'applied' && first ? 'applied' : 'duplicate' };
    },

    async reconcile() {
      const report: ReconcileReport = { checked: 0, paid: 0, closed: 0, failed: 0, refunds: 0, resent: 0, errors: 0 };
      const at = now();
      const limit = config.reconcile.batchSize;
      const stale = await store.listOrdersInState('PAYING', { olderThan: at - config.reconcile.payingOlderThanMs, limit });
      // CREATED orders that were never placed (gateway down at create) are closed once expired.
      const unplaced = await store.listOrdersInState('CREATED', { olderThan: at - config.reconcile.payingOlderThanMs, limit });
      for (const order of [...stale, ...unplaced]) {
        report.checked++;
        try {
          let current = order;
          let gatewayState: GatewayPaymentState | undefined;
          if (order.state === 'PAYING') {
            const synced = await syncWithGateway(order, 'reconcile');
            current = synced.order;
            gatewayState = synced.state;
          }
          if (current.state === 'PAID') report.paid++;
          else if (current.state === 'FAILED') report.failed++;
          else if (current.state === 'CLOSED') report.closed++;
          else if (current.expiresAt <= at && current.createdAt + config.minCloseIntervalMs + closeMarginMs(config.minCloseIntervalMs) <= at && gatewayState?.kind !== 'PAID') {
            let outcome: CloseOutcome;
            try {
              outcome = await closeAtGateway(current);
            } catch (error) {
              const settled = await settleRefusedClose(current, error, 'reconcile');
              if (settled.state === 'PAID') report.paid++;
              else if (settled.state === 'CLOSED') report.closed++;
              else if (settled.state === 'FAILED') report.failed++;
              continue;
            }
            if (outcome.kind === 'payerPaying') {
              // Stays PAYING: the next run queries first (a payment lands as PAID), then closes again.
              log(`reconcile ${current.outTradeNo}: close not confirmed (${outcome.code}); retried next run`);
              continue;
            }
            const closed = await apply(current.outTradeNo, { type: 'CLOSED', reason: 'expired' }, 'reconcile');
            if (closed.outcome === 'applied') report.closed++;
          }
        } catch (error) {
          report.errors++;
          log(`reconcile ${order.outTradeNo} failed: ${(error as Error).message}`);
        }
      }
      // Refunds whose result never arrived (lost notification, no answer, unknown at the gateway).
      await refunds.reconcile({ olderThan: at - config.reconcile.payingOlderThanMs, limit }, report);
      return report;
    },
  };
}

function gatewayIds(state: GatewayOrderIds): GatewayOrderIds {
  return state.combineTransactionId ? { combineTransactionId: state.combineTransactionId } : {};
}

function subOrderUpdates(state: { subOrders?: GatewaySubOrderState[] }): { subOrders?: SubOrderUpdate[] } {
  return state.subOrders?.length ? { subOrders: state.subOrders.map(toSubOrderUpdate) } : {};
}

function toSubOrderUpdate(s: GatewaySubOrderState): SubOrderUpdate {
  return {
    outTradeNo: s.outTradeNo,
    state: s.tradeState as SubOrderUpdate['state'],
    mchid: s.mchid,
    amount: s.amount,
    ...(s.transactionId ? { transactionId: s.transactionId } : {}),
  };
}

