/**
 * The Store on the CloudBase (微信云开发) database through wx-server-sdk — the production adapter.
 * Every repository over one `CloudbaseConnection` (`connection.ts`: prefix, transactions, guards).
 *
 * Collections, per repository (each file says what its `_id`s are):
 * - orders + audit trail: `orders`, `audit`, `uniques` (guards: idempotency key, combine number,
 *   gateway combine transaction id)
 * - refunds: `refunds`
 * - payees: `payees`, `uniques` (guard: share code)
 * - notifications: `notifications`
 * - alerts: `alerts`
 * - payscore orders (audit trail inside): `payscore_orders`
 */
import type { PayScoreRepository, Store } from '../port';
import type { CloudbaseDb } from './db';
import { cloudbaseConnection, type CloudbaseStoreOptions } from './connection';
import { ALERT_COLLECTIONS, createCloudbaseAlertRepository } from './alerts';
import { createCloudbaseMerchantConsoleQueries } from './merchant-console';
import { NOTIFICATION_COLLECTIONS, createCloudbaseNotificationLog } from './notifications';
import { ORDER_COLLECTIONS, createCloudbaseOrderRepository } from './orders';
import { PAYEE_COLLECTIONS, createCloudbasePayeeRepository } from './payees';
import { REFUND_COLLECTIONS, createCloudbaseRefundRepository } from './refunds';

export type { CloudbaseStoreOptions } from './connection';

/** The collections each repository needs; the README's deploy section lists the same. */
export const CLOUDBASE_COLLECTIONS_BY_REPOSITORY = {
  OrderRepository: ORDER_COLLECTIONS,
  RefundRepository: REFUND_COLLECTIONS,
  PayeeRepository: PAYEE_COLLECTIONS,
  NotificationLog: NOTIFICATION_COLLECTIONS,
  AlertRepository: ALERT_COLLECTIONS,
  // Written by ./payscore.ts (a side bundle, so named here).
  PayScoreRepository: ['payscore_orders'],
} as const;

/** Every collection the store uses, once each (what a deployment must create). */
export const CLOUDBASE_COLLECTIONS: readonly string[] = [...new Set(Object.values(CLOUDBASE_COLLECTIONS_BY_REPOSITORY).flat())];

export function openCloudbaseStore(db: CloudbaseDb, options: CloudbaseStoreOptions = {}): Store {
  const connection = cloudbaseConnection(db, options);
  return {
    ...createCloudbaseOrderRepository(connection),
    ...createCloudbaseRefundRepository(connection),
    ...createCloudbasePayeeRepository(connection),
    ...createCloudbaseNotificationLog(connection),
    ...createCloudbaseAlertRepository(connection),
    ...lazyPayScoreRepository(connection),
    ...createCloudbaseMerchantConsoleQueries(connection),
    async close() {
      // The SDK keeps no connection of ours to release.
    },
  };
}

/**
 * PayScore's repository, loaded at its first call: only PayScore merchants use it, so it is a side
 * bundle (gulpfile SIDE_MODULES, `cloudbase/payscore.js`) like the PayScore runtime that calls it.
 */
function lazyPayScoreRepository(connection: ReturnType<typeof cloudbaseConnection>): PayScoreRepository {
  let repository: PayScoreRepository | undefined;
  const load = () =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (repository ??= (require('./payscore') as typeof import('./payscore')).createCloudbasePayScoreRepository(connection));
  return {
    insertPayScoreOrder: (order) => load().insertPayScoreOrder(order),
    getPayScoreOrder: (outOrderNo) => load().getPayScoreOrder(outOrderNo),
    updatePayScoreOrder: (next, expectedVersion) => load().updatePayScoreOrder(next, expectedVersion),
    listPayScoreOrdersInState: (state, query) => load().listPayScoreOrdersInState(state, query),
  };
}
