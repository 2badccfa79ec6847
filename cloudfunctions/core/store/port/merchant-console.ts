import type { Order, OrderState, PayChannel } from '../../domain/orders/model';
import type { Page, PageRequest } from './paging';

/** Which orders an admin lists; every field narrows, none given lists every order. */
export interface OrderFilter {
  state?: OrderState;
  channel?: PayChannel;
  /** ms epoch, inclusive: orders created at or after. */
  createdFrom?: number;
  /** ms epoch, exclusive: orders created before. */
  createdBefore?: number;
}

/** A half-open time window [from, before), ms epoch. */
export interface TimeRange {
  from: number;
  before: number;
}

/** How many and how much (fen). */
export interface MoneyTotal {
  count: number;
  amount: number;
}

/** A gateway notification as the log recorded it (first delivery of each id). */
export interface NotificationRecord {
  id: string;
  eventType: string;
  receivedAt: number;
  outTradeNo?: string;
}

/**
 * The merchant console's read side: what an admin sees across every payer. Reads only — refunds,
 * closes and acknowledgements go through the services and their compare-and-set loops.
 */
export interface MerchantConsoleQueries {
  /** Every payer's orders matching `filter`, newest first (createdAt, then outTradeNo, descending); cursor as for orders. */
  listAllOrders(filter: OrderFilter, page: PageRequest): Promise<Page<Order>>;
  /** Orders paid (paidAt) in the window: count and sum of `amount`, whatever happened to them after. */
  sumPayments(range: TimeRange): Promise<MoneyTotal>;
  /** Refunds that succeeded (succeededAt) in the window: count and sum of `amount`. */
  sumRefunds(range: TimeRange): Promise<MoneyTotal>;
  /** The notifications recorded for an order, oldest first. */
  listNotificationsOf(outTradeNo: string): Promise<NotificationRecord[]>;
}
