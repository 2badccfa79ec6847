import { billAdminRoutes } from './bills';
import type { GatewayContext } from './context';
import { GatewayError, jsonBody, route, type Route } from './http';
import { rotatePlatformCertificate } from './platform-certs';
import { payscoreAdminRoutes } from './payscore';
import { DEFAULT_TEST_USER, testOpenid, testUnionid } from './login';

/** Test users worth naming (any `user:<name>` code logs in as `<name>`): the default and the local merchant admin. */
export const WELL_KNOWN_TEST_USERS: ReadonlyArray<{ user: string; note: string }> = [
  { user: DEFAULT_TEST_USER, note: 'the default: any wx.login code that is not user:<name> logs in as tester' },
  { user: 'admin', note: 'the merchant admin of the local config (npm start): may refund and close' },
  { user: 'payee', note: 'a payee for combine (个人收款) orders once signed' },
];

const userView = (appid: string, user: string) => ({ user, code: `user:${user}`, openid: testOpenid(appid, user), unionid: testUnionid(user) });

/**
 * `/sandbox/admin/*`: JSON views of the gateway's state and the fault switches; notification
 * replay, reset (state wiped, keys kept) and the test users for the console and `npm run sandbox`.
 */
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
    route('POST', /^\/sandbox\/admin\/notifications\/([^/]+)\/replay$/, (rc) => {
      const replay = ctx.notifier.replay(rc.params[0]!);
      if (!replay) throw new GatewayError(404, 'NOT_FOUND', `no notification ${rc.params[0]}`);
      return { status: 200, json: { notification: replay } };
    }),
    route('POST', /^\/sandbox\/admin\/reset$/, () => {
      ctx.reset();
      return { status: 200, json: { reset: true, kept: ['keys'] } };
    }),
    route('GET', /^\/sandbox\/admin\/users$/, () => ({
      status: 200,
      json: { codeFormat: 'user:<name>[:<anything unique>]', users: WELL_KNOWN_TEST_USERS.map(({ user, note }) => ({ ...userView(ctx.keys.appid, user), note })) },
    })),
    route('GET', /^\/sandbox\/admin\/users\/([^/]+)$/, (rc) => ({ status: 200, json: userView(ctx.keys.appid, rc.params[0]!) })),
    ...payscoreAdminRoutes(ctx),
    ...billAdminRoutes(ctx),
  ];
}
