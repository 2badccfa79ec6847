/**
 * An order after it was created, as its payer (or an admin, or its payee) sees it: `pay.query`
 * (answered from the store, checked at the gateway while PAYING), `pay.close`, `pay.list`.
 */
import type { OrderView, PayListResponse } from '../../../../typings/api';
import type { CloseOutcome } from '../../channels/port';
import { AppError } from '../../kernel/errors';
import { crashPoint } from '../../kernel/platform/crash-point';
import type { Caller } from '../../kernel/platform/identity';
import type { Store } from '../../store/port';
import { isStoreError } from '../../store/port';
import type { GatewaySync } from './gateway-sync';
import type { Order } from './model';
import { toOrderView } from './model';
import type { OrderLedger } from './order-ledger';

export const DEFAULT_PAGE_SIZE = 20;

/**
 * The gateway counts the close interval from its own creation time, which lies between our
 * `createdAt` and `placedAt` (its answer): count from `placedAt` when known, and wait this much
 * longer for the clocks of the two sides.
 */
export function closeMarginMs(minCloseIntervalMs: number): number {
  return Math.min(2000, Math.ceil(minCloseIntervalMs * 0.05));
}

/** The earliest moment a close of `order` is not too early for the gateway. */
export function earliestCloseAt(order: Pick<Order, 'createdAt' | 'placedAt'>, minCloseIntervalMs: number): number {
  return (order.placedAt ?? order.createdAt) + minCloseIntervalMs + closeMarginMs(minCloseIntervalMs);
}

export interface LifecycleDeps {
  store: Store;
  config: { minCloseIntervalMs: number };
  ledger: OrderLedger;
  sync: GatewaySync;
  isAdmin: (openid: string) => boolean;
  now: () => number;
  log: (line: string, detail?: Record<string, unknown>) => void;
}

export function createOrderLifecycle(deps: LifecycleDeps) {
  const { store, config, ledger, sync, isAdmin, now, log } = deps;

  async function readOwn(caller: Caller, outTradeNo: string, access: 'act' | 'read' = 'act'): Promise<Order> {
    const order = await store.getOrder(outTradeNo);
    if (!order) throw new AppError('NOT_FOUND', `no order ${outTradeNo}`);
    // The payee may read an order paid to them (as pay.list role payee shows it), never act on it.
    const isPayee = access === 'read' && order.payee !== undefined && order.payee.openid === caller.openid;
    if (order.payerOpenid !== caller.openid && !isAdmin(caller.openid) && !isPayee) throw new AppError('FORBIDDEN', 'this order belongs to someone else');
    return order;
  }

  async function query(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }> {
    let order = await readOwn(caller, outTradeNo, 'read');
    if (order.state === 'PAYING') {
      try {
        order = (await sync.syncWithGateway(order, 'query')).order;
      } catch (error) {
        // The stored state is still a true answer; the gateway being down must not hide it.
        log(`query ${outTradeNo}: gateway check failed: ${(error as Error).message}`);
      }
    }
    return { order: toOrderView(order) };
  }

  async function close(caller: Caller, outTradeNo: string): Promise<{ order: OrderView }> {
    const order = await readOwn(caller, outTradeNo);
    if (order.state === 'CLOSED') return { order: toOrderView(order) };
    if (order.state !== 'CREATED' && order.state !== 'PAYING') throw new AppError('INVALID_STATE', `a ${order.state} order cannot be closed`);
    const earliest = earliestCloseAt(order, config.minCloseIntervalMs);
    if (now() < earliest) {
      throw new AppError('CLOSE_TOO_EARLY', `an order can be closed ${Math.ceil(config.minCloseIntervalMs / 1000)} s after it was created; try again in ${Math.ceil((earliest - now()) / 1000)} s`);
    }
    let outcome: CloseOutcome;
    try {
      outcome = await sync.closeAtGateway(order);
    } catch (error) {
      const settled = await sync.settleRefusedClose(order, error, 'query');
      if (settled.state === 'CLOSED') return { order: toOrderView(settled) };
      throw new AppError('INVALID_STATE', `order ${outTradeNo} is already ${settled.state}`);
    }
    if (outcome.kind === 'payerPaying') {
      // Not closed: money may still arrive. Record what the gateway knows, keep the order PAYING.
      log(`close ${outTradeNo} not confirmed: ${outcome.code} ${outcome.message}`);
      const synced = await sync.syncWithGateway(order, 'query').catch(() => undefined);
      if (synced?.order.state === 'CLOSED') return { order: toOrderView(synced.order) };
      if (synced && synced.order.state !== 'PAYING' && synced.order.state !== 'CREATED') {
        throw new AppError('INVALID_STATE', `order ${outTradeNo} is already ${synced.order.state}`);
      }
      throw new AppError('PAYER_PAYING', `order ${outTradeNo} is being paid right now; it stays open, try again shortly`, true);
    }
    crashPoint('pay.close:after-gateway');
    const actor = isAdmin(caller.openid) && order.payerOpenid !== caller.openid ? 'admin' : 'user';
    const closed = await ledger.applyOrThrow(outTradeNo, { type: 'CLOSED', reason: 'closed by the payer' }, actor);
    crashPoint('pay.close:after-store');
    return { order: toOrderView(closed) };
  }

  async function list(caller: Caller, request: { pageSize?: number; cursor?: string; role?: 'payer' | 'payee' }): Promise<PayListResponse> {
    const page = { limit: request.pageSize ?? DEFAULT_PAGE_SIZE, ...(request.cursor ? { cursor: request.cursor } : {}) };
    try {
      const result = request.role === 'payee' ? await store.listOrdersByPayee(caller.openid, page) : await store.listOrdersByPayer(caller.openid, page);
      return { orders: result.items.map(toOrderView), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) };
    } catch (error) {
      if (isStoreError(error, 'INVALID_CURSOR')) throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor this listing issued');
      throw error;
    }
  }

  return { query, close, list };
}
