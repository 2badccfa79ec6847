import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { payscoreAudit, payscoreView } from './local-view-payscore';

/**
 * `GET /local/*` on the function host: a READ-ONLY view of the merchant side for the sandbox
 * console and CLI, on loopback only (the host never runs in the cloud).
 *   GET /local/store/orders        → { orders } (newest 500), each projected by `orderView`, and PayScore
 *                                    service orders by `payscoreView` (local-view-payscore.ts)
 *   GET /local/store/orders/{no}   → { order, audit, notifications } (by out_trade_no, combine_out_trade_no or out_order_no)
 *   GET /local/admins              → { admins } (the openids the merchant config lets refund and close)
 * It opens the SQLite file the merchant config names, read-only, per request; a projection keeps
 * payer openids, idempotency keys, prepay ids and client IPs out, and nothing of the config but
 * the admin list leaves (keys and secrets stay in their files).
 */

const MAX_ORDERS = 500;

interface MerchantConfigSubset {
  admins?: string[];
  store?: { kind?: string; file?: string };
}

/** The parts of the merchant config the host reads: its admins and where it stores (nothing secret). */
export function readConfig(configFile: string | undefined): MerchantConfigSubset {
  if (!configFile || !existsSync(configFile)) return {};
  return JSON.parse(readFileSync(configFile, 'utf8')) as MerchantConfigSubset;
}

type Row = { data: string };

/** What the console may see of a stored order (same rule as the pages' OrderView: no openids or ids of people). */
export function orderView(o: Record<string, unknown>): Record<string, unknown> {
  const refunds = (o.refunds as Array<Record<string, unknown>> | undefined) ?? [];
  const subOrders = o.subOrders as Array<Record<string, unknown>> | undefined;
  return {
    outTradeNo: o.outTradeNo,
    channel: o.channel,
    amount: o.amount,
    description: o.description,
    state: o.state,
    refundedAmount: o.refundedAmount ?? 0,
    ...(o.transactionId ? { transactionId: o.transactionId } : {}),
    ...(o.combineOutTradeNo ? { combineOutTradeNo: o.combineOutTradeNo } : {}),
    ...(subOrders ? { subOrders: subOrders.map((s) => ({ outTradeNo: s.outTradeNo, amount: s.amount, state: s.state })) } : {}),
    refunds: refunds.map((r) => ({ outRefundNo: r.outRefundNo, amount: r.amount, state: r.state })),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.paidAfterClose ? { paidAfterClose: true } : {}),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export function serveLocalView(configFile: string | undefined, pathname: string, res: ServerResponse): void {
  const send = (status: number, json: unknown) => {
    const body = JSON.stringify(json);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const config = readConfig(configFile);
  if (pathname === '/local/admins') return send(200, { admins: config.admins ?? [] });
  const m = /^\/local\/store\/orders(?:\/([^/]+))?$/.exec(pathname);
  if (!m) return send(404, { ok: false, code: 'NOT_FOUND', message: `no local view ${pathname}` });
  if (config.store?.kind !== 'sqlite' || !config.store.file) return send(501, { ok: false, code: 'UNSUPPORTED', message: 'the local view reads a sqlite store only' });
  if (!existsSync(config.store.file)) return m[1] ? send(404, { ok: false, code: 'NOT_FOUND', message: 'no such order' }) : send(200, { orders: [] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(config.store.file, { readonly: true, fileMustExist: true, timeout: 2000 });
  try {
    const hasTable = (name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    const payscore = hasTable('payscore_orders');
    if (!hasTable('orders')) return m[1] ? send(404, { ok: false, code: 'NOT_FOUND', message: 'no such order' }) : send(200, { orders: [] });
    if (!m[1]) {
      const rows = db.prepare('SELECT data FROM orders ORDER BY created_at DESC, out_trade_no DESC LIMIT ?').all(MAX_ORDERS) as Row[];
      const services = payscore ? (db.prepare('SELECT data FROM payscore_orders ORDER BY created_at DESC LIMIT ?').all(MAX_ORDERS) as Row[]) : [];
      return send(200, { orders: [...rows.map((r) => orderView(JSON.parse(r.data) as Record<string, unknown>)), ...services.map((r) => payscoreView(JSON.parse(r.data) as Record<string, unknown>))] });
    }
    const no = decodeURIComponent(m[1]);
    const row = db.prepare('SELECT out_trade_no, data FROM orders WHERE out_trade_no = ? OR combine_out_trade_no = ?').get(no, no) as (Row & { out_trade_no: string }) | undefined;
    const service = !row && payscore ? (db.prepare('SELECT data FROM payscore_orders WHERE out_order_no = ?').get(no) as Row | undefined) : undefined;
    if (service) {
      const record = JSON.parse(service.data) as Record<string, unknown>;
      return send(200, { order: payscoreView(record), audit: payscoreAudit(record), notifications: [] });
    }
    if (!row) return send(404, { ok: false, code: 'NOT_FOUND', message: 'no such order' });
    const audit = hasTable('audit') ? (db.prepare('SELECT data FROM audit WHERE out_trade_no = ? ORDER BY seq').all(row.out_trade_no) as Row[]).map((r) => JSON.parse(r.data) as unknown) : [];
    const notifications = hasTable('notifications') ? db.prepare('SELECT id, event_type AS eventType, received_at AS receivedAt FROM notifications WHERE out_trade_no = ? ORDER BY received_at').all(row.out_trade_no) : [];
    return send(200, { order: orderView(JSON.parse(row.data) as Record<string, unknown>), audit, notifications });
  } finally {
    db.close();
  }
}
