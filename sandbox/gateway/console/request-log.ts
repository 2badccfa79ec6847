import type { GatewayData } from '../state';

/**
 * Which orders a call the WeChat gateway answered was about, for the console's request log
 * (`sandbox/common/request-log.ts`): out_trade_no / combine_out_trade_no / out_refund_no /
 * out_order_no in its path or either body (APIv2 XML is logged as its fields, so the same names
 * apply).
 */

export { RequestLog, type LoggedRequest } from '../../common/request-log';

/** Path segments that name an order, a refund or a prepay. */
const PATH_SUBJECTS = /\/(?:out-trade-no|out-refund-no|combine-out-trade-no|serviceorder|cashier)\/([^/?]+)/g;

/** Every order-ish number a call names, in its path or either body; a prepay id counts as its order. */
export function subjectsOf(path: string, request: unknown, response: unknown, data: GatewayData): string[] {
  const found = new Set<string>();
  for (const m of path.matchAll(PATH_SUBJECTS)) {
    let value = m[1]!;
    try {
      value = decodeURIComponent(value);
    } catch {
      /* keep as sent */
    }
    found.add(orderOfPrepay(data, value) ?? value);
  }
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 3) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && ['out_trade_no', 'combine_out_trade_no', 'out_refund_no', 'out_order_no'].includes(k)) found.add(v);
      else if (typeof v === 'string' && (k === 'prepay_id' || k === 'prepayid') && orderOfPrepay(data, v)) found.add(orderOfPrepay(data, v)!);
      else if (typeof v === 'object') visit(v, depth + 1);
    }
  };
  visit(request, 0);
  visit(response, 0);
  return [...found];
}

/** The order (v3, combine or APIv2) a prepay id was issued for. */
function orderOfPrepay(data: GatewayData, prepayId: string): string | undefined {
  return data.prepays[prepayId]?.key ?? data.v2?.prepays[prepayId];
}
