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
const TABLES: Record<string, string> = { orders: 'orders', audit: 'audit', refunds: 'refunds', payees: 'payees', alerts: 'alerts' };
const COLUMNS: Record<string, Record<string, string>> = {
  orders: { _id: 'out_trade_no', payerOpenid: 'payer_openid', idempotencyKey: 'idempotency_key', 'payee.openid': 'payee_openid', createdAt: 'created_at', updatedAt: 'updated_at', state: 'state', combineOutTradeNo: 'combine_out_trade_no' },
  // The audit `_id` is `<outTradeNo>:<version>`, in insertion order like SQLite's `seq`.
  audit: { outTradeNo: 'out_trade_no', _id: 'seq' },
  refunds: { outTradeNo: 'out_trade_no', createdAt: 'created_at', _id: 'out_refund_no' },
  payees: { shareCode: 'share_code' },
  alerts: { createdAt: 'created_at', _id: 'id' },
};

type IndexColumn = { name: string; desc: boolean };

function sqliteIndexes(db: Database.Database, table: string): IndexColumn[][] {
  const list = db.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string }>;
  return list.map(({ name }) =>
    (db.prepare(`PRAGMA index_xinfo(${JSON.stringify(name)})`).all() as Array<{ name: string | null; desc: number; key: number }>)
      .filter((c) => c.key === 1 && c.name !== null)
      .map((c) => ({ name: c.name!, desc: c.desc === 1 })),
  );
}

describe('indexes (issue 16: flat cost at a million orders)', () => {
  const db = new Database(':memory:');
  migrate(db);
  afterAll(() => db.close());

  it.each(CLOUDBASE_INDEXES.map((index) => [describeCloudbaseIndex(index), index] as const))('SQLite has the CloudBase index %s', (_, index) => {
    const table = TABLES[index.collection]!;
    const wanted = index.fields.map(([field, order]) => ({ name: COLUMNS[index.collection]![field]!, desc: order === 'desc' }));
    // The rowid-aliasing `seq` is every index's implicit last column.
    const trimmed = wanted.filter((c) => c.name !== 'seq');
    const found = sqliteIndexes(db, table).some((columns) => trimmed.every((c, i) => columns[i]?.name === c.name && (columns.length === 1 || columns[i]!.desc === c.desc)));
    expect({ index: describeCloudbaseIndex(index), found }).toEqual({ index: describeCloudbaseIndex(index), found: true });
  });

  it('the listings that must not scan use an index in SQLite (query plans)', () => {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const queries = [
      "SELECT data FROM orders WHERE payer_openid = 'o' ORDER BY created_at DESC, out_trade_no DESC LIMIT 21",
      "SELECT data FROM orders WHERE state = 'PAYING' AND updated_at < 5 ORDER BY updated_at ASC, out_trade_no ASC LIMIT 50",
      "SELECT data FROM orders WHERE payer_openid = 'o' AND idempotency_key = 'k'",
      "SELECT data FROM audit WHERE out_trade_no = 'T' ORDER BY seq ASC",
    ];
    for (const sql of queries) {
      const detail = plan(sql);
      expect({ sql, scans: /SCAN orders|SCAN audit/.test(detail), sorts: /TEMP B-TREE/.test(detail) }).toEqual({ sql, scans: false, sorts: false });
    }
  });

  it('the README deploy step lists every CloudBase index', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const index of CLOUDBASE_INDEXES) expect(readme).toContain(describeCloudbaseIndex(index));
  });
});
