/**
 * Issue 16 (scale): the queries that must stay flat at a million orders run on indexes, and the
 * CloudBase adapter's declared indexes are the SQLite migrations' and the README's deploy list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../../cloudfunctions/core/store/sqlite/migrations';
import { CLOUDBASE_INDEXES, describeCloudbaseIndex } from '../../../cloudfunctions/core/store/cloudbase/indexes';

/** CloudBase collection/field → SQLite table/column (the sqlite rows keep records whole in `data`). */
const TABLES: Record<string, string> = { orders: 'orders', audit: 'audit', refunds: 'refunds', payees: 'payees', alerts: 'alerts', payscore_orders: 'payscore_orders', notifications: 'notifications' };
/** Fields kept only in the JSON `data` are indexed by expression in SQLite (`expr:` + the expression). */
const COLUMNS: Record<string, Record<string, string>> = {
  orders: {
    _id: 'out_trade_no', payerOpenid: 'payer_openid', idempotencyKey: 'idempotency_key', 'payee.openid': 'payee_openid', createdAt: 'created_at', updatedAt: 'updated_at', state: 'state', combineOutTradeNo: 'combine_out_trade_no',
    paidAt: "expr:json_extract(data, '$.paidAt')",
  },
  // The audit `_id` is `<outTradeNo>:<version>`, in insertion order like SQLite's `seq`.
  audit: { outTradeNo: 'out_trade_no', _id: 'seq' },
  refunds: { outTradeNo: 'out_trade_no', createdAt: 'created_at', _id: 'out_refund_no', succeededAt: "expr:json_extract(data, '$.succeededAt')" },
  payees: { shareCode: 'share_code' },
  alerts: { createdAt: 'created_at', _id: 'id' },
  payscore_orders: { state: 'state', updatedAt: 'updated_at', _id: 'out_order_no' },
  notifications: { outTradeNo: 'out_trade_no' },
};

/** SQLite indexes with no CloudBase twin, and why. */
const SQLITE_ONLY: Record<string, string> = {
  orders_by_combine_transaction_id: 'a unique key: CloudBase keeps it as a guard document in `uniques`, read by _id',
};

type IndexColumn = { name: string; desc: boolean };

function sqliteIndexes(db: Database.Database, table: string): Array<{ index: string; columns: IndexColumn[] }> {
  const list = db.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string }>;
  return list.map(({ name }) => {
    const sql = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string | null } | undefined)?.sql ?? '';
    const columns = (db.prepare(`PRAGMA index_xinfo(${JSON.stringify(name)})`).all() as Array<{ name: string | null; desc: number; key: number; cid: number }>)
      .filter((c) => c.key === 1 && (c.name !== null || c.cid === -2))
      // An expression column (cid -2) is named by the expression of the index's definition.
      .map((c) => ({ name: c.name ?? `expr:${/ON \w+ \((json_extract\([^)]*\))/.exec(sql)?.[1] ?? '?'}`, desc: c.desc === 1 }));
    return { index: name, columns };
  });
}

function twinOf(db: Database.Database, index: (typeof CLOUDBASE_INDEXES)[number]): string | undefined {
  const wanted = index.fields.map(([field, order]) => ({ name: COLUMNS[index.collection]![field]!, desc: order === 'desc' }));
  // The rowid-aliasing `seq` is every index's implicit last column.
  const trimmed = wanted.filter((c) => c.name !== 'seq');
  return sqliteIndexes(db, TABLES[index.collection]!).find(({ columns }) => trimmed.every((c, i) => columns[i]?.name === c.name && (columns.length === 1 || columns[i]!.desc === c.desc)))?.index;
}

describe('indexes (issue 16: flat cost at a million orders)', () => {
  const db = new Database(':memory:');
  migrate(db);
  afterAll(() => db.close());

  it.each(CLOUDBASE_INDEXES.map((index) => [describeCloudbaseIndex(index), index] as const))('SQLite has the CloudBase index %s', (_, index) => {
    const found = twinOf(db, index) !== undefined;
    expect({ index: describeCloudbaseIndex(index), found }).toEqual({ index: describeCloudbaseIndex(index), found: true });
  });

  it('every index of the SQLite migrations is one the CloudBase adapter declares (or says why not)', () => {
    const twins = new Set(CLOUDBASE_INDEXES.map((index) => twinOf(db, index)));
    const named = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(named.filter((name) => !twins.has(name) && !(name in SQLITE_ONLY))).toEqual([]);
  });

  it('the listings that must not scan use an index in SQLite (query plans)', () => {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const queries = [
      "SELECT data FROM orders WHERE payer_openid = 'o' ORDER BY created_at DESC, out_trade_no DESC LIMIT 21",
      "SELECT data FROM orders WHERE state = 'PAYING' AND updated_at < 5 ORDER BY updated_at ASC, out_trade_no ASC LIMIT 50",
      // reconcile's next page (after the last order of the previous one)
      "SELECT data FROM orders WHERE state = 'PAYING' AND updated_at < 5 AND (updated_at > 1 OR (updated_at = 1 AND out_trade_no > 'T')) ORDER BY updated_at ASC, out_trade_no ASC LIMIT 50",
      "SELECT data FROM payscore_orders WHERE state = 'CREATED' AND updated_at < 5 ORDER BY updated_at, out_order_no LIMIT 50",
      "SELECT data FROM orders WHERE payer_openid = 'o' AND idempotency_key = 'k'",
      "SELECT data FROM audit WHERE out_trade_no = 'T' ORDER BY seq ASC",
      // the daily statement's pages of a day's payments (sqlite/orders.ts paidIn, paidInAfter)
      "SELECT data FROM orders WHERE json_extract(data, '$.paidAt') >= 1 AND json_extract(data, '$.paidAt') < 9 ORDER BY json_extract(data, '$.paidAt') ASC, out_trade_no ASC LIMIT 100",
      "SELECT data FROM orders WHERE json_extract(data, '$.paidAt') >= 3 AND json_extract(data, '$.paidAt') < 9 AND (json_extract(data, '$.paidAt') > 3 OR (json_extract(data, '$.paidAt') = 3 AND out_trade_no > 'T')) ORDER BY json_extract(data, '$.paidAt') ASC, out_trade_no ASC LIMIT 100",
      // the console's total of a day's payments
      "SELECT COUNT(*) AS count, SUM(json_extract(data, '$.amount')) AS amount FROM orders WHERE json_extract(data, '$.paidAt') >= 1 AND json_extract(data, '$.paidAt') < 9",
    ];
    for (const sql of queries) {
      const detail = plan(sql);
      expect({ sql, scans: /SCAN (orders|audit|payscore_orders)/.test(detail), sorts: /TEMP B-TREE/.test(detail) }).toEqual({ sql, scans: false, sorts: false });
    }
  });

  it('the README deploy step lists every CloudBase index', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const index of CLOUDBASE_INDEXES) expect(readme).toContain(describeCloudbaseIndex(index));
  });
});
