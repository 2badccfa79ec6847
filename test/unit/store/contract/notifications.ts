/**
 * NotificationLog contract.
 */
import type { NotificationLog } from '../../../../cloudfunctions/core/store/port';
import { T0 } from '../../domain/orders/fixtures';
import { suiteRepositories, uniq, type RepositorySubject } from './helpers';

export interface NotificationLogSubject extends RepositorySubject<NotificationLog> {
  /** Records the same notification id from `n` contenders at once. */
  raceNotifications?(notificationId: string, n: number): Promise<boolean[]>;
}

export function describeNotificationLogContract(name: string, subject: NotificationLogSubject): void {
  describe(`NotificationLog contract: ${name}`, () => {
    const repositories = suiteRepositories(subject);
    let store: NotificationLog;
    beforeAll(() => {
      store = repositories.current();
    });
    const raceNotifications = subject.raceNotifications ?? (async (id: string, n: number) => {
      const logs = await Promise.all(Array.from({ length: n }, () => repositories.open()));
      return Promise.all(logs.map((log) => log.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 })));
    });

    describe('notifications', () => {
      it('records an id once', async () => {
        const id = uniq('notify');
        expect(await store.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0, outTradeNo: 'O1' })).toBe(true);
        expect(await store.recordNotification(id, { eventType: 'TRANSACTION.SUCCESS', receivedAt: T0 + 15_000 })).toBe(false);
        expect(await store.recordNotification(uniq('notify'), { eventType: 'REFUND.SUCCESS', receivedAt: T0 })).toBe(true);
      });

      it('lets exactly one of 30 concurrent deliveries of one id through', async () => {
        const results = await raceNotifications(uniq('notify-race'), 30);
        expect(results).toHaveLength(30);
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}
