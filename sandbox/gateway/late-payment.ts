import type { GatewayContext } from './context';
import { GatewayError, route, type Route } from './http';
import { DEFAULT_TEST_USER, testOpenid } from './login';
import { markPaid } from './transactions';

/**
 * `POST /sandbox/admin/orders/{out_trade_no}/late-payment`: money arrives for an order that is
 * already CLOSED — the case a merchant must handle although the cashier refuses closed orders
 * (a payment that completed at the bank while the order was being closed, or an order the
 * merchant holds closed that the gateway still took money for). The order turns SUCCESS with a
 * transaction id and the usual signed `TRANSACTION.SUCCESS` notification goes out. Sandbox only.
 */
export function latePaymentRoutes(ctx: GatewayContext): Route[] {
  return [
    route('POST', /^\/sandbox\/admin\/orders\/([^/]+)\/late-payment$/, (rc) => {
      const order = ctx.state.data.orders[rc.params[0]!];
      if (!order) throw new GatewayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (order.tradeState !== 'CLOSED') throw new GatewayError(400, 'INVALID_REQUEST', `late-payment needs a CLOSED order; ${order.outTradeNo} is ${order.tradeState}`);
      markPaid(ctx, order, order.payerOpenid ?? testOpenid(order.appid, DEFAULT_TEST_USER));
      ctx.log(`late payment: closed order ${order.outTradeNo} paid anyway (${order.transactionId})`);
      return { status: 200, json: { trade_state: order.tradeState, out_trade_no: order.outTradeNo, transaction_id: order.transactionId } };
    }),
  ];
}
