/**
 * Opens the configured Store. Both adapters sit behind the same port; callers pick one by config
 * and never import an adapter directly. The sqlite adapter loads better-sqlite3 lazily, so a cloud
 * bundle that only ever opens `cloudbase` never loads the native module.
 *
 * The store only stores: the domain's loop (transition → compare-and-set → audit) is
 * `domain/ledger.ts`, which uses this port and is not reachable from it.
 */
import type { CloudbaseDb } from './cloudbase/db';
import { openCloudbaseStore, type CloudbaseStoreOptions } from './cloudbase/store';
import type { SqliteStoreOptions } from './sqlite/store';
import type { Store } from './port';

export type StoreConfig =
  | ({ kind: 'sqlite'; file: string } & SqliteStoreOptions)
  | ({ kind: 'cloudbase'; db: CloudbaseDb } & CloudbaseStoreOptions);

export function openStore(config: StoreConfig): Store {
  switch (config.kind) {
    case 'sqlite':
      return openSqlite(config.file, config);
    case 'cloudbase':
      return openCloudbaseStore(config.db, config);
  }
}

/**
 * The sqlite adapter is required only when a sqlite store is opened. The function build keeps it
 * out of `index.js` (cloud functions run on CloudBase and never open SQLite) and ships it beside
 * the bundle as `sqlite/store.js` for the local host; see gulpfile.ts `SIDE_MODULES`.
 */
function openSqlite(file: string, options: SqliteStoreOptions): Store {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openSqliteStore } = require('./sqlite/store') as typeof import('./sqlite/store');
  return openSqliteStore(file, options);
}

export type {
  Store,
  OrderRepository,
  RefundRepository,
  PayeeRepository,
  NotificationLog,
  AlertRepository,
  Page,
  PageRequest,
  Payee,
  PayeeAuthState,
  NotificationReceipt,
  StoreErrorCode,
} from './port';
export { StoreError, isStoreError, MAX_PAGE_LIMIT } from './port';
export type { CloudbaseDb } from './cloudbase/db';
