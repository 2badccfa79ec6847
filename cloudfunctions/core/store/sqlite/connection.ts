/**
 * One SQLite connection (better-sqlite3) shared by every sqlite repository of a store, and the
 * helpers they share: row decoding, IMMEDIATE transactions, constraint errors as StoreError.
 *
 * WAL lets readers proceed while one writer commits; every write runs in an IMMEDIATE
 * transaction so concurrent writers queue on the busy timeout instead of failing on a lock
 * upgrade. Statements are prepared once, when a repository is built, and reused for every call.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../port';
import { migrate } from './migrations';
import { logCheckpointedElsewhere, withWriteGate } from './write-gate';

export interface SqliteStoreOptions {
  /** How long a writer waits for the lock before failing (ms). */
  busyTimeoutMs?: number;
}

/** Every table keeps the whole record as JSON in `data`; the other columns index and constrain. */
export type Row = { data: string };

export function parse<T>(row: Row | undefined): T | null {
  return row ? (JSON.parse(row.data) as T) : null;
}

export function parseAll<T>(rows: Row[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

export interface SqliteConnection {
  readonly db: Database;
  /** `fn` as a write transaction that takes the lock up front (BEGIN IMMEDIATE), inside the process's write gate. */
  immediate<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** A single-statement write (its own implicit transaction) inside the process's write gate. */
  write<R>(fn: () => R): R;
  close(): void;
}

/**
 * The journal, durability and cache settings of every store connection (the bench's baseline uses
 * the same). `cache_size`: 16 MiB of pages per connection instead of SQLite's 2 MiB default
 * (https://www.sqlite.org/pragma.html#pragma_cache_size), so the interior pages of the order
 * B-trees and indexes stay in the connection at a million orders and a lookup reads only its
 * leaf. No `mmap_size`: mapped pages count in the process's resident memory as they are touched,
 * which would grow with the store instead of with the cache's bound.
 */
/**
 * SQLite's own checkpoint threshold (pages; its default is 1,000) where a checkpointer thread keeps
 * the log short: reached only if that thread stopped or fell behind.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

export const SQLITE_PRAGMAS: readonly string[] = ['journal_mode = WAL', 'synchronous = NORMAL', 'cache_size = -16384'];

/** Opens (creating or migrating) the file, in WAL mode with a busy timeout. */
export function openSqliteConnection(file: string, options: SqliteStoreOptions = {}): SqliteConnection {
  // Lazy: better-sqlite3 is a native module; cloud bundles that never open SQLite never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  const db: Database = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
  // Where the function host checkpoints the log on a thread of its own (sandbox/host/checkpointer.ts),
  // SQLite's automatic checkpoint inside a COMMIT stays only as the fallback.
  if (logCheckpointedElsewhere()) db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  migrate(db);
  let closed = false;
  return {
    db,
    immediate: (fn) => {
      const transaction = db.transaction(fn);
      return (...args) => withWriteGate(() => transaction.immediate(...args));
    },
    write: withWriteGate,
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/**
 * Runs a write; a UNIQUE/PRIMARY KEY violation becomes the port's DUPLICATE error (naming the key),
 * a StoreError passes through, anything else is rethrown.
 */
export function writeOrDuplicate<R>(subject: string, write: () => R): R {
  try {
    return write();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const e = error as { code?: string; message?: string };
    if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
      const message = e.message ?? '';
      const columns = [
        ['idempotency_key', 'idempotencyKey'],
        ['combine_transaction_id', 'combineTransactionId'],
        ['combine_out_trade_no', 'combineOutTradeNo'],
        ['share_code', 'shareCode'],
        ['out_refund_no', 'outRefundNo'],
      ] as const;
      const field = columns.find(([column]) => message.includes(column))?.[1] ?? 'outTradeNo';
      throw new StoreError('DUPLICATE', `${subject}: ${field} already exists`, field);
    }
    throw error;
  }
}
