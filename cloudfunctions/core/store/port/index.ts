/**
 * The store port: one repository per aggregate, each in its own file, so a new aggregate adds a
 * repository instead of fattening one interface. Two adapters implement every repository —
 * `sqlite` (embedded, local/tests) and `cloudbase` (production) — and one contract suite per
 * repository (`test/unit/store/contract/`) holds both to the same semantics.
 *
 * Every state change is a compare-and-set on the record's `version`: a writer that read version n
 * writes n+1 only if the stored record is still at n. A lost race is `false`, never an exception,
 * so concurrent notifications and queries can each re-read and retry or stop.
 *
 * A service declares the repositories it uses (e.g. `OrderRepository & NotificationLog`);
 * `openStore()` hands out the composed `Store`, which is every repository over one connection.
 */
import type { AlertRepository } from './alerts';
import type { MerchantConsoleQueries } from './merchant-console';
import type { NotificationLog } from './notifications';
import type { OrderRepository } from './orders';
import type { PayeeRepository } from './payees';
import type { PayScoreRepository } from './payscore';
import type { RefundRepository } from './refunds';

export interface Store extends OrderRepository, RefundRepository, PayeeRepository, NotificationLog, AlertRepository, PayScoreRepository, MerchantConsoleQueries {
  close(): Promise<void>;
}

export type { AlertRepository, AcknowledgeOutcome } from './alerts';
export type { MerchantConsoleQueries, MoneyTotal, NotificationRecord, OrderFilter, TimeRange } from './merchant-console';
export type { NotificationEntry, NotificationLog, NotificationReceipt } from './notifications';
export type { OrderRepository, PaidPosition } from './orders';
export type { Payee, PayeeAuthState, PayeeRepository } from './payees';
export type { RefundRepository } from './refunds';
export type { PayScoreRepository } from './payscore';
export type { Page, PageRequest } from './paging';
export { MAX_PAGE_LIMIT } from './paging';
export type { StoreErrorCode } from './errors';
export { StoreError, isStoreError } from './errors';
