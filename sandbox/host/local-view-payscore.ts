/**
 * The PayScore half of the host's read-only `/local/store` view (local-view.ts): service orders
 * live in their own table (`payscore_orders`, audit trail inside the record), so the console's
 * merchant column for a PayScore row comes from here. Same rule as orders: no openids, no
 * confirmation package.
 */

/** What the console may see of a stored service order, in the shape of an order's view. */
export function payscoreView(o: Record<string, unknown>): Record<string, unknown> {
  const completion = o.completion as { totalAmount?: number } | undefined;
  const state = o.state === 'DOING' && o.stateDescription ? `${String(o.state)}/${String(o.stateDescription)}` : o.state;
  return {
    outTradeNo: o.outOrderNo,
    channel: 'payscore',
    // The amount is the merchant's once it completed the service (none before).
    ...(completion?.totalAmount !== undefined ? { amount: completion.totalAmount } : {}),
    description: o.serviceIntroduction,
    state,
    ...(o.collectionState ? { collectionState: o.collectionState } : {}),
    refundedAmount: 0,
    ...(o.orderId ? { transactionId: o.orderId } : {}),
    refunds: [],
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** The service order's history as audit entries (`{at, from, to, event, actor}` like the orders' audit table). */
export function payscoreAudit(o: Record<string, unknown>): unknown[] {
  return (o.history as unknown[] | undefined) ?? [];
}
