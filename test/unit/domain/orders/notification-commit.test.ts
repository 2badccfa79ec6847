/**
 * A payment notification is one commit: the order's compare-and-set, its audit row and the
 * notification's id are written together, on the order as the applier read it (no second read).
 * Over a real SQLite store; the channel is never asked (the notification arrives parsed).
 */
import type { ChannelNotification, PaymentChannel } from '../../../../cloudfunctions/core/channels/port';
import { applyOrderEvent } from '../../../../cloudfunctions/core/domain/ledger';
import type { Order } from '../../../../cloudfunctions/core/domain/orders/model';
import type { OrderService } from '../../../../cloudfunctions/core/domain/orders/service';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { createOrderService } from '../../../../cloudfunctions/core/domain/orders/service';
import { createChannelRegistry } from '../../../../cloudfunctions/core/channels/registry';
import { T0, freshOrder } from './fixtures';
import { APPID, MCHID, closeOrderService, openOrderService, serviceConfig, type ServiceUnderTest } from './service-fixtures';

const unused = (): never => {
  throw new Error('the channel is not asked while a notification is applied');
};
const channel: PaymentChannel = { name: 'jsapi', create: unused, resign: unused, query: unused, close: unused, refund: unused, queryRefund: unused, parseNotification: unused };

let sut: ServiceUnderTest;
beforeEach(() => {
  sut = openOrderService('notification-commit-', { channels: { jsapi: channel }, config: serviceConfig(), now: () => T0 + 5000 });
});
afterEach(() => closeOrderService(sut));

/** A PAYING order in the store, as `pay.create` leaves it. */
async function payingOrder(store: Store): Promise<Order> {
  const order = freshOrder({ appid: APPID, mchid: MCHID, amount: 880 });
  await store.insertOrder(order);
  const paying = await applyOrderEvent(store, order.outTradeNo, { type: 'PREPAY_CREATED', prepayId: 'wx-prepay-commit' }, { actor: 'user', now: () => T0 + 1000 });
  if (paying.kind !== 'applied') throw new Error(`setup: ${paying.kind}`);
  return paying.order;
}

function paid(order: Order, id: string): ChannelNotification {
  return { kind: 'payment', notificationId: id, outTradeNo: order.outTradeNo, appid: APPID, mchid: MCHID, state: { kind: 'PAID', transactionId: `4200${order.outTradeNo}`, paidAt: T0 + 2000, paidAmount: 880 } };
}

/** The service over `store`, seen through `wrap` (which may count or fail calls). */
function serviceOver(store: Store): OrderService {
  return createOrderService({ store, channels: createChannelRegistry({ jsapi: channel }), config: serviceConfig(), now: () => T0 + 5000, log: () => undefined });
}

describe('a payment notification is one commit', () => {
  it('a crash right after the order is written can no longer leave it PAID without its notification record', async () => {
    const order = await payingOrder(sut.store);
    // The process dies as soon as the order's write has committed: every later store call fails.
    let died = false;
    const dying = new Proxy(sut.store, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (died) throw new Error('process died');
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (key === 'updateOrder' && result === true) died = true;
          return result;
        };
      },
    });
    await serviceOver(dying).applyNotification(paid(order, 'n-crash')).catch(() => undefined);
    expect((await sut.store.getOrder(order.outTradeNo))?.state).toBe('PAID');
    expect((await sut.store.listNotificationsOf(order.outTradeNo)).map((n) => n.id)).toEqual(['n-crash']);
    // The gateway's retry after the restart: taken as a duplicate, nothing applied twice.
    expect(await sut.service.applyNotification(paid(order, 'n-crash'))).toEqual({ status: 204, result: 'duplicate' });
    expect((await sut.store.listAudit(order.outTradeNo)).filter((a) => a.to === 'PAID')).toHaveLength(1);
  });

  it('reads the order once and writes once per notification applied', async () => {
    const order = await payingOrder(sut.store);
    const calls: string[] = [];
    const counting = new Proxy(sut.store, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (calls.push(String(key)), (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
    expect(await serviceOver(counting).applyNotification(paid(order, 'n-once'))).toEqual({ status: 204, result: 'applied' });
    expect(calls).toEqual(['getOrder', 'updateOrder']);
    expect(await sut.store.listNotificationsOf(order.outTradeNo)).toEqual([{ id: 'n-once', eventType: 'payment', receivedAt: T0 + 5000, outTradeNo: order.outTradeNo }]);
  });

  it('a duplicate (the order already PAID) records its id as before and answers 204 duplicate', async () => {
    const order = await payingOrder(sut.store);
    expect(await sut.service.applyNotification(paid(order, 'n-first'))).toEqual({ status: 204, result: 'applied' });
    expect(await sut.service.applyNotification(paid(order, 'n-again'))).toEqual({ status: 204, result: 'duplicate' });
    expect((await sut.store.listNotificationsOf(order.outTradeNo)).map((n) => n.id).sort()).toEqual(['n-again', 'n-first']);
    expect((await sut.store.listAudit(order.outTradeNo)).filter((a) => a.to === 'PAID')).toHaveLength(1);
  });
});
