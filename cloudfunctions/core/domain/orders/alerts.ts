/**
 * Admin alerts: money or a refund that needs a person to look (a payment for a closed order, a
 * refund the gateway could not deliver, …). The store keeps them; admins list them with
 * `pay.alerts`. An alert's id is derived from the fact it reports, so the same fact reported again
 * (a duplicate notification, the next reconcile run) records nothing new.
 */
import { createHash } from 'node:crypto';
import type { AlertKind, AlertView } from '../../../../typings/api';
import { InvalidRecordError, isPositiveFen } from './model';

export type { AlertKind };

export const ALERT_KINDS: readonly AlertKind[] = [
  'PAID_AFTER_CLOSE',
  'PAYMENT_NOT_APPLIED',
  'REFUND_ABNORMAL',
  'REFUND_CLOSED',
  'REFUND_REJECTED',
  'REFUND_BALANCE_INSUFFICIENT',
  'BOOKING_FAILED',
  'RECONCILIATION_MISMATCH',
];

export interface Alert {
  /** `A` + 31 hex of a hash of (kind, order, subject): the same fact always gets the same id. */
  id: string;
  kind: AlertKind;
  /** ms epoch */
  createdAt: number;
  outTradeNo: string;
  outRefundNo?: string;
  transactionId?: string;
  /** fen */
  amount?: number;
  /** What happened and what an admin can do next. */
  message: string;
  /** ms epoch; set once, when an admin acknowledged it (`admin.acknowledgeAlert`). */
  acknowledgedAt?: number;
}

export type NewAlertInput = Omit<Alert, 'id' | 'createdAt' | 'acknowledgedAt'>;

/** The id of the alert for one fact: (kind, order, refund or transaction). */
export function alertId(input: Pick<Alert, 'kind' | 'outTradeNo' | 'outRefundNo' | 'transactionId'>): string {
  const subject = [input.kind, input.outTradeNo, input.outRefundNo ?? '', input.transactionId ?? ''].join('\u0000');
  return `A${createHash('sha256').update(subject).digest('hex').slice(0, 31)}`;
}

export function newAlertRecord(input: NewAlertInput, now: number): Alert {
  const alert: Alert = { ...input, id: alertId(input), createdAt: now };
  const problems = alertProblems(alert);
  if (problems.length) throw new InvalidRecordError(`alert ${alert.id}: ${problems.join('; ')}`);
  return alert;
}

export function alertProblems(alert: Alert): string[] {
  const problems: string[] = [];
  if (typeof alert.id !== 'string' || !/^A[0-9a-f]{31}$/.test(alert.id)) problems.push('id must be A + 31 hex');
  if (!ALERT_KINDS.includes(alert.kind)) problems.push(`kind ${String(alert.kind)} is unknown`);
  if (!Number.isSafeInteger(alert.createdAt) || alert.createdAt <= 0) problems.push('createdAt must be a ms epoch integer');
  if (typeof alert.outTradeNo !== 'string' || !alert.outTradeNo) problems.push('outTradeNo is required');
  if (alert.amount !== undefined && !isPositiveFen(alert.amount)) problems.push('amount must be a positive integer (fen)');
  if (typeof alert.message !== 'string' || !alert.message) problems.push('message is required');
  if (alert.acknowledgedAt !== undefined && (!Number.isSafeInteger(alert.acknowledgedAt) || alert.acknowledgedAt <= 0)) problems.push('acknowledgedAt must be a ms epoch integer');
  return problems;
}

export function toAlertView(alert: Alert): AlertView {
  const view: AlertView = { id: alert.id, kind: alert.kind, createdAt: new Date(alert.createdAt).toISOString(), outTradeNo: alert.outTradeNo, message: alert.message };
  if (alert.outRefundNo !== undefined) view.outRefundNo = alert.outRefundNo;
  if (alert.transactionId !== undefined) view.transactionId = alert.transactionId;
  if (alert.amount !== undefined) view.amount = alert.amount;
  if (alert.acknowledgedAt !== undefined) view.acknowledgedAt = new Date(alert.acknowledgedAt).toISOString();
  return view;
}
