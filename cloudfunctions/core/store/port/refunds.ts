import type { Refund } from '../../domain/orders/model';

/** Refund records, one per `out_refund_no`; their history lives in the order's audit trail. */
export interface RefundRepository {
  /** Throws StoreError DUPLICATE (field outRefundNo) if the number exists. */
  insertRefund(refund: Refund): Promise<void>;
  getRefund(outRefundNo: string): Promise<Refund | null>;
  listRefunds(outTradeNo: string): Promise<Refund[]>;
  /** Compare-and-set on version, as `OrderRepository.updateOrder` (no audit entry of its own). */
  updateRefund(next: Refund, expectedVersion: number): Promise<boolean>;
}
