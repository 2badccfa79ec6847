import type { Alert } from '../../domain/orders/alerts';
import type { Page, PageRequest } from './paging';

/** Admin alerts: facts that need a person (payments on closed orders, refunds gone wrong). */
export interface AlertRepository {
  /**
   * Records an admin alert; `false` (nothing written) when one with this id exists — ids are
   * derived from the fact, so a fact reported again is one alert. Throws INVALID_RECORD when unsound.
   */
  insertAlert(alert: Alert): Promise<boolean>;
  /** Newest first (createdAt, then id, descending); cursor as for orders. */
  listAlerts(page: PageRequest): Promise<Page<Alert>>;
  /**
   * Compare-and-set on "not yet acknowledged": the first caller stamps `acknowledgedAt` and gets
   * `acknowledged`; a later (or concurrent, losing) caller gets `alreadyAcknowledged` with the
   * stamp that won. Nothing else of the alert changes.
   */
  acknowledgeAlert(id: string, at: number): Promise<AcknowledgeOutcome>;
}

export type AcknowledgeOutcome = { kind: 'acknowledged' | 'alreadyAcknowledged'; alert: Alert } | { kind: 'notFound' };
