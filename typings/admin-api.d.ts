/**
 * The merchant console's part of the page ↔ function contract (function `admin`; see `Calls` in
 * api.d.ts). Admins only — the server checks the caller against merchant config `admins` on every
 * action except `admin.status`. Money in fen; times ISO 8601; dates `YYYY-MM-DD` in China time
 * (Asia/Shanghai, UTC+8, no daylight saving). No openids anywhere.
 */
import type { AlertView, OrderState, OrderView, PayChannel } from './api';

export interface AdminOrdersRequest {
  pageSize?: number;
  cursor?: string;
  state?: OrderState;
  channel?: PayChannel;
  /** First day (China time) of the creation window, inclusive. */
  createdFrom?: string;
  /** Last day (China time) of the creation window, inclusive. */
  createdTo?: string;
}

export interface AdminOrdersResponse {
  orders: OrderView[];
  /** Pass back as `cursor` with the same filters for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/** One line of an order's audit trail. */
export interface AuditEntryView {
  at: string;
  from: OrderState | null;
  to: OrderState;
  /** `ORDER_CREATED`, `PAID`, `REFUND_STARTED`, … */
  event: string;
  /** Who caused it: notify | query | reconcile | user | admin. */
  actor: string;
  detail: Record<string, string | number | boolean | null>;
}

export interface RefundView {
  outRefundNo: string;
  amount: number;
  state: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  createdAt: string;
  succeededAt?: string;
  reason?: string;
  /** Why it was closed without the gateway taking it. */
  failure?: string;
}

/** A gateway notification the server recorded for the order (its first delivery). */
export interface NotificationView {
  id: string;
  eventType: string;
  receivedAt: string;
}

export interface AdminOrderDetail {
  order: OrderView;
  /** fen an admin may still refund now (paid, minus refunded and refunds in flight); 0 when none. */
  refundable: number;
  /** Whether `pay.close` may close it (CREATED or PAYING). */
  closable: boolean;
  audit: AuditEntryView[];
  refunds: RefundView[];
  notifications: NotificationView[];
}

export interface MoneyTotalView {
  count: number;
  /** fen */
  amount: number;
}

export interface PeriodTotals {
  /** ISO 8601 bounds of the period, [from, before). */
  from: string;
  before: string;
  /** Orders paid in the period (by payment time). */
  payments: MoneyTotalView;
  /** Refunds that succeeded in the period. */
  refunds: MoneyTotalView;
  /** payments − refunds, fen. */
  net: number;
}

export interface AdminTotals {
  timeZone: 'Asia/Shanghai';
  today: PeriodTotals;
  month: PeriodTotals;
}

export interface AdminCalls {
  /** Anyone signed in: whether the caller is a merchant admin (pages show the console entry only then). */
  'admin.status': { req: Record<string, never>; res: { admin: boolean } };
  'admin.orders': { req: AdminOrdersRequest; res: AdminOrdersResponse };
  'admin.order': { req: { outTradeNo: string }; res: AdminOrderDetail };
  /** Compare-and-set: the first acknowledgement stamps the alert; a repeat answers it as it stands. */
  'admin.acknowledgeAlert': { req: { id: string }; res: { alert: AlertView } };
  'admin.totals': { req: Record<string, never>; res: AdminTotals };
}
