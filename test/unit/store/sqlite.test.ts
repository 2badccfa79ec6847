import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../cloudfunctions/core/store/sqlite/store';
import { openSqliteConnection } from '../../../cloudfunctions/core/store/sqlite/connection';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../../cloudfunctions/core/store/sqlite/migrations';
import { openStore } from '../../../cloudfunctions/core/store';
import { describeStoreContract } from './contract';
import { SqliteRace } from './sqlite-race';
import { T0, freshOrder } from '../domain/orders/fixtures';
import { newRefundRecord } from '../../../cloudfunctions/core/domain/orders/model';
import { newAlertRecord } from '../../../cloudfunctions/core/domain/orders/alerts';
import { transition } from '../../../cloudfunctions/core/domain/orders/state-machine';

const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
const file = join(dir, 'contract.db');
let race: SqliteRace | undefined;
const getRace = () => (race ??= new SqliteRace(dir));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('sqlite (temp file, worker-thread contenders)', {
  open: async () => openSqliteStore(file),
  raceUpdates: (attempts) => getRace().updates(file, attempts),
  raceNotifications: (id, n) => getRace().notifications(file, id, n),
  timeoutMs: 60_000,
});

describeStoreContract('sqlite (:memory:)', {
  open: (() => {
    // One connection: a second `:memory:` connection would be a different database.
    let shared: ReturnType<typeof openSqliteStore> | undefined;
    return async () => {
      shared ??= openSqliteStore(':memory:');
      return { ...shared, close: async () => undefined };
    };
  })(),
});

