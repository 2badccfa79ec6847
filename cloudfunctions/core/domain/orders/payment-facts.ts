/**
 * What a channel's payment answer (query or notification) means for an order: the state-machine
 * event it is, and whether it contradicts the payee we stored. Pure.
 */
import type { GatewayOrderIds, GatewayPaymentState, GatewaySubOrderState } from '../../channels/port';
import type { Order } from './model';
import type { OrderEvent, SettlementFact, SubOrderUpdate } from './state-machine';

/** The event a gateway payment fact means; undefined when there is nothing to record. */
export function paymentEvent(state: GatewayPaymentState): OrderEvent | undefined {
  switch (state.kind) {
    case 'PAID':
      return { type: 'PAID', transactionId: state.transactionId, paidAt: state.paidAt, paidAmount: state.paidAmount, ...subOrderUpdates(state), ...gatewayIds(state), ...settlementOf(state) };
    case 'CLOSED':
      return { type: 'CLOSED', reason: state.reason, ...subOrderUpdates(state), ...gatewayIds(state) };
    case 'FAILED':
      return { type: 'PAYMENT_FAILED', reason: state.reason, ...subOrderUpdates(state), ...gatewayIds(state) };
    default:
      return undefined;
  }
}

/** A reported payee that differs from the stored one is a contradiction, whatever the gateway. */
export function payeeMismatch(order: Order, state: GatewayPaymentState): string | undefined {
  if (state.kind !== 'PAID' || !state.subOrders) return undefined;
  for (const reported of state.subOrders) {
    const stored = order.subOrders?.find((sub) => sub.outTradeNo === reported.outTradeNo);
    if (stored && reported.individualAuthId !== undefined && reported.individualAuthId !== stored.individualAuthId) {
      return `sub-order ${reported.outTradeNo} was paid to another payee`;
    }
  }
  return undefined;
}

function gatewayIds(state: GatewayOrderIds): GatewayOrderIds {
  return state.combineTransactionId ? { combineTransactionId: state.combineTransactionId } : {};
}

function subOrderUpdates(state: { subOrders?: GatewaySubOrderState[] }): { subOrders?: SubOrderUpdate[] } {
  return state.subOrders?.length ? { subOrders: state.subOrders.map(toSubOrderUpdate) } : {};
}

function toSubOrderUpdate(sub: GatewaySubOrderState): SubOrderUpdate {
  return {
    outTradeNo: sub.outTradeNo,
    state: sub.tradeState as SubOrderUpdate['state'],
    mchid: sub.mchid,
    amount: sub.amount,
    ...(sub.transactionId ? { transactionId: sub.transactionId } : {}),
  };
}

function settlementOf(state: Extract<GatewayPaymentState, { kind: 'PAID' }>): { settlement?: SettlementFact } {
  const { settlementAmount, feeAmount } = state.settlement ?? {};
  if (settlementAmount === undefined && feeAmount === undefined) return {};
  return { settlement: { ...(settlementAmount !== undefined ? { settlementAmount } : {}), ...(feeAmount !== undefined ? { feeAmount } : {}) } };
}
