import type { GatewayData } from '../state';

/**
 * The API calls the gateway answered, kept in memory for the console's order timeline: method,
 * path, status, request and response bodies, and which orders they were about. Bounded (the
 * oldest go first); a restart or a reset forgets them — the state file keeps the orders.
 */

export interface LoggedRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  status: number;
  request?: unknown;
  response?: unknown;
  /** out_trade_no / combine_out_trade_no / out_refund_no / out_order_no this call concerned. */
  subjects: string[];
}

const MAX_REQUESTS = 2000;
/** Path segments that name an order, a refund or a prepay. */
const PATH_SUBJECTS = /\/(?:out-trade-no|out-refund-no|combine-out-trade-no|serviceorder|cashier)\/([^/?]+)/g;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  record(entry: Omit<LoggedRequest, 'seq' | 'subjects'>, data: GatewayData): LoggedRequest {
    const logged = { ...entry, seq: ++this.seq, subjects: subjectsOf(entry.path, entry.request, entry.response, data) };
    this.entries.push(logged);
    if (this.entries.length > MAX_REQUESTS) this.entries.splice(0, this.entries.length - MAX_REQUESTS);
    return logged;
  }

  about(subjects: ReadonlySet<string>): LoggedRequest[] {
    return this.entries.filter((e) => e.subjects.some((s) => subjects.has(s)));
  }

  clear(): void {
    this.entries = [];
  }
}

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
    found.add(data.prepays[value]?.key ?? value);
  }
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 3) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && ['out_trade_no', 'combine_out_trade_no', 'out_refund_no', 'out_order_no'].includes(k)) found.add(v);
      else if (typeof v === 'string' && k === 'prepay_id' && data.prepays[v]) found.add(data.prepays[v]!.key);
      else if (typeof v === 'object') visit(v, depth + 1);
    }
  };
  visit(request, 0);
  visit(response, 0);
  return [...found];
}
