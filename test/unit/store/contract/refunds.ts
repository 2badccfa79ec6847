/**
 * RefundRepository contract.
 */
import { newRefundRecord } from '../../../../cloudfunctions/core/domain/orders/model';
import type { RefundRepository } from '../../../../cloudfunctions/core/store/port';
import { T0 } from '../../domain/orders/fixtures';
import { expectStoreError, suiteRepositories, uniq, type RepositorySubject } from './helpers';

export type RefundRepositorySubject = RepositorySubject<RefundRepository>;

export function describeRefundRepositoryContract(name: string, subject: RefundRepositorySubject): void {
  describe(`RefundRepository contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    let store: RefundRepository;
    beforeAll(() => {
      store = repositories.current();
    });

    describe('refunds', () => {
      it('inserts, refuses duplicates, lists per order, and compare-and-sets', async () => {
        const outTradeNo = uniq('O');
        const r1 = newRefundRecord({ outRefundNo: uniq('R'), outTradeNo, amount: 30, reason: 'broken cup' }, T0);
        const r2 = newRefundRecord({ outRefundNo: uniq('R'), outTradeNo, amount: 20 }, T0 + 10);
        await store.insertRefund(r1);
        await store.insertRefund(r2);
        await expectStoreError(store.insertRefund({ ...r1, amount: 1 }), 'DUPLICATE', 'outRefundNo');
        expect(await store.getRefund(r1.outRefundNo)).toEqual(r1);
        expect(await store.getRefund(uniq('R-missing'))).toBeNull();
        expect(await store.listRefunds(outTradeNo)).toEqual([r1, r2]);

        const success = { ...r1, state: 'SUCCESS' as const, refundId: '5030001', version: 2, updatedAt: T0 + 100 };
        expect(await store.updateRefund(success, 1)).toBe(true);
        expect(await store.updateRefund({ ...r1, state: 'CLOSED', version: 2 }, 1)).toBe(false);
        expect(await store.getRefund(r1.outRefundNo)).toEqual(success);
        await expectStoreError(store.updateRefund({ ...success, version: 9 }, 2), 'INVALID_RECORD');
        await expectStoreError(store.insertRefund({ ...r2, outRefundNo: uniq('R'), amount: 1.5 }), 'INVALID_RECORD');
      });
    });
  });
}
