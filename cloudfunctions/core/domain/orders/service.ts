/**
 * The order service: the one place where a payment request becomes an order, and where gateway
 * facts (notifications, queries, reconcile) move it. A thin composition of modules with one job
 * each, every change going through the one transition → compare-and-set → audit loop
 * (`order-ledger.ts` over `../ledger.ts`):
 *
 *   create.ts         pay.create (idempotent; place through the channel; resume a retry)
 *   lifecycle.ts      pay.query, pay.close, pay.list
 *   gateway-sync.ts   ask the channel and apply what it says; closing at the gateway
 *   notifications.ts  a verified notification applied to its order
 *   refund-flow.ts    refunds to a final state; payments on closed orders refunded
 *   reconcile.ts      the timer's sweep of stale orders and open refunds
 *
 * It never branches on a gateway name or code: channels answer in channel-neutral outcomes.
 */
import type { AlertView, OrderView, PayCreateRequest, PayCreateResponse, PayListResponse } from '../../../../typings/api';
import type { ChannelNotification, GatewayRefundState } from '../../channels/port';
import type { ChannelRegistry } from '../../channels/registry';
import { AppError } from '../../kernel/errors';
import type { Caller } from '../../kernel/platform/identity';
import type { Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import type { NotificationOutcome } from '../notifications';
import { toAlertView } from './alerts';
import { toOrderView } from './model';
import { createOrderCreation, type PayeeResolver } from './create';
import { createGatewaySync } from './gateway-sync';
import { DEFAULT_PAGE_SIZE, createOrderLifecycle } from './lifecycle';
import { createNotificationApplier } from './notifications';
import { createOrderLedger } from './order-ledger';
import { newOutTradeNo } from './out-trade-no';
import { createReconciler, type ReconcileReport, type ReconcileSettings } from './reconcile';
import { createRefundFlow } from './refund-flow';
import type { StatementReport } from './statement';
import { PAY_CHANNELS } from '../../../../typings/pay-channels';

export { closeMarginMs } from './lifecycle';
export type { NotificationOutcome, PayeeResolver, ReconcileReport };

/** The slice of merchant config the service decides with. */
export interface OrderServiceConfig {
  appid: string;
  mchid: string;
  orderTtlMs: number;
  amount: { minFen: number; maxFen: number };
  admins: readonly string[];
  defaultDescription: string;
  minCloseIntervalMs: number;
  reconcile: ReconcileSettings;
}

export interface OrderServiceDeps {
  store: Store;
  channels: ChannelRegistry;
  config: OrderServiceConfig;
  /** Needed for channel `combine`. */
  payees?: PayeeResolver;
  now?: () => number;
  /** Injected in tests; default `newOutTradeNo`. */
  newNumber?: (prefix: string) => string;
  log?: (line: string, detail?: Record<string, unknown>) => void;
}

export interface OrderService {
  create(caller: Caller, request: PayCreateRequest): Promise<PayCreateResponse>;
  query(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }>;
  close(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }>;
  list(caller: Caller, request: { pageSize?: number; cursor?: string; role?: 'payer' | 'payee' }): Promise<PayListResponse>;
  refund(
    caller: Caller,
    request: { outTradeNo: string; amount: number; reason?: string; idempotencyKey: string },
  ): Promise<{ order: OrderView; refund: { outRefundNo: string; amount: number; state: GatewayRefundState['state'] } }>;
  /** Admins only: alerts (payments on closed orders, refunds that need a person), newest first. */
  alerts(caller: Caller, request: { pageSize?: number; cursor?: string }): Promise<{ alerts: AlertView[]; nextCursor?: string }>;
  /** Applies a verified notification (payNotify has already verified and decrypted it). */
  applyNotification(notification: ChannelNotification): Promise<NotificationOutcome>;
  reconcile(): Promise<ReconcileReport>;
  /** Every channel's daily reconciliation file of `fileDate` (default today) against the store (the daily `reconcile` trigger). */
  reconcileStatements(fileDate?: string): Promise<StatementReport[]>;
  /** Admins only: the same on demand. */
  statement(caller: Caller, request: { fileDate?: string }): Promise<{ reports: StatementReport[] }>;
  isAdmin(openid: string): boolean;
}

/** Re-reads after a lost compare-and-set before giving up; contention beyond this is a bug or an attack. */
const CAS_ATTEMPTS = 8;

export function createOrderService(deps: OrderServiceDeps): OrderService {
  const { store, channels, config } = deps;
  const now = deps.now ?? Date.now;
  const newNumber = deps.newNumber ?? ((prefix: string) => newOutTradeNo(prefix, now()));
  const log = deps.log ?? ((line: string, detail?: Record<string, unknown>) => console.log(`[orders] ${line}`, detail ?? ''));
  const isAdmin = (openid: string) => config.admins.includes(openid);

  const ledger = createOrderLedger({ store, now, casAttempts: CAS_ATTEMPTS });
  const refunds = createRefundFlow({ store, channels, now, log, apply: ledger.apply, casAttempts: CAS_ATTEMPTS });
  const sync = createGatewaySync({ channels, apply: ledger.apply, refunds, log });
  const creation = createOrderCreation({ store, channels, config, ledger, payees: deps.payees, now, newNumber });
  const lifecycle = createOrderLifecycle({ store, config, ledger, sync, isAdmin, now, log });
  const notifications = createNotificationApplier({ store, sync, refunds, now, log });
  const reconcile = createReconciler({ store, config, ledger, sync, refunds, now, log });
  const reconcileStatements = async (fileDate?: string) => {
    // A side bundle (gulpfile SIDE_MODULES): only the daily run and an admin's request load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createStatementReconciler, statementChannels, todaysFileDate } = require('./statement') as typeof import('./statement');
    const reconcileStatement = createStatementReconciler({ store, channels, sync, refunds, now, log });
    fileDate ??= todaysFileDate(now());
    const reports: StatementReport[] = [];
    const failures: unknown[] = [];
    // One gateway's trouble (a bill refused, a timeout) does not keep the others from being compared; it is reported after.
    for (const name of statementChannels(channels, PAY_CHANNELS)) {
      try {
        reports.push(await reconcileStatement(name, fileDate));
      } catch (error) {
        log(`statement: ${name} ${fileDate} failed: ${(error as Error).message}`);
        failures.push(error);
      }
    }
    if (failures.length) throw failures[0];
    return reports;
  };

  return {
    isAdmin,
    create: creation.create,
    query: lifecycle.query,
    close: lifecycle.close,
    list: lifecycle.list,
    applyNotification: notifications.applyNotification,
    reconcile,
    reconcileStatements,

    async statement(caller, request) {
      if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', 'only merchant admins may reconcile');
      return { reports: await reconcileStatements(request.fileDate) };
    },

    async refund(caller, request) {
      if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', 'only merchant admins may refund');
      const { order, refund } = await refunds.refundByAdmin(request);
      return { order: toOrderView(order), refund: { outRefundNo: refund.outRefundNo, amount: refund.amount, state: refund.state } };
    },

    async alerts(caller, request) {
      if (!isAdmin(caller.openid)) throw new AppError('FORBIDDEN', 'only merchant admins may list alerts');
      try {
        const page = await store.listAlerts({ limit: request.pageSize ?? DEFAULT_PAGE_SIZE, ...(request.cursor ? { cursor: request.cursor } : {}) });
        return { alerts: page.items.map(toAlertView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      } catch (error) {
        if (isStoreError(error, 'INVALID_CURSOR')) throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor this listing issued');
        throw error;
      }
    },
  };
}
