/**
 * The Store on an embedded SQLite file (better-sqlite3): the default for `npm start` and the
 * tests. Every repository over one connection (`connection.ts`), each preparing its statements
 * once, here, for the life of the store.
 */
import type { Store } from '../port';
import { openSqliteConnection, type SqliteStoreOptions } from './connection';
import { createSqliteAlertRepository } from './alerts';
import { createSqliteMerchantConsoleQueries } from './merchant-console';
import { createSqliteNotificationLog } from './notifications';
import { createSqliteOrderRepository } from './orders';
import { createSqlitePayeeRepository } from './payees';
import { createSqliteRefundRepository } from './refunds';
import { createSqlitePayScoreRepository } from './payscore';

export type { SqliteStoreOptions } from './connection';

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  const connection = openSqliteConnection(file, options);
  return {
    ...createSqliteOrderRepository(connection),
    ...createSqliteRefundRepository(connection),
    ...createSqlitePayeeRepository(connection),
    ...createSqliteNotificationLog(connection),
    ...createSqliteAlertRepository(connection),
    ...createSqlitePayScoreRepository(connection),
    ...createSqliteMerchantConsoleQueries(connection),
    async close() {
      connection.close();
    },
  };
}
