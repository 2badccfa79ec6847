/**
 * Opens the configured Store. Both adapters sit behind the same port; callers pick one by config
 * and never import an adapter directly. The sqlite adapter loads better-sqlite3 lazily, so a cloud
 * bundle that only ever opens `cloudbase` never loads the native module.
 */
import type { CloudbaseDb } from './cloudbase/db';
import { openCloudbaseStore, type CloudbaseStoreOptions } from './cloudbase/store';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/store';
import type { Store } from './port';

export type StoreConfig =
  | ({ kind: 'sqlite'; file: string } & SqliteStoreOptions)
  | ({ kind: 'cloudbase'; db: CloudbaseDb } & CloudbaseStoreOptions);

export function openStore(config: StoreConfig): Store {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore(config.file, config);
    case 'cloudbase':
      return openCloudbaseStore(config.db, config);
  }
}

export type { Store, Page, PageRequest, Payee, PayeeAuthState, NotificationReceipt, StoreErrorCode } from './port';
export { StoreError, isStoreError, MAX_PAGE_LIMIT } from './port';
export type { CloudbaseDb } from './cloudbase/db';
