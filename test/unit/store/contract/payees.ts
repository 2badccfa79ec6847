/**
 * PayeeRepository contract.
 */
import type { Payee, PayeeRepository } from '../../../../cloudfunctions/core/store/port';
import { T0 } from '../../domain/orders/fixtures';
import { expectStoreError, suiteRepositories, uniq, type RepositorySubject } from './helpers';

export type PayeeRepositorySubject = RepositorySubject<PayeeRepository>;

export function describePayeeRepositoryContract(name: string, subject: PayeeRepositorySubject): void {
  describe(`PayeeRepository contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    let store: PayeeRepository;
    beforeAll(() => {
      store = repositories.current();
    });

    describe('payees', () => {
      const payee = (openid: string, shareCode: string, version: number, extra: Partial<Payee> = {}): Payee => ({
        openid,
        displayName: 'Ada',
        shareCode,
        authState: 'UNAUTHORIZED',
        checkedAt: T0,
        version,
        ...extra,
      });

      it('creates at version 1 and replaces only the version before', async () => {
        const openid = uniq('o-payee');
        const code = uniq('code');
        expect(await store.upsertPayee(payee(openid, code, 1))).toBe(true);
        expect(await store.upsertPayee(payee(openid, code, 1, { displayName: 'Again' }))).toBe(false);
        const v2 = payee(openid, code, 2, { authState: 'AUTHORIZED', individualAuthId: 'auth-1', checkedAt: T0 + 5 });
        expect(await store.upsertPayee(v2)).toBe(true);
        expect(await store.upsertPayee(payee(openid, code, 2, { displayName: 'Stale' }))).toBe(false);
        expect(await store.upsertPayee(payee(openid, code, 4))).toBe(false);
        expect(await store.upsertPayee(payee(uniq('o-nobody'), uniq('code'), 2))).toBe(false);
        expect(await store.getPayee(openid)).toEqual(v2);
        expect(await store.getPayeeByShareCode(code)).toEqual(v2);
        expect(await store.getPayee(uniq('o-missing'))).toBeNull();
        expect(await store.getPayeeByShareCode(uniq('code-missing'))).toBeNull();
      });

      it('keeps share codes unique, and frees a code its owner gave up', async () => {
        const ada = uniq('o-ada');
        const bo = uniq('o-bo');
        const code = uniq('code');
        expect(await store.upsertPayee(payee(ada, code, 1))).toBe(true);
        await expectStoreError(store.upsertPayee(payee(bo, code, 1)), 'DUPLICATE', 'shareCode');
        expect(await store.getPayee(bo)).toBeNull();
        const newCode = uniq('code');
        expect(await store.upsertPayee(payee(ada, newCode, 2))).toBe(true);
        expect(await store.getPayeeByShareCode(code)).toBeNull();
        expect(await store.upsertPayee(payee(bo, code, 1))).toBe(true);
        expect((await store.getPayeeByShareCode(code))?.openid).toBe(bo);
        expect((await store.getPayeeByShareCode(newCode))?.openid).toBe(ada);
      });

      it('refuses unsound payees', async () => {
        await expectStoreError(store.upsertPayee(payee(uniq('o'), '', 1)), 'INVALID_RECORD');
        await expectStoreError(store.upsertPayee(payee(uniq('o'), uniq('c'), 0)), 'INVALID_RECORD');
      });
    });
  });
}
