/** PayScore service orders on CloudBase: `payscore_orders` (_id = out_order_no), audit trail inside the record. */
import type { PayScoreOrder } from '../../domain/payscore/model';
import type { PayScoreRepository } from '../port';
import { StoreError } from '../port';
import { checkLimit } from '../paging';
import { checkNewPayScoreOrder, checkPayScoreSuccession, checkPayScoreUpdate } from '../payscore-checks';
import { fromDocuments, getInTransaction, toData, type CloudbaseConnection } from './connection';

export function createCloudbasePayScoreRepository({ command: _, collection, inTransaction, transact, findOne, addUnique }: CloudbaseConnection): PayScoreRepository {
  return {
    async insertPayScoreOrder(order) {
      checkNewPayScoreOrder(order);
      if (!(await addUnique('payscore_orders', order.outOrderNo, toData(order)))) throw new StoreError('DUPLICATE', `service order ${order.outOrderNo} exists`, 'outOrderNo');
    },
    async getPayScoreOrder(outOrderNo) {
      return findOne<PayScoreOrder>('payscore_orders', { _id: outOrderNo });
    },
    async updatePayScoreOrder(next, expectedVersion) {
      checkPayScoreUpdate(next, expectedVersion);
      return transact(async (tx) => {
        const doc = inTransaction(tx, 'payscore_orders').doc(next.outOrderNo);
        const stored = await getInTransaction<PayScoreOrder>(doc);
        if (!stored || stored.version !== expectedVersion) return false;
        checkPayScoreSuccession(stored, next);
        await doc.set({ data: toData(next) });
        return true;
      });
    },
    async listPayScoreOrdersInState(state, query) {
      const { data } = await collection('payscore_orders')
        .where({ state, updatedAt: _.lt(query.olderThan) })
        .orderBy('updatedAt', 'asc')
        .orderBy('_id', 'asc')
        .limit(checkLimit(query.limit))
        .get();
      return fromDocuments<PayScoreOrder>(data);
    },
  };
}
