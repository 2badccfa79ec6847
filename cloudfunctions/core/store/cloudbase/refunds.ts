/** Refunds on CloudBase: `refunds` (_id = outRefundNo); updates are a transaction comparing the version. */
import type { Refund } from '../../domain/orders/model';
import type { RefundRepository } from '../port';
import { StoreError } from '../port';
import { checkNewRefund, checkRefundUpdate } from '../checks';
import { QUERY_MAX, fromDocuments, getInTransaction, toData, type CloudbaseConnection } from './connection';

/** The collections this repository writes (create them before deploying). */
export const REFUND_COLLECTIONS = ['refunds'] as const;

export function createCloudbaseRefundRepository({ collection, inTransaction, transact, findOne, addUnique }: CloudbaseConnection): RefundRepository {
  return {
    async insertRefund(refund) {
      checkNewRefund(refund);
      if (!(await addUnique('refunds', refund.outRefundNo, toData(refund)))) {
        throw new StoreError('DUPLICATE', `refund ${refund.outRefundNo} already exists`, 'outRefundNo');
      }
    },
    async getRefund(outRefundNo) {
      return findOne<Refund>('refunds', { _id: outRefundNo });
    },
    async listRefunds(outTradeNo) {
      const { data } = await collection('refunds').where({ outTradeNo }).orderBy('createdAt', 'asc').orderBy('_id', 'asc').limit(QUERY_MAX).get();
      return fromDocuments<Refund>(data);
    },
    async updateRefund(next, expectedVersion) {
      checkRefundUpdate(next, expectedVersion);
      return transact(async (tx) => {
        const doc = inTransaction(tx, 'refunds').doc(next.outRefundNo);
        const stored = await getInTransaction<Refund>(doc);
        if (!stored || stored.version !== expectedVersion) return false;
        await doc.set({ data: toData(next) });
        return true;
      });
    },
  };
}
