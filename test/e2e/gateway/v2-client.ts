import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Formatter, Hash, Transformer } from 'wechatpay-axios-plugin';
import type { Gateway } from '../../../sandbox/gateway';

/**
 * Test-side APIv2 client: wechatpay-axios-plugin's v2 helpers (Hash.sign, Transformer's XML,
 * Formatter.nonce) over node:http / node:https — nothing shared with the sandbox.
 */

export type SignType = 'MD5' | 'HMAC-SHA256';

export interface V2CallOptions {
  signType?: SignType;
  /** Sign with this key instead of the merchant's. */
  key?: string;
  /** Sign with this type but declare `signTypeDeclared` (or none). */
  signTypeDeclared?: SignType | null;
  /** Send this body as is. */
  rawBody?: string;
  method?: string;
  /** Over the gateway's HTTPS listener, with this client identity (none: no certificate). */
  tls?: { cert?: string; key?: string; pfx?: Buffer; passphrase?: string };
}

export interface V2Answer {
  status: number;
  text: string;
  contentType: string;
  /** The XML parsed by the plugin; undefined when the body is not XML. */
  fields?: Record<string, string>;
}

const toXml = (data: object) => (Transformer.toXml as unknown as (this: object, d: object) => string).call({}, data);
export const toObject = (xml: string) => (Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, xml);

/** Adds nonce_str, sign_type (for HMAC-SHA256) and sign, as a merchant server does. */
export function signedRequest(gw: Gateway, fields: Record<string, string | number>, o: V2CallOptions = {}): Record<string, string> {
  const type = o.signType ?? 'MD5';
  const declared = o.signTypeDeclared === undefined ? (type === 'MD5' ? undefined : type) : o.signTypeDeclared ?? undefined;
  const data: Record<string, string> = { nonce_str: Formatter.nonce(32) };
  for (const [k, v] of Object.entries(fields)) data[k] = String(v);
  if (declared) data.sign_type = declared;
  data.sign = Hash.sign(type, data, o.key ?? gw.keys.apiV2Key);
  return data;
}

export async function v2call(gw: Gateway, path: string, fields: Record<string, string | number>, o: V2CallOptions = {}): Promise<V2Answer> {
  const body = o.rawBody ?? toXml(signedRequest(gw, fields, o));
  const base = o.tls ? gw.v2.secureUrl : gw.url;
  const url = new URL(path, base);
  const method = o.method ?? 'POST';
  const options: https.RequestOptions = {
    method,
    headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) },
    ...(o.tls ? { ca: gw.v2.keys.ca.certificatePem, ...o.tls, agent: false } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (o.tls ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, string> | undefined;
        try {
          parsed = text.trimStart().startsWith('<xml>') ? toObject(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, contentType: String(res.headers['content-type'] ?? ''), fields: parsed });
      });
    });
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : body);
  });
}

/** Whether an answer's sign verifies with the merchant key in the given type. */
export function signValid(gw: Gateway, fields: Record<string, string> | undefined, type: SignType): boolean {
  return !!fields?.sign && Hash.sign(type, fields, gw.keys.apiV2Key) === fields.sign;
}

let seq = 0;
export const outTradeNo = (prefix = 'V2') => `${prefix}${Date.now()}${process.pid}${seq++}`.slice(0, 32);

export function jsapiOrder(gw: Gateway, notifyUrl: string, over: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    appid: gw.keys.appid,
    mch_id: gw.keys.mchid,
    body: '沙箱 v2 测试',
    out_trade_no: outTradeNo(),
    total_fee: 1234,
    spbill_create_ip: '127.0.0.1',
    notify_url: notifyUrl,
    trade_type: 'JSAPI',
    openid: 'oV2PAYER00000000000000000000',
    ...over,
  };
}

export function appOrder(gw: Gateway, notifyUrl: string, over: Record<string, string | number> = {}): Record<string, string | number> {
  const { openid: _openid, ...rest } = jsapiOrder(gw, notifyUrl, { appid: gw.v2.keys.appAppid, trade_type: 'APP', ...over });
  return rest;
}

/** wx.requestPayment parameters for a v2 JSAPI order: paySign over appId, nonceStr, package, signType, timeStamp. */
export function requestPaymentParams(gw: Gateway, prepayId: string, signType: SignType, over: { appId?: string; key?: string } = {}): Record<string, string> {
  const params = { appId: over.appId ?? gw.keys.appid, timeStamp: String(Formatter.timestamp()), nonceStr: Formatter.nonce(32), package: `prepay_id=${prepayId}`, signType };
  const paySign = Hash.sign(signType, params, over.key ?? gw.keys.apiV2Key);
  const { appId: _appId, ...rest } = params;
  return { ...rest, paySign };
}

/** The APP's PayReq: sign over exactly appid, partnerid, prepayid, noncestr, timestamp, package=Sign=WXPay. */
export function payReq(gw: Gateway, prepayId: string, signType: SignType, over: Record<string, string> = {}): Record<string, string> {
  const fields = { appid: gw.v2.keys.appAppid, partnerid: gw.keys.mchid, prepayid: prepayId, noncestr: Formatter.nonce(32), timestamp: String(Formatter.timestamp()), package: 'Sign=WXPay', ...over };
  return { ...fields, sign: Hash.sign(signType, fields, gw.keys.apiV2Key) };
}

export interface XmlReceived {
  body: string;
  fields: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

/** A merchant notify endpoint whose replies are scripted per call (default: the SUCCESS XML). */
export async function startXmlReceiver(answer: (n: number) => { status: number; body: string } = () => SUCCESS_REPLY) {
  const received: XmlReceived[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, fields: toObject(body), headers: req.headers });
      const reply = answer(received.length);
      res.writeHead(reply.status, { 'Content-Type': 'text/xml' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2notify`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The reply the 支付结果通知 page asks for. */
export const SUCCESS_REPLY = { status: 200, body: '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>' };
export const FAIL_REPLY = { status: 200, body: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>' };
