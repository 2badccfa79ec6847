import http from 'node:http';
import https from 'node:https';
import { listen } from '../../common/http-server';
import { ensureSandboxV2Keys, type SandboxV2Keys } from '../../keys-v2';
import type { GatewayContext } from '../context';
import { GatewayError, jsonBody, route, type Route } from '../http';
import { isV2ApiPath, serveV2, type V2Context, type V2Endpoint } from './api';
import { clientRoutes } from './clients';
import { V2_FORMAT, v2NotificationFormat } from './notify';
import { orderEndpoints } from './orders';
import { refundEndpoints, resumeRefunds } from './refunds';

/**
 * The WeChat Pay APIv2 emulator beside the APIv3 one, on the same state, notifier, faults and
 * dashboard: `/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`, `/secapi/pay/refund`
 * (mutual TLS), `/pay/refundquery`, XML notifications, the v2 cashier and a simulated APP client.
 * See sandbox/gateway/README.md.
 */

export type { SandboxV2Keys } from '../../keys-v2';
export type { V2OrderRecord, V2RefundRecord, V2TradeState } from './records';

export interface V2GatewayInfo {
  /** The HTTPS listener (server certificate issued by the sandbox CA; `/secapi` needs the client certificate). */
  secureUrl: string;
  keys: SandboxV2Keys;
}

export interface V2Gateway {
  routes: Route[];
  /** Whether a request on the plain listener is an APIv2 API call (served by `serve`). */
  handles(req: http.IncomingMessage): boolean;
  serve(req: http.IncomingMessage, res: http.ServerResponse): void;
  /**
   * Starts the HTTPS listener (port: env SANDBOX_V2_TLS_PORT, else a free one). Requests that are
   * not APIv2 go to `fallback` (the gateway's plain handler), so the whole gateway answers on it.
   */
  listen(host: string, fallback: http.RequestListener): Promise<V2GatewayInfo & { close(): void }>;
}

const ENDPOINTS: V2Endpoint[] = [...orderEndpoints, ...refundEndpoints];

export function createV2Gateway(gw: GatewayContext, dataDir: string): V2Gateway {
  const ctx: V2Context = { gw, keys: ensureSandboxV2Keys(dataDir, gw.keys) };
  let secureUrl = '';
  gw.notifier.registerFormat(V2_FORMAT, v2NotificationFormat(ctx));
  resumeRefunds(ctx);
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    serveV2(ctx, ENDPOINTS, req, res).catch((err: unknown) => {
      // A sandbox bug still answers like the gateway would: a communication failure.
      gw.log(`gateway v2: unhandled ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      res.end('<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[系统错误]]></return_msg></xml>');
    });
  };
  return {
    routes: [...clientRoutes(ctx), ...adminRoutes(ctx, () => secureUrl)],
    handles: (req) => isV2ApiPath(new URL(req.url ?? '/', 'http://sandbox.local').pathname),
    serve,
    async listen(host, fallback) {
      const server = https.createServer(
        // The client certificate is asked for but checked per path: /pay/* needs none ("是否需要证书 不需要").
        { key: ctx.keys.server.privateKeyPem, cert: ctx.keys.server.certificatePem, ca: ctx.keys.ca.certificatePem, requestCert: true, rejectUnauthorized: false },
        fallback,
      );
      const listening = await listen(server, Number(process.env.SANDBOX_V2_TLS_PORT ?? 0), host);
      secureUrl = listening.url;
      gw.log(`gateway v2 (TLS, /secapi with client certificate) listening on ${secureUrl}`);
      return {
        secureUrl,
        keys: ctx.keys,
        close() {
          void listening.close();
        },
      };
    },
  };
}

/** `/sandbox/admin/v2/*`: the v2 side of the admin API (typed client: admin.ts). */
function adminRoutes(ctx: V2Context, secureUrl: () => string): Route[] {
  const d = () => ctx.gw.state.data.v2;
  return [
    route('GET', /^\/sandbox\/admin\/v2\/info$/, () => ({
      status: 200,
      json: {
        mchid: ctx.gw.keys.mchid,
        appid: ctx.gw.keys.appid,
        appAppid: ctx.keys.appAppid,
        secureUrl: secureUrl(),
        caCertificateFile: ctx.keys.ca.certificateFile,
        clientCertificateFile: ctx.keys.client.certificateFile,
        clientKeyFile: ctx.keys.client.privateKeyFile,
        clientP12File: ctx.keys.client.p12File,
        refundBalance: d().refundBalance,
      },
    })),
    route('GET', /^\/sandbox\/admin\/v2\/orders$/, () => ({ status: 200, json: { orders: Object.values(d().orders), refunds: Object.values(d().refunds) } })),
    route('GET', /^\/sandbox\/admin\/v2\/orders\/([^/]+)$/, (rc) => {
      const order = d().orders[rc.params[0]!];
      if (!order) throw new GatewayError(404, 'ORDER_NOT_EXIST', `no v2 order ${rc.params[0]}`);
      return { status: 200, json: { order, refunds: Object.values(d().refunds).filter((r) => r.outTradeNo === order.outTradeNo) } };
    }),
    route('POST', /^\/sandbox\/admin\/v2\/refund-balance$/, (rc) => {
      const fen = jsonBody(rc).fen;
      if (fen !== null && (typeof fen !== 'number' || !Number.isSafeInteger(fen) || fen < 0)) throw new GatewayError(400, 'PARAM_ERROR', 'fen must be a non-negative integer or null');
      d().refundBalance = fen;
      ctx.gw.state.changed();
      return { status: 200, json: { refundBalance: fen } };
    }),
  ];
}
