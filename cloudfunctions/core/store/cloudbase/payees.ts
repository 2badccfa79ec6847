/** Payees on CloudBase: `payees` (_id = openid) and their share-code guards in `uniques`. */
import type { Payee, PayeeRepository } from '../port';
import { StoreError } from '../port';
import { checkPayee } from '../checks';
import { getInTransaction, guardId, toData, type CloudbaseConnection } from './connection';

/** The collections this repository writes (create them before deploying). */
export const PAYEE_COLLECTIONS = ['payees', 'uniques'] as const;

export function createCloudbasePayeeRepository({ inTransaction, transact, findOne }: CloudbaseConnection): PayeeRepository {
  return {
    async upsertPayee(payee) {
      checkPayee(payee);
      return transact(async (tx) => {
        const doc = inTransaction(tx, 'payees').doc(payee.openid);
        const uniques = inTransaction(tx, 'uniques');
        const stored = await getInTransaction<Payee>(doc);
        if (payee.version === 1 ? stored !== null : stored?.version !== payee.version - 1) return false;
        const share = guardId('share', payee.shareCode);
        const holder = await getInTransaction<{ openid: string }>(uniques.doc(share));
        if (holder && holder.openid !== payee.openid) throw new StoreError('DUPLICATE', `share code ${payee.shareCode} is taken`, 'shareCode');
        if (stored && stored.shareCode !== payee.shareCode) await uniques.doc(guardId('share', stored.shareCode)).remove();
        if (!holder) await uniques.doc(share).set({ data: { kind: 'shareCode', openid: payee.openid } });
        await doc.set({ data: toData(payee) });
        return true;
      });
    },
    async getPayee(openid) {
      return findOne<Payee>('payees', { _id: openid });
    },
    async getPayeeByShareCode(shareCode) {
      return findOne<Payee>('payees', { shareCode });
    },
  };
}
