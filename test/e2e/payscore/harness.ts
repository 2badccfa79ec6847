/**
 * What the PayScore e2e suites share: a create request as a page sends it, the sandbox's
 * confirmation page as the user would use it, and the stack's SQLite store read directly to prove
 * what was (and was not) written.
 */
import { join } from 'node:path';
import type { PayScoreCreateRequest, PayScoreView } from '../../../typings/api';
import type { PayScoreOrder } from '../../../cloudfunctions/core/domain/payscore/model';
import type { Stack } from '../../helpers/stack';
import { waitFor } from '../../helpers/e2e-utils';

let seq = 0;
/** 1–32 of [0-9A-Za-z_-|*], unique per run. */
export const orderNo = (prefix = 'PS') => `${prefix}${Date.now().toString(36)}${process.pid}${seq++}`.slice(0, 32);

/** A charger rental with a 50.00 risk fund, as the start page sends it. */
export function createRequest(over: Partial<PayScoreCreateRequest> = {}): PayScoreCreateRequest {
  return {
    outOrderNo: orderNo(),
    serviceIntroduction: '充电宝租借',
    postPayments: [{ name: '租借费用', amount: 2500, description: '每小时5元', count: 1 }],
    postDiscounts: [{ name: '新用户优惠', description: '首单立减' }],
    riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000, description: '充电宝押金' },
    startLocation: '一号门店',
    ...over,
  };
}

/** The merchant's final amount: one line, no discount. */
export const completion = (outOrderNo: string, total: number) => ({
  outOrderNo,
  postPayments: [{ name: '租借费用', amount: total, description: '实际使用', count: 1 }],
  postDiscounts: [],
  totalAmount: total,
});

/** What the user does on PayScore's confirmation page (the sandbox's stand-in). */
export async function decide(stack: Stack, view: PayScoreView, decision: 'confirm' | 'refuse'): Promise<{ out_order_no: string; query_id: string; state: string }> {
  const pkg = view.confirm?.extraData.package;
  if (!pkg) throw new Error(`order ${view.outOrderNo} carries no confirmation package`);
  const res = await fetch(`${stack.gatewayUrl}/sandbox/payscore/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ package: pkg, decision }) });
  if (!res.ok) throw new Error(`confirm page ${decision}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ out_order_no: string; query_id: string; state: string }>;
}

function openDb(stack: Stack) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  return new Database(join(stack.dataDir, 'store.sqlite'), { timeout: 5000 });
}

/** Every PayScore row and notification record, for "nothing was written" assertions. */
export function payscoreSnapshot(stack: Stack): { orders: unknown[]; notifications: unknown[] } {
  const db = openDb(stack);
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    return {
      orders: tables.has('payscore_orders') ? db.prepare('SELECT * FROM payscore_orders ORDER BY out_order_no').all() : [],
      notifications: tables.has('notifications') ? db.prepare('SELECT * FROM notifications ORDER BY id').all() : [],
    };
  } finally {
    db.close();
  }
}

export function storedOrder(stack: Stack, outOrderNo: string): PayScoreOrder | undefined {
  const db = openDb(stack);
  try {
    const row = db.prepare('SELECT data FROM payscore_orders WHERE out_order_no = ?').get(outOrderNo) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as PayScoreOrder) : undefined;
  } finally {
    db.close();
  }
}

const label = (o: PayScoreOrder) => `${o.state}${o.state === 'DOING' && o.stateDescription ? `/${o.stateDescription}` : ''}`;

/** Waits until the store holds the order in `state` (e.g. `DOING/USER_CONFIRM`, `DONE`). */
export function waitForStored(stack: Stack, outOrderNo: string, state: string): Promise<PayScoreOrder> {
  return waitFor(`${outOrderNo} → ${state}`, async () => {
    const o = storedOrder(stack, outOrderNo);
    return o && label(o) === state ? o : undefined;
  });
}
