/**
 * Asking the channel about an order and applying what it says: the same transitions as a
 * notification, a late payment on a closed order recorded and refunded, a close the gateway
 * refused settled by a verified query. Decides by channel outcomes only (`ChannelError` kinds).
 */
import type { CloseOutcome, GatewayPaymentState } from '../../channels/port';
import { isChannelError, toChannelAppError } from '../../channels/port';
import type { ChannelRegistry } from '../../channels/registry';
import { AppError } from '../../kernel/errors';
import type { AuditActor, Order } from './model';
import type { NotificationEntry } from '../../store/port';
import type { AppliedOutcome, ApplyOrderEvent } from './order-ledger';
import { payeeMismatch, paymentEvent } from './payment-facts';
import type { RefundFlow } from './refund-flow';
import type { OrderEvent } from './state-machine';

export interface GatewaySyncDeps {
  channels: ChannelRegistry;
  apply: ApplyOrderEvent;
  refunds: Pick<RefundFlow, 'settleLatePayment'>;
  log: (line: string, detail?: Record<string, unknown>) => void;
}

export type GatewaySync = ReturnType<typeof createGatewaySync>;

export function createGatewaySync(deps: GatewaySyncDeps) {
  const { channels, apply, refunds, log } = deps;

  /** Closed here meanwhile, paid there: the payment is recorded and refunded, never ignored. */
  const paidWhileClosed = (result: AppliedOutcome, event: OrderEvent) =>
    result.outcome === 'rejected' && event.type === 'PAID' && result.rejected === 'INVALID_STATE' && result.order.state === 'CLOSED';

  /** Asks the gateway about a PAYING order and applies what it says (same transition as a notification). */
  async function syncWithGateway(order: Order, actor: AuditActor): Promise<{ order: Order; state: GatewayPaymentState }> {
    const state = await channels.get(order.channel).query(order);
    const mismatch = payeeMismatch(order, state);
    if (mismatch) throw new AppError('GATEWAY_UNTRUSTED', mismatch);
    // Still payable, but the answer named the gateway's id: store it (later queries go by it).
    const event = paymentEvent(state) ?? (state.kind === 'PENDING' && state.combineTransactionId ? { type: 'COMBINE_TRANSACTION_ID_LEARNED', combineTransactionId: state.combineTransactionId } : undefined);
    if (!event) return { order, state };
    let result = await apply(order.outTradeNo, event, actor);
    if (paidWhileClosed(result, event) && event.type === 'PAID') result = await refunds.settleLatePayment(result.order, event, actor);
    if (result.outcome === 'rejected') {
      log(`gateway ${actor} result not applied to ${order.outTradeNo}: ${result.rejected} ${result.message}`);
      if (result.rejected === 'AMOUNT_MISMATCH' || result.rejected === 'CONFLICT') throw new AppError('GATEWAY_UNTRUSTED', result.message);
      return { order: result.order, state };
    }
    return { order: result.order, state };
  }

  /**
   * A verified payment fact: the usual transition, except for an order we had closed (or one
   * already marked paid-after-close), whose payment is recorded and refunded automatically.
   * `order` is the caller's fresh read (the first compare-and-set attempt decides on it); the
   * `notification` that reported the fact is recorded in the order's own write when it applies.
   */
  async function applyPayment(order: Order, event: OrderEvent, actor: AuditActor, notification?: NotificationEntry): Promise<AppliedOutcome> {
    if (event.type === 'PAID' && (order.state === 'CLOSED' || order.paidAfterClose)) return refunds.settleLatePayment(order, event, actor);
    const result = await apply(order.outTradeNo, event, actor, notification ? { current: order, notification } : { current: order });
    // Closed between our read and our write: the same late-payment path.
    if (paidWhileClosed(result, event) && event.type === 'PAID') return refunds.settleLatePayment(result.order, event, actor);
    return result;
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

  return { syncWithGateway, applyPayment, closeAtGateway, settleRefusedClose };
}
