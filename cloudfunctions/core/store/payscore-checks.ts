/** What every adapter checks of a PayScore record before writing it (soundness, not business rules). */
import type { PayScoreOrder } from '../domain/payscore/model';
import { StoreError } from './port';

export function checkPayScoreOrder(order: PayScoreOrder): void {
  const problems: string[] = [];
  if (typeof order?.outOrderNo !== 'string' || !order.outOrderNo) problems.push('outOrderNo is required');
  if (typeof order?.userOpenid !== 'string' || !order.userOpenid) problems.push('userOpenid is required');
  if (!['CREATED', 'DOING', 'DONE', 'REVOKED', 'EXPIRED'].includes(order?.state)) problems.push('state is unknown');
  if (!Number.isSafeInteger(order?.riskFund?.amount) || order.riskFund.amount < 1) problems.push('riskFund.amount must be positive fen');
  if (!Number.isSafeInteger(order?.version) || order.version < 1) problems.push('version must be an integer >= 1');
  if (!Number.isSafeInteger(order?.createdAt) || !Number.isSafeInteger(order?.updatedAt)) problems.push('createdAt/updatedAt must be ms epoch integers');
  if (!Array.isArray(order?.history) || order.history.length === 0) problems.push('history needs its creation entry');
  if (problems.length) throw new StoreError('INVALID_RECORD', `payscore order ${String(order?.outOrderNo)}: ${problems.join('; ')}`);
}

export function checkNewPayScoreOrder(order: PayScoreOrder): void {
  checkPayScoreOrder(order);
  if (order.version !== 1) throw new StoreError('INVALID_RECORD', `new payscore order ${order.outOrderNo} must have version 1`);
}

export function checkPayScoreUpdate(next: PayScoreOrder, expectedVersion: number): void {
  checkPayScoreOrder(next);
  if (next.version !== expectedVersion + 1) throw new StoreError('INVALID_RECORD', `payscore order ${next.outOrderNo}: version must be expectedVersion + 1`);
}

/** Identity fixed, the audit trail only appended to. */
export function checkPayScoreSuccession(stored: PayScoreOrder, next: PayScoreOrder): void {
  if (stored.userOpenid !== next.userOpenid || stored.appid !== next.appid || stored.createdAt !== next.createdAt) {
    throw new StoreError('INVALID_RECORD', `payscore order ${next.outOrderNo}: userOpenid, appid and createdAt never change`);
  }
  const kept = next.history.length >= stored.history.length && stored.history.every((entry, i) => JSON.stringify(entry) === JSON.stringify(next.history[i]));
  if (!kept) throw new StoreError('INVALID_RECORD', `payscore order ${next.outOrderNo}: the audit trail is append-only`);
}
