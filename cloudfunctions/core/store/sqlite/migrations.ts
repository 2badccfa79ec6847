/**
 * SQLite schema, versioned in code. Each migration runs once, inside its own IMMEDIATE
 * transaction together with its `schema_version` row, so a crash or a second process opening the
 * same file at the same moment never leaves a half-applied schema. Append new migrations; never
 * edit one that has shipped.
 *
 * Records live whole in a JSON `data` column; the other columns exist only to index, constrain
 * and compare-and-set.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'orders, refunds, payees, notifications, append-only audit',
    sql: `
      CREATE TABLE orders (
        out_trade_no TEXT PRIMARY KEY,
        payer_openid TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        payee_openid TEXT,
        combine_out_trade_no TEXT UNIQUE,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (payer_openid, idempotency_key)
      ) STRICT;
      CREATE INDEX orders_by_payer ON orders (payer_openid, created_at DESC, out_trade_no DESC);
      CREATE INDEX orders_by_payee ON orders (payee_openid, created_at DESC, out_trade_no DESC) WHERE payee_openid IS NOT NULL;
      CREATE INDEX orders_by_state ON orders (state, updated_at);

      CREATE TABLE refunds (
        out_refund_no TEXT PRIMARY KEY,
        out_trade_no TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX refunds_by_order ON refunds (out_trade_no, created_at);

      CREATE TABLE payees (
        openid TEXT PRIMARY KEY,
        share_code TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;

      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        out_trade_no TEXT
      ) STRICT;

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        out_trade_no TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_by_order ON audit (out_trade_no, seq);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'orders.combine_transaction_id: unique once known',
    // The gateway's id of a combine order (published 个人收款 query by id); rows written before
    // this migration carry it only in `data`, if at all.
    sql: `
      ALTER TABLE orders ADD COLUMN combine_transaction_id TEXT;
      UPDATE orders SET combine_transaction_id = json_extract(data, '$.combineTransactionId') WHERE json_extract(data, '$.combineTransactionId') IS NOT NULL;
      CREATE UNIQUE INDEX orders_by_combine_transaction_id ON orders (combine_transaction_id) WHERE combine_transaction_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'admin alerts (payments on closed orders, refunds that need a person)',
    sql: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        out_trade_no TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX alerts_newest ON alerts (created_at DESC, id DESC);
    `,
  },
  {
    version: 4,
    name: 'listing indexes carry their tie-break column (reconcile and refunds read in index order)',
    // Without the key as last column, `ORDER BY updated_at, out_trade_no LIMIT n` sorts every
    // stale order of the state before taking n (issue 16: flat cost at a million orders). The
    // same indexes as the CloudBase adapter declares (store/cloudbase/indexes.ts).
    sql: `
      DROP INDEX orders_by_state;
      CREATE INDEX orders_by_state ON orders (state, updated_at, out_trade_no);
      DROP INDEX refunds_by_order;
      CREATE INDEX refunds_by_order ON refunds (out_trade_no, created_at, out_refund_no);
    `,
  },
  {
    version: 5,
    name: 'payscore service orders (audit trail inside the record)',
    sql: `
      CREATE TABLE payscore_orders (
        out_order_no TEXT PRIMARY KEY,
        user_openid TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX payscore_orders_by_state ON payscore_orders (state, updated_at);
    `,
  },
  {
    version: 6,
    name: 'merchant console: every order newest first, paid-at and notifications by order',
    // The admin listing of all payers' orders (filters narrow it), the day's and month's totals
    // (paidAt and a refund's succeededAt live in `data`: expression indexes) and an order's
    // notifications on its detail page.
    sql: `
      CREATE INDEX orders_newest ON orders (created_at DESC, out_trade_no DESC);
      CREATE INDEX orders_by_paid_at ON orders (json_extract(data, '$.paidAt')) WHERE json_extract(data, '$.paidAt') IS NOT NULL;
      CREATE INDEX refunds_by_succeeded_at ON refunds (json_extract(data, '$.succeededAt')) WHERE json_extract(data, '$.succeededAt') IS NOT NULL;
      CREATE INDEX notifications_by_order ON notifications (out_trade_no, received_at) WHERE out_trade_no IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'payscore listing index carries its tie-break column (reconcile reads in index order)',
    // As migration 4 for orders: `ORDER BY updated_at, out_order_no LIMIT n` sorted every stale
    // service order of the state without the key as last column. CloudBase declares the same.
    sql: `
      DROP INDEX payscore_orders_by_state;
      CREATE INDEX payscore_orders_by_state ON payscore_orders (state, updated_at, out_order_no);
    `,
  },
  {
    version: 8,
    name: 'paid-at index carries its tie-break column (the daily statement pages through a day of payments)',
    // `ORDER BY paidAt, out_trade_no LIMIT n` past a position read in index order, not by sorting
    // the rest of the day at every page. The console's totals use its first column, as before.
    sql: `
      DROP INDEX orders_by_paid_at;
      CREATE INDEX orders_by_paid_at ON orders (json_extract(data, '$.paidAt'), out_trade_no) WHERE json_extract(data, '$.paidAt') IS NOT NULL;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

function currentVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/** Brings the file up to the latest schema; returns the version it is at. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  const known = migrations.length;
  const found = currentVersion(db);
  if (found > known) throw new Error(`database schema version ${found} is newer than this code knows (${known}); refusing to open`);
  for (const migration of migrations) {
    // Already applied: skip without taking the write lock (many connections open at once).
    if (found >= migration.version) continue;
    const apply = db.transaction(() => {
      // Re-read under the write lock: another connection may have applied it meanwhile.
      if (currentVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    });
    apply.immediate();
  }
  return currentVersion(db);
}
