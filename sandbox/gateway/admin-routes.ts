import type { GatewayContext } from './context';
import { GatewayError, jsonBody, route, type Route } from './http';
import { rotatePlatformCertificate } from './platform-certs';
import { payscoreAdminRoutes } from './payscore';

/** `/sandbox/admin/*`: JSON views of the gateway's state and the fault switches. */
export function adminRoutes(ctx: GatewayContext): Route[] {
  const d = ctx.state.data;
  return [
    route('GET', /^\/sandbox\/admin\/info$/, () => ({
      status: 200,
      json: {
        mchid: ctx.keys.mchid,
        appid: ctx.keys.appid,
        merchantSerialNo: ctx.keys.merchant.serialNo,
        platformSerialNo: ctx.platformCerts.current().serialNo,
        platformSerialNos: ctx.platformCerts.list().map((c) => c.serialNo),
        platformPublicKeyId: ctx.keys.platformPublicKey.keyId,
        signingSerial: ctx.signer.serial,
        timeScale: ctx.timeScale,
        minCloseIntervalMs: ctx.minCloseIntervalMs,
        signLayout: ctx.signLayout,
      },
    })),
    route('GET', /^\/sandbox\/admin\/orders$/, () => ({
      status: 200,
      json: {
        orders: Object.values(d.orders),
        combines: Object.values(d.combines),
        refunds: Object.values(d.refunds),
      },
    })),
    route('GET', /^\/sandbox\/admin\/orders\/([^/]+)$/, (rc) => {
      const no = rc.params[0]!;
      const order = d.orders[no];
      if (order) return { status: 200, json: { kind: 'order', order, refunds: Object.values(d.refunds).filter((r) => r.outTradeNo === no) } };
      const combine = d.combines[no] ?? Object.values(d.combines).find((c) => c.subOrders.some((s) => s.outTradeNo === no));
      if (combine) return { status: 200, json: { kind: 'combine', combine } };
      throw new GatewayError(404, 'ORDER_NOT_EXIST', `no order ${no}`);
    }),
    route('GET', /^\/sandbox\/admin\/notifications$/, () => ({ status: 200, json: { notifications: d.notifications } })),
    route('GET', /^\/sandbox\/admin\/faults$/, () => ({ status: 200, json: { faults: ctx.faults.list() } })),
    route('POST', /^\/sandbox\/admin\/faults$/, (rc) => ({ status: 200, json: ctx.faults.add(jsonBody(rc)) })),
    route('POST', /^\/sandbox\/admin\/platform-certificate\/rotate$/, () => ({ status: 200, json: rotatePlatformCertificate(ctx) })),
    route('DELETE', /^\/sandbox\/admin\/faults$/, () => {
      ctx.faults.clear();
      return { status: 204 };
    }),
    ...payscoreAdminRoutes(ctx),
  ];
}
