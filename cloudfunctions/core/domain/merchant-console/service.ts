/**
 * The merchant console: what an admin sees across every payer — all orders with filters, one
 * order with its audit trail, refunds and notifications, alerts to acknowledge, and today's and
 * this month's totals in China time. Every action but `status` is for admins only (merchant
 * config `admins`), checked here on the server whatever the page shows.
 *
 * Money-changing steps are not here: refund and close stay `pay.refund` / `pay.close`, which
 * already check the admin and run the order's compare-and-set loop.
 */
import type { AdminOrderDetail, AdminOrdersRequest, AdminOrdersResponse, AdminTotals, AlertView, AuditEntryView, PeriodTotals, RefundView } from '../../../../typings/api';
import { AppError } from '../../kernel/errors';
import type { Caller } from '../../kernel/platform/identity';
import type { MoneyTotal, OrderFilter, Store, TimeRange } from '../../store/port';
import { isStoreError } from '../../store/port';
import { toAlertView } from '../orders/alerts';
import type { AuditEvent, Order, Refund } from '../orders/model';
import { OPEN_REFUND_STATES, toOrderView } from '../orders/model';
import { ONE_DAY_MS, chinaDateStart, chinaDayStart, chinaMonth } from './china-time';

export const ADMIN_PAGE_SIZE = 20;

export type MerchantConsoleStore = Pick<Store, 'getOrder' | 'listAudit' | 'listRefunds' | 'listAllOrders' | 'sumPayments' | 'sumRefunds' | 'listNotificationsOf' | 'acknowledgeAlert'>;

export interface MerchantConsoleDeps {
  store: MerchantConsoleStore;
  isAdmin: (openid: string) => boolean;
  now?: () => number;
}

export interface MerchantConsole {
  status(caller: Caller): Promise<{ admin: boolean }>;
  orders(caller: Caller, request: AdminOrdersRequest): Promise<AdminOrdersResponse>;
  order(caller: Caller, request: { outTradeNo: string }): Promise<AdminOrderDetail>;
  acknowledgeAlert(caller: Caller, request: { id: string }): Promise<{ alert: AlertView }>;
  totals(caller: Caller): Promise<AdminTotals>;
}

/** What may still be refunded: paid, minus refunded, minus refunds on their way. */
export function refundableAmount(order: Order): number {
  if (order.state !== 'PAID' && order.state !== 'REFUNDING') return 0;
  const inFlight = order.refunds.filter((r) => OPEN_REFUND_STATES.has(r.state)).reduce((sum, r) => sum + r.amount, 0);
  return Math.max(0, order.amount - order.refundedAmount - inFlight);
}

const iso = (ms: number) => new Date(ms).toISOString();

function auditView(entry: AuditEvent): AuditEntryView {
  return { at: iso(entry.at), from: entry.from, to: entry.to, event: entry.event, actor: entry.actor, detail: entry.detail };
}

function refundView(refund: Refund): RefundView {
  const view: RefundView = { outRefundNo: refund.outRefundNo, amount: refund.amount, state: refund.state, createdAt: iso(refund.createdAt) };
  if (refund.succeededAt !== undefined) view.succeededAt = iso(refund.succeededAt);
  if (refund.reason !== undefined) view.reason = refund.reason;
  if (refund.failure !== undefined) view.failure = refund.failure;
  return view;
}

/** The request's China-time days → the store's half-open creation window; bad dates are INVALID_ARGUMENT. */
export function creationWindow(request: Pick<AdminOrdersRequest, 'createdFrom' | 'createdTo'>): Pick<OrderFilter, 'createdFrom' | 'createdBefore'> {
  const window: Pick<OrderFilter, 'createdFrom' | 'createdBefore'> = {};
  if (request.createdFrom !== undefined) {
    const from = chinaDateStart(request.createdFrom);
    if (from === undefined) throw new AppError('INVALID_ARGUMENT', 'createdFrom: must be a date YYYY-MM-DD');
    window.createdFrom = from;
  }
  if (request.createdTo !== undefined) {
    const to = chinaDateStart(request.createdTo);
    if (to === undefined) throw new AppError('INVALID_ARGUMENT', 'createdTo: must be a date YYYY-MM-DD');
    window.createdBefore = to + ONE_DAY_MS;
  }
  if (window.createdFrom !== undefined && window.createdBefore !== undefined && window.createdFrom >= window.createdBefore) {
    throw new AppError('INVALID_ARGUMENT', 'createdTo: must not be before createdFrom');
  }
  return window;
}

export function createMerchantConsole(deps: MerchantConsoleDeps): MerchantConsole {
  const { store, isAdmin } = deps;
  const now = deps.now ?? Date.now;

  const requireAdmin = (caller: Caller, what: string) => {
    if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', `only merchant admins may ${what}`);
  };

  async function period(range: TimeRange): Promise<PeriodTotals> {
    const [payments, refunds]: MoneyTotal[] = await Promise.all([store.sumPayments(range), store.sumRefunds(range)]);
    return { from: iso(range.from), before: iso(range.before), payments, refunds, net: payments.amount - refunds.amount };
  }

  return {
    async status(caller) {
      return { admin: isAdmin(caller.openid) };
    },

    async orders(caller, request) {
      requireAdmin(caller, 'list every order');
      const filter: OrderFilter = { ...creationWindow(request) };
      if (request.state) filter.state = request.state;
      if (request.channel) filter.channel = request.channel;
      try {
        const page = await store.listAllOrders(filter, { limit: request.pageSize ?? ADMIN_PAGE_SIZE, ...(request.cursor ? { cursor: request.cursor } : {}) });
        return { orders: page.items.map(toOrderView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      } catch (error) {
        if (isStoreError(error, 'INVALID_CURSOR')) throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor this listing issued for these filters');
        throw error;
      }
    },

    async order(caller, { outTradeNo }) {
      requireAdmin(caller, 'see any order');
      const order = await store.getOrder(outTradeNo);
      if (!order) throw new AppError('NOT_FOUND', `no order ${outTradeNo}`);
      const [audit, refunds, notifications] = await Promise.all([store.listAudit(outTradeNo), store.listRefunds(outTradeNo), store.listNotificationsOf(outTradeNo)]);
      return {
        order: toOrderView(order),
        refundable: refundableAmount(order),
        closable: order.state === 'CREATED' || order.state === 'PAYING',
        audit: audit.map(auditView),
        refunds: refunds.map(refundView),
        notifications: notifications.map((n) => ({ id: n.id, eventType: n.eventType, receivedAt: iso(n.receivedAt) })),
      };
    },

    async acknowledgeAlert(caller, { id }) {
      requireAdmin(caller, 'acknowledge alerts');
      const outcome = await store.acknowledgeAlert(id, now());
      if (outcome.kind === 'notFound') throw new AppError('NOT_FOUND', `no alert ${id}`);
      return { alert: toAlertView(outcome.alert) };
    },

    async totals(caller) {
      requireAdmin(caller, 'see totals');
      const at = now();
      const dayStart = chinaDayStart(at);
      const [today, month] = await Promise.all([period({ from: dayStart, before: dayStart + ONE_DAY_MS }), period(chinaMonth(at))]);
      return { timeZone: 'Asia/Shanghai', today, month };
    },
  };
}