describe('sqlite specifics', () => {
  it('runs on WAL with a busy timeout, and records each migration once', async () => {
    const path = join(dir, 'pragmas.db');
    const store = openStore({ kind: 'sqlite', file: path });
    await store.insertOrder(freshOrder());
    await store.close();
    const again = openSqliteStore(path); // re-open: nothing re-applied
    await again.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version, name FROM schema_version ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      db.close();
    }
  });

  it('each connection keeps a 16 MiB page cache (interior B-tree pages of a million orders stay in it), WAL with synchronous NORMAL, no memory map', () => {
    const connection = openSqliteConnection(join(dir, 'cache.db'));
    try {
      expect(connection.db.pragma('cache_size', { simple: true })).toBe(-16384);
      expect(connection.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(connection.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(connection.db.pragma('mmap_size', { simple: true })).toBe(0);
    } finally {
      connection.close();
    }
  });

  it('migrates safely when many connections open a brand-new file at the same moment', async () => {
    const fresh = join(dir, 'fresh.db');
    const results = await getRace().notifications(fresh, 'first-notification', 20);
    expect(results.filter(Boolean)).toHaveLength(1);
    const db = new Database(fresh, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual({ n: MIGRATIONS.length });
    } finally {
      db.close();
    }
  }, 60_000);

  it('prepares its statements and transactions once per store, never per call', async () => {
    const prepare = jest.spyOn(Database.prototype, 'prepare');
    const transaction = jest.spyOn(Database.prototype, 'transaction');
    const store = openSqliteStore(join(dir, 'prepared.db'));
    try {
      const atOpen = { prepare: prepare.mock.calls.length, transaction: transaction.mock.calls.length };
      expect(atOpen.prepare).toBeGreaterThan(0); // the spies do see the store's connection
      // Every method of every repository, twice.
      for (let round = 0; round < 2; round++) {
        const order = freshOrder({ payerOpenid: `o-prepared-${round}`, payee: { openid: 'o-prepared-payee', displayName: 'Ada' } });
        await store.insertOrder(order);
        const step = transition(order, { type: 'PREPAY_CREATED', prepayId: `p-${round}` }, T0 + 1000, 'user');
        if (step.kind !== 'applied') throw new Error('test setup: transition not applied');
        await store.updateOrder(step.next, order.version, step.audit);
        await store.getOrder(order.outTradeNo);
        await store.getOrderByCombineOutTradeNo('none');
        await store.findOrderByIdempotencyKey(order.payerOpenid, order.idempotencyKey);
        const page = await store.listOrdersByPayer(order.payerOpenid, { limit: 1 });
        await store.listOrdersByPayee('o-prepared-payee', { limit: 1, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) });
        await store.listOrdersInState('PAYING', { olderThan: T0 + 5000, limit: 10 });
        await store.listAudit(order.outTradeNo);
        const refund = newRefundRecord({ outRefundNo: `R-prepared-${round}`, outTradeNo: order.outTradeNo, amount: 10 }, T0);
        await store.insertRefund(refund);
        await store.updateRefund({ ...refund, state: 'SUCCESS', version: 2, updatedAt: T0 + 1 }, 1);
        await store.getRefund(refund.outRefundNo);
        await store.listRefunds(order.outTradeNo);
        await store.upsertPayee({ openid: `o-payee-${round}`, displayName: 'Ada', shareCode: `code-${round}`, authState: 'UNAUTHORIZED', checkedAt: T0, version: 1 });
        await store.getPayee(`o-payee-${round}`);
        await store.getPayeeByShareCode(`code-${round}`);
        await store.recordNotification(`n-prepared-${round}`, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 });
        await store.insertAlert(newAlertRecord({ kind: 'REFUND_CLOSED', outTradeNo: order.outTradeNo, outRefundNo: refund.outRefundNo, message: 'closed' }, T0 + round));
        const alerts = await store.listAlerts({ limit: 1 });
        if (alerts.nextCursor) await store.listAlerts({ limit: 1, cursor: alerts.nextCursor });
        await store.acknowledgeAlert(alerts.items[0].id, T0 + 10);
        const all = await store.listAllOrders({ state: 'PAYING', createdFrom: T0 - 1 }, { limit: 1 });
        if (all.nextCursor) await store.listAllOrders({ state: 'PAYING', createdFrom: T0 - 1 }, { limit: 1, cursor: all.nextCursor });
        await store.sumPayments({ from: T0, before: T0 + 1000 });
        await store.sumRefunds({ from: T0, before: T0 + 1000 });
        await store.listNotificationsOf(order.outTradeNo);
      }
      expect({ prepare: prepare.mock.calls.length, transaction: transaction.mock.calls.length }).toEqual(atOpen);
    } finally {
      prepare.mockRestore();
      transaction.mockRestore();
      await store.close();
    }
  });

  it('a compare-and-set update names no identity column, so SQLite leaves their indexes alone (issue 16)', async () => {
    // SQLite rewrites every index over a column named in SET, even to the same value; an
    // `UPDATE OF <column>` trigger fires on exactly that condition, so it shows which were named.
    const path = join(dir, 'identity-untouched.db');
    await openSqliteStore(path).close();
    const setup = new Database(path);
    setup.exec(`CREATE TABLE identity_named (n INTEGER);
      CREATE TRIGGER identity_named AFTER UPDATE OF payer_openid, idempotency_key, combine_out_trade_no, created_at ON orders BEGIN INSERT INTO identity_named VALUES (1); END;`);
    setup.close();
    const store = openSqliteStore(path);
    const order = freshOrder();
    await store.insertOrder(order);
    const step = transition(order, { type: 'PREPAY_CREATED', prepayId: 'p-identity' }, T0 + 1000, 'user');
    if (step.kind !== 'applied') throw new Error('test setup: transition not applied');
    expect(await store.updateOrder(step.next, order.version, step.audit)).toBe(true);
    await expect(store.updateOrder({ ...step.next, version: 3, payerOpenid: 'o-someone-else' }, 2, { ...step.audit, at: T0 + 2000 })).rejects.toThrow(/payerOpenid cannot change/);
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM identity_named').get()).toEqual({ n: 0 });
      expect(JSON.parse((db.prepare('SELECT data FROM orders').get() as { data: string }).data)).toMatchObject({ state: 'PAYING', version: 2, payerOpenid: order.payerOpenid });
    } finally {
      db.close();
    }
  });

  it('refuses to edit or delete audit rows, even from raw SQL', async () => {
    const path = join(dir, 'audit.db');
    const store = openSqliteStore(path);
    const order = freshOrder();
    await store.insertOrder(order);
    await store.close();
    const db = new Database(path);
    try {
      expect(() => db.prepare("UPDATE audit SET data = '{}'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
      expect(db.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('refuses a database whose schema is newer than the code', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', 1);
      expect(() => migrate(db)).toThrow(/newer than this code knows/);
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back completely', () => {
    const db = new Database(':memory:');
    try {
      const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }];
      expect(() => migrate(db, broken)).toThrow(/no_such_table/);
      expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: LATEST_SCHEMA_VERSION });
    } finally {
      db.close();
    }
  });

  it('loads better-sqlite3 only when a sqlite store is opened (cloud bundles never need it)', () => {
    // Bundle the factory as a cloud function would: better-sqlite3 external, and placed where it
    // cannot be resolved. A cloudbase store must then work; only opening sqlite may fail.
    buildSync({
      entryPoints: { index: join(__dirname, '../../../cloudfunctions/core/store/index.ts'), 'cloudbase-fake': join(__dirname, '../../fakes/cloudbase-fake.ts') },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outdir: join(dir, 'bundle'),
      external: ['better-sqlite3'],
      logLevel: 'silent',
    });
    const script = `
      const { openStore } = require(${JSON.stringify(join(dir, 'bundle', 'index.js'))});
      const { FakeCloudbaseDb } = require(${JSON.stringify(join(dir, 'bundle', 'cloudbase-fake.js'))});
      (async () => {
        const store = openStore({ kind: 'cloudbase', db: new FakeCloudbaseDb() });
        const ok = await store.recordNotification('n1', { eventType: 'X', receivedAt: 1 });
        let sqlite;
        try { openStore({ kind: 'sqlite', file: ':memory:' }); sqlite = 'opened'; } catch (e) { sqlite = e.code; }
        console.log(JSON.stringify({ ok, sqlite }));
      })();
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ ok: true, sqlite: 'MODULE_NOT_FOUND' });
  });
});
