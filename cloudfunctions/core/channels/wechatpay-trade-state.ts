/**
 * WeChat Pay's `trade_state` words for an order that holds no payment, the same in APIv2
 * (orderquery, chapter=9_2) and APIv3 (query by out_trade_no): still open, closed, or failed.
 * Paid states (SUCCESS, REFUND) carry facts each version reads its own way, so they stay with
 * each version's mapping; undefined here means "not one of these".
 */
import type { GatewayPaymentState } from './port';

export function unpaidTradeState(tradeState: unknown, description: string): GatewayPaymentState | undefined {
  switch (tradeState) {
    case 'NOTPAY':
    case 'USERPAYING':
      return { kind: 'PENDING' };
    case 'CLOSED':
      return { kind: 'CLOSED', reason: description || 'closed at the gateway' };
    case 'REVOKED':
      return { kind: 'CLOSED', reason: description || 'revoked' };
    case 'PAYERROR':
      return { kind: 'FAILED', reason: description || 'payment failed' };
    default:
      return undefined;
  }
}
