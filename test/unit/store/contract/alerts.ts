/**
 * AlertRepository contract.
 */
import { newAlertRecord, type Alert } from '../../../../cloudfunctions/core/domain/orders/alerts';
import type { AlertRepository } from '../../../../cloudfunctions/core/store/port';
import { T0 } from '../../domain/orders/fixtures';
import { expectStoreError, shuffle, suiteRepositories, uniq, type RepositorySubject } from './helpers';

export type AlertRepositorySubject = RepositorySubject<AlertRepository>;

export function describeAlertRepositoryContract(name: string, subject: AlertRepositorySubject): void {
  describe(`AlertRepository contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    let store: AlertRepository;
    beforeAll(() => {
      store = repositories.current();
    });

    describe('alerts', () => {
      /** Far in the future of every other record, so a shared environment's other alerts sort after these. */
      const FUTURE = T0 + 100 * 365 * 24 * 3600_000;
      const alert = (outTradeNo: string, createdAt: number, extra: Partial<Alert> = {}): Alert =>
        newAlertRecord({ kind: 'PAID_AFTER_CLOSE', outTradeNo, transactionId: uniq('4200'), amount: 100, message: 'paid after close', ...extra }, createdAt);

      it('records an alert once per id, round-trips it, and refuses unsound ones', async () => {
        const first = alert(uniq('O'), FUTURE, { outRefundNo: uniq('L') });
        expect(await store.insertAlert(first)).toBe(true);
        expect(await store.insertAlert({ ...first, createdAt: FUTURE + 5, message: 'again' })).toBe(false);
        const page = await store.listAlerts({ limit: 100 });
        expect(page.items.find((a) => a.id === first.id)).toEqual(first);
        await expectStoreError(store.insertAlert({ ...alert(uniq('O'), FUTURE), amount: 1.5 }), 'INVALID_RECORD');
        await expectStoreError(store.insertAlert({ ...alert(uniq('O'), FUTURE), kind: 'NOPE' as Alert['kind'] }), 'INVALID_RECORD');
      });

      it('pages alerts newest first with no duplicates or gaps, ties broken by id, and refuses foreign cursors', async () => {
        const base = FUTURE + 1_000_000;
        const mine = [0, 1, 1, 2, 3, 3, 3].map((offset) => alert(uniq('O'), base + offset * 1000));
        for (const a of shuffle(mine)) expect(await store.insertAlert(a)).toBe(true);
        const expected = [...mine].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((a) => a.id);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listAlerts({ limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((a) => a.id));
          cursor = page.nextCursor;
        } while (cursor && seen.length < 100);
        expect(seen.filter((id) => expected.includes(id))).toEqual(expected);
        expect(new Set(seen).size).toBe(seen.length);
        // (a cursor of an order listing is refused too: see the composed Store contract)
        await expectStoreError(store.listAlerts({ limit: 3, cursor: 'bogus' }), 'INVALID_CURSOR');
        await expectStoreError(store.listAlerts({ limit: 0 }), 'INVALID_RECORD');
      });

      it('acknowledges an alert once: the first stamp wins, later and concurrent ones see it, nothing else changes', async () => {
        const a = alert(uniq('O'), FUTURE + 7);
        expect(await store.insertAlert(a)).toBe(true);
        expect(await store.acknowledgeAlert(a.id, FUTURE + 100)).toEqual({ kind: 'acknowledged', alert: { ...a, acknowledgedAt: FUTURE + 100 } });
        expect(await store.acknowledgeAlert(a.id, FUTURE + 200)).toEqual({ kind: 'alreadyAcknowledged', alert: { ...a, acknowledgedAt: FUTURE + 100 } });
        const listed = (await store.listAlerts({ limit: 100 })).items.find((x) => x.id === a.id);
        expect(listed).toEqual({ ...a, acknowledgedAt: FUTURE + 100 });

        const b = alert(uniq('O'), FUTURE + 8);
        expect(await store.insertAlert(b)).toBe(true);
        const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => store.acknowledgeAlert(b.id, FUTURE + 1000 + i)));
        expect(racing.filter((r) => r.kind === 'acknowledged')).toHaveLength(1);
        const stamps = new Set(racing.map((r) => (r.kind === 'notFound' ? undefined : r.alert.acknowledgedAt)));
        expect(stamps.size).toBe(1);

        expect(await store.acknowledgeAlert('A' + '0'.repeat(31), FUTURE)).toEqual({ kind: 'notFound' });
        await expectStoreError(store.acknowledgeAlert(b.id, 1.5), 'INVALID_RECORD');
        // An acknowledged alert reported again is still one alert, still acknowledged.
        expect(await store.insertAlert(b)).toBe(false);
      });
    });
  });
}
