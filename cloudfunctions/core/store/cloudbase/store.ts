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
import type { Store } from '../port';
import type { CloudbaseDb } from './db';
import { cloudbaseConnection, type CloudbaseStoreOptions } from './connection';
import { ALERT_COLLECTIONS, createCloudbaseAlertRepository } from './alerts';
import { createCloudbaseMerchantConsoleQueries } from './merchant-console';
import { NOTIFICATION_COLLECTIONS, createCloudbaseNotificationLog } from './notifications';
import { ORDER_COLLECTIONS, createCloudbaseOrderRepository } from './orders';
import { PAYEE_COLLECTIONS, createCloudbasePayeeRepository } from './payees';
import { REFUND_COLLECTIONS, createCloudbaseRefundRepository } from './refunds';
import { PAYSCORE_COLLECTIONS, createCloudbasePayScoreRepository } from './payscore';

export type { CloudbaseStoreOptions } from './connection';

/** The collections each repository needs; the README's deploy section lists the same. */
export const CLOUDBASE_COLLECTIONS_BY_REPOSITORY = {
  OrderRepository: ORDER_COLLECTIONS,
  RefundRepository: REFUND_COLLECTIONS,
  PayeeRepository: PAYEE_COLLECTIONS,
  NotificationLog: NOTIFICATION_COLLECTIONS,
  AlertRepository: ALERT_COLLECTIONS,
  PayScoreRepository: PAYSCORE_COLLECTIONS,
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
    ...createCloudbasePayScoreRepository(connection),
    ...createCloudbaseMerchantConsoleQueries(connection),
    async close() {
      // The SDK keeps no connection of ours to release.
    },
  };
}
