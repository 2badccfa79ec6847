/**
 * Seeds order rows (and their audit trail) straight into a store file of the sqlite adapter's
 * schema, by cloning one real order the stack created (so every record is one the service
 * wrote, with only its keys, amount and times changed). Batched in large transactions: seeding is
 * set-up, never what is measured.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AuditEvent, Order } from '../../cloudfunctions/core/domain/orders/model';

export interface SeedSpec {
  count: number;
  /** State of every seeded order (PAYING to be paid by a notification, PAYING and old for reconcile). */
  state?: Order['state'];
  /** The payer of order i (default: the template's). */
  payerOf?: (i: number) => string;
  /** createdAt of order i (default: now). updatedAt is the same unless `updatedAtOf`. */
  createdAtOf?: (i: number) => number;
  updatedAtOf?: (i: number) => number;
  /** Rows per transaction. */
  batch?: number;
}

export interface SeededOrder {
  outTradeNo: string;
  amount: number;
  payerOpenid: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A distinct prefix per seeding call, so several seedings of one file never collide. */
function runTag(): string {
  return Array.from(randomBytes(6), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export function readTemplate(db: Database, outTradeNo: string): { order: Order; audit: AuditEvent[] } {
  const row = db.prepare<[string], { data: string }>('SELECT data FROM orders WHERE out_trade_no = ?').get(outTradeNo);
  if (!row) throw new Error(`bench seed: no order ${outTradeNo} to clone`);
  const audit = db.prepare<[string], { data: string }>('SELECT data FROM audit WHERE out_trade_no = ? ORDER BY seq').all(outTradeNo);
  return { order: JSON.parse(row.data) as Order, audit: audit.map((a) => JSON.parse(a.data) as AuditEvent) };
}

export function seedOrders(db: Database, template: { order: Order; audit: AuditEvent[] }, spec: SeedSpec): { orders: SeededOrder[]; ms: number } {
  const started = process.hrtime.bigint();
  const tag = `B${runTag()}`;
  const now = Date.now();
  const insertOrder = db.prepare(`INSERT INTO orders (out_trade_no, payer_openid, idempotency_key, payee_openid, combine_out_trade_no, combine_transaction_id, state, version, created_at, updated_at, data)
    VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, ?)`);
  const insertAudit = db.prepare('INSERT INTO audit (out_trade_no, at, data) VALUES (?, ?, ?)');
  const orders: SeededOrder[] = [];
  const batch = spec.batch ?? 20_000;
  const state = spec.state ?? template.order.state;
  const write = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const outTradeNo = `${tag}${String(i).padStart(10, '0')}`;
      const createdAt = spec.createdAtOf?.(i) ?? now;
      const updatedAt = spec.updatedAtOf?.(i) ?? createdAt;
      const payerOpenid = spec.payerOf?.(i) ?? template.order.payerOpenid;
      const amount = 100 + (i % 10_000);
      const order: Order = {
        ...template.order,
        outTradeNo,
        idempotencyKey: `${tag}-${i}`,
        payerOpenid,
        amount,
        state,
        createdAt,
        updatedAt,
        expiresAt: createdAt + (template.order.expiresAt - template.order.createdAt),
        prepayId: `wx${tag}${i}`,
      };
      insertOrder.run(outTradeNo, payerOpenid, order.idempotencyKey, state, order.version, createdAt, updatedAt, JSON.stringify(order));
      for (const entry of template.audit) {
        const at = entry.from === null ? createdAt : updatedAt;
        const detail = entry.event === 'ORDER_CREATED' ? { ...entry.detail, amount } : entry.detail;
        insertAudit.run(outTradeNo, at, JSON.stringify({ ...entry, outTradeNo, at, detail }));
      }
      orders.push({ outTradeNo, amount, payerOpenid });
    }
  });
  // Set-up only: a large page cache for the index inserts, and no fsync at checkpoints on this
  // connection (the store's own connection keeps its setting).
  const cache = db.pragma('cache_size', { simple: true });
  const sync = db.pragma('synchronous', { simple: true });
  db.pragma('cache_size = -262144');
  db.pragma('synchronous = OFF');
  try {
    for (let from = 0; from < spec.count; from += batch) write.immediate(from, Math.min(spec.count, from + batch));
  } finally {
    db.pragma(`cache_size = ${Number(cache)}`);
    db.pragma(`synchronous = ${Number(sync)}`);
  }
  return { orders, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}
