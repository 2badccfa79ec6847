import type { PayScoreOrder, PayScoreState } from '../../domain/payscore/model';

/**
 * PayScore service orders (seed 001): one aggregate whose audit trail (`history`) is part of the
 * record, so a change and its audit entry are one write. Every change is a compare-and-set on
 * `version`; a lost race is `false`. The trail is append-only: an update that drops or rewrites
 * an entry is INVALID_RECORD.
 */
export interface PayScoreRepository {
  /** Version 1 with its creation entry. DUPLICATE (field outOrderNo) when the number is taken. */
  insertPayScoreOrder(order: PayScoreOrder): Promise<void>;
  getPayScoreOrder(outOrderNo: string): Promise<PayScoreOrder | null>;
  /** Replaces the order only if its stored version is `expectedVersion` (`next.version` = that + 1). */
  updatePayScoreOrder(next: PayScoreOrder, expectedVersion: number): Promise<boolean>;
  /** Orders in `state` unchanged since before `olderThan` (ms epoch), least recently changed first. */
  listPayScoreOrdersInState(state: PayScoreState, query: { olderThan: number; limit: number }): Promise<PayScoreOrder[]>;
}
