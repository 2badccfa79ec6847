/** Admin alerts on CloudBase: `alerts` (_id = alert id, derived from the fact it reports). */
import type { Alert } from '../../domain/orders/alerts';
import type { AlertRepository } from '../port';
import { checkAcknowledgement, checkAlert } from '../checks';
import { ALERTS_LISTING, checkLimit, decodeCursor, toAlertPage } from '../paging';
import { fromDocuments, getInTransaction, toData, type CloudbaseConnection } from './connection';

/** The collections this repository writes (create them before deploying). */
export const ALERT_COLLECTIONS = ['alerts'] as const;

export function createCloudbaseAlertRepository({ command: _, collection, addUnique, transact, inTransaction }: CloudbaseConnection): AlertRepository {
  return {
    async insertAlert(alert) {
      checkAlert(alert);
      return addUnique('alerts', alert.id, toData(alert));
    },
    async listAlerts(page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(ALERTS_LISTING, page);
      const alerts = collection('alerts');
      const base = after ? alerts.where(_.or({ createdAt: _.lt(after.createdAt) }, { createdAt: after.createdAt, _id: _.lt(after.outTradeNo) })) : alerts;
      const { data } = await base.orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
      return toAlertPage(fromDocuments<Alert>(data), limit);
    },
    async acknowledgeAlert(id, at) {
      checkAcknowledgement(at);
      // One transaction reads and stamps: a concurrent acknowledgement conflicts, re-runs, and sees the stamp.
      return transact(async (tx) => {
        const doc = inTransaction(tx, 'alerts').doc(id);
        const stored = await getInTransaction<Alert>(doc);
        if (!stored) return { kind: 'notFound' as const };
        if (stored.acknowledgedAt !== undefined) return { kind: 'alreadyAcknowledged' as const, alert: stored };
        const alert: Alert = { ...stored, acknowledgedAt: at };
        await doc.set({ data: toData(alert) });
        return { kind: 'acknowledged' as const, alert };
      });
    },
  };
}
