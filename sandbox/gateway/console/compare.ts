import type { ConsoleOrder } from './sources';

/**
 * The merchant store's view of an order (what the function host's read-only `/local/store`
 * endpoint answers: no openids, keys or idempotency keys) and how it is compared with the
 * gateway's. A difference is not always a bug — a payment whose notification is still on its way
 * is one — but it is what a developer wants to see highlighted.
 */
export interface MerchantOrderView {
  outTradeNo: string;
  channel: string;
  /** fen; absent for a PayScore service order the merchant has not completed yet. */
  amount?: number;
  state: string;
  refundedAmount: number;
  transactionId?: string;
  combineOutTradeNo?: string;
  subOrders?: Array<{ outTradeNo: string; amount: number; state: string }>;
  refunds: Array<{ outRefundNo: string; amount: number; state: string }>;
  createdAt: number;
  updatedAt: number;
}

/** The gateway trade states each merchant order state agrees with. */
const AGREEING: Record<string, readonly string[]> = {
  CREATED: ['NOTPAY', 'USERPAYING'],
  PAYING: ['NOTPAY', 'USERPAYING'],
  // A partial refund leaves the merchant's order PAID while the gateway says REFUND.
  PAID: ['SUCCESS', 'REFUND'],
  REFUNDING: ['SUCCESS', 'REFUND'],
  REFUNDED: ['REFUND', 'SUCCESS'],
  CLOSED: ['CLOSED', 'REVOKED'],
  FAILED: ['PAYERROR', 'CLOSED', 'REVOKED'],
};

/**
 * The same for a Huifu trade's `trans_stat` (I 初始, P 处理中, S 成功, F 失败; payment-query.md):
 * refunds leave the trade S; a closed or failed trade is F.
 */
const AGREEING_HUIFU: Record<string, readonly string[]> = {
  CREATED: ['I', 'P'],
  PAYING: ['I', 'P'],
  PAID: ['S'],
  REFUNDING: ['S'],
  REFUNDED: ['S'],
  CLOSED: ['F'],
  FAILED: ['F'],
};

/** What differs between the two views, in words; empty when they agree. */
export function mismatches(gateway: ConsoleOrder, merchant: MerchantOrderView | undefined): string[] {
  if (!merchant) return [];
  const out: string[] = [];
  // A combine order's own state is its sub-orders' (shown as `A/B` when they differ); a Huifu row's is trans_stat (`F/closed`).
  if (gateway.channel === 'payscore') return payscoreMismatches(gateway, merchant);
  const gatewayStates = gateway.subOrders ? gateway.subOrders.map((s) => s.state) : [gateway.channel === 'huifu' ? gateway.state.split('/')[0]! : gateway.state];
  const agreeing = (gateway.channel === 'huifu' ? AGREEING_HUIFU : AGREEING)[merchant.state];
  if (agreeing && !gatewayStates.every((s) => agreeing.includes(s))) out.push(`state: merchant ${merchant.state}, gateway ${gateway.state}`);
  if (gateway.amount !== null && merchant.amount !== gateway.amount) out.push(`amount: merchant ${merchant.amount}, gateway ${gateway.amount}`);
  if (gateway.refunded !== undefined && merchant.refundedAmount !== gateway.refunded) out.push(`refunded: merchant ${merchant.refundedAmount}, gateway ${gateway.refunded}`);
  if (!gateway.subOrders && gateway.transactionId && merchant.transactionId && gateway.transactionId !== merchant.transactionId) out.push('transaction_id differs');
  return out;
}

/**
 * A PayScore service order: both sides speak the same states (`DOING/USER_CONFIRM`; the gateway
 * may keep a state description after DOING, the merchant's view names it only in DOING); the
 * amount once both know it; the PayScore order_id.
 */
function payscoreMismatches(gateway: ConsoleOrder, merchant: MerchantOrderView): string[] {
  const out: string[] = [];
  const [gState, gDescription] = gateway.state.split('/');
  const [mState, mDescription] = merchant.state.split('/');
  if (gState !== mState || (gState === 'DOING' && gDescription !== mDescription)) out.push(`state: merchant ${merchant.state}, gateway ${gateway.state}`);
  if (gateway.amount !== null && merchant.amount !== undefined && merchant.amount !== gateway.amount) out.push(`amount: merchant ${merchant.amount}, gateway ${gateway.amount}`);
  if (gateway.transactionId && merchant.transactionId && gateway.transactionId !== merchant.transactionId) out.push('order_id differs');
  return out;
}
