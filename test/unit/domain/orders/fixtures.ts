/**
 * Orders in every state, reached only through the state machine (never hand-assembled), so the
 * fixtures cannot drift from what `transition` really produces.
 */
import type { Order, OrderState } from '../../../../cloudfunctions/core/domain/orders/model';
import { newOrderRecord } from '../../../../cloudfunctions/core/domain/orders/model';
import type { OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { transition } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { newOutTradeNo } from '../../../../cloudfunctions/core/domain/orders/out-trade-no';

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export function freshOrder(overrides: Partial<Parameters<typeof newOrderRecord>[0]> = {}, now = T0): Order {
  return newOrderRecord(
    {
      outTradeNo: newOutTradeNo(),
      channel: 'jsapi',
      amount: 100,
      description: 'coffee',
      payerOpenid: 'o-payer-1',
      appid: 'wx0000000000000001',
      mchid: '1900000001',
      idempotencyKey: `key-${Math.random().toString(36).slice(2, 12)}`,
      expiresAt: now + 30 * 60_000,
      ...overrides,
    },
    now,
  );
}

export function freshCombineOrder(overrides: Partial<Parameters<typeof newOrderRecord>[0]> = {}): Order {
  const outTradeNo = newOutTradeNo('C');
  return freshOrder({
    outTradeNo,
    channel: 'combine',
    combineOutTradeNo: outTradeNo,
    payee: { openid: 'o-payee-1', displayName: 'Ada' },
    subOrders: [
      { mchid: '1900000002', outTradeNo: `${outTradeNo}S1`.slice(0, 32), amount: 100, individualAuthId: 'auth-secret-1', description: 'coffee', state: 'NOTPAY' },
    ],
    ...overrides,
  });
}

/** Applies events in order; throws if any is not applied (fixtures must be valid paths). */
export function applyAll(order: Order, events: OrderEvent[], start = T0 + 1000): Order {
  let current = order;
  events.forEach((event, i) => {
    const result = transition(current, event, start + i * 1000, 'notify');
    if (result.kind !== 'applied') throw new Error(`fixture event ${event.type} on ${current.state}: ${JSON.stringify(result)}`);
    current = result.next;
  });
  return current;
}

export const PATHS: Record<OrderState, OrderEvent[]> = {
  CREATED: [],
  PAYING: [{ type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' }],
  PAID: [
    { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' },
    { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 },
  ],
  CLOSED: [{ type: 'CLOSED', reason: 'user cancelled' }],
  FAILED: [
    { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' },
    { type: 'PAYMENT_FAILED', reason: 'PAYERROR' },
  ],
  REFUNDING: [
    { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' },
    { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 },
    { type: 'REFUND_STARTED', outRefundNo: 'R1', amount: 30 },
  ],
  REFUNDED: [
    { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-1' },
    { type: 'PAID', transactionId: '4200000001', paidAt: T0 + 1500, paidAmount: 100 },
    { type: 'REFUND_STARTED', outRefundNo: 'R1', amount: 30 },
    { type: 'REFUND_SUCCEEDED', outRefundNo: 'R1', amount: 30 },
    { type: 'REFUND_STARTED', outRefundNo: 'R2', amount: 70 },
    { type: 'REFUND_SUCCEEDED', outRefundNo: 'R2', amount: 70 },
  ],
};

export function orderIn(state: OrderState, base: Order = freshCombineOrder()): Order {
  return applyAll(base, PATHS[state]);
}

/** Deep-freezes a value so a test fails loudly if code under test mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
