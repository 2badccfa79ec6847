import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { publicKeyDerOf, type SandboxV2Keys } from '../../keys-v2';
import type { GatewayContext } from '../context';
import { readBody } from '../http';
import { RETURN_MSG, V2ResultFail, V2ReturnFail, badParam } from './errors';
import { isV2SignType, nonceStr, signV2, verifyV2, type V2SignType } from './sign';
import { buildXml, parseXml, XmlError } from './xml';

/**
 * The APIv2 request pipeline on `api.mch.weixin.qq.com` paths: XML in, XML out, every request's
 * `sign` checked with the merchant's APIv2 key in the sign type it declares (`sign_type`, MD5 when
 * absent — "签名类型，目前支持HMAC-SHA256和MD5，默认为MD5", chapter=9_1) and every answer signed the
 * same way. `/secapi/…` additionally needs the merchant's client certificate on the TLS
 * connection ("请求需要双向证书", chapter=9_4).
 */

export interface V2Context {
  gw: GatewayContext;
  keys: SandboxV2Keys;
}

/** A request that passed the communication checks. */
export interface V2Call {
  path: string;
  fields: Record<string, string>;
  signType: V2SignType;
  appid: string;
}

/** The business fields of a SUCCESS answer, in the order they are written. */
export type V2Fields = Array<[string, string | number | undefined]>;

export interface V2Endpoint {
  path: string;
  /** Served only over TLS with the merchant's client certificate. */
  secure?: boolean;
  /** err_code_des of SYSTEMERROR on this page (the fault switches answer with it). */
  systemErrorDes: string;
  /** Whether a FREQUENCY_LIMITED fault has its own published code here (else SYSTEMERROR). */
  frequencyLimited?: boolean;
  handle(ctx: V2Context, call: V2Call): V2Fields;
}

/** The refusals nginx in front of api.mch.weixin.qq.com gives on /secapi (HTTP 400, HTML). */
const NO_CERTIFICATE = 'No required SSL certificate was sent';
const BAD_CERTIFICATE = 'The SSL certificate error';

export function isV2ApiPath(pathname: string): boolean {
  return pathname.startsWith('/pay/') || pathname.startsWith('/secapi/');
}

export async function serveV2(ctx: V2Context, endpoints: V2Endpoint[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://sandbox.local').pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  const endpoint = endpoints.find((e) => e.path === pathname);
  let body: string;
  try {
    body = await readBody(req);
  } catch {
    return sendXml(res, buildXml([['return_code', 'FAIL'], ['return_msg', 'post数据过大']]));
  }
  // Every answer (and a call held without one) goes on the console's request log.
  const log = (status: number | undefined, answer: string) => logV2Call(ctx, { method, path: req.url ?? pathname, status, body, answer });
  if (!endpoint) {
    const text = `no such APIv2 endpoint: ${pathname}`;
    log(404, text);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
    return;
  }
  // Mutual TLS comes before anything is read: nginx refuses at the door.
  if (endpoint.secure) {
    const refusal = clientCertificateRefusal(ctx, req);
    if (refusal) {
      ctx.gw.log(`v2 ${pathname}: refused (${refusal})`);
      log(400, `nginx 400: ${refusal}`);
      return sendNginx400(res, refusal);
    }
  }
  const reply = (xml: string) => {
    log(200, xml);
    sendXml(res, xml);
  };

  let call: V2Call;
  try {
    call = checkCall(ctx, method, pathname, body);
  } catch (err) {
    if (err instanceof V2ReturnFail) return reply(returnFail(ctx, pathname, err));
    throw err;
  }

  const fault = ctx.gw.faults.takeEndpoint(method, pathname);
  const run = (): string => answer(ctx, call, () => endpoint.handle(ctx, call));
  if (fault?.effect === 'SYSTEM_ERROR' || fault?.effect === 'FREQUENCY_LIMITED') {
    const code = fault.effect === 'FREQUENCY_LIMITED' && endpoint.frequencyLimited ? 'FREQUENCY_LIMITED' : 'SYSTEMERROR';
    const des = code === 'FREQUENCY_LIMITED' ? '频率限制' : endpoint.systemErrorDes;
    return reply(answer(ctx, call, () => { throw new V2ResultFail(code, `${des} (sandbox fault)`); }));
  }
  if (fault?.effect === 'hang') {
    // The client gives up; whether the call took effect is the fault's `processed` flag.
    const held = fault.processed !== false ? run() : '';
    log(undefined, held);
    ctx.gw.log(`fault: holding ${method} ${pathname} for ${fault.holdMs ?? 15000} ms`);
    ctx.gw.later(() => req.socket.destroy(), fault.holdMs ?? 15000);
    return;
  }
  reply(run());
}

/**
 * An APIv2 call on the console's request log, its XML bodies as their fields (so the order
 * numbers in them name the order whose timeline shows it); a held call has status 0.
 */
function logV2Call(ctx: V2Context, call: { method: string; path: string; status: number | undefined; body: string; answer: string }): void {
  const fields = (text: string): unknown => {
    if (!text.trim().startsWith('<')) return text ? text.slice(0, 2000) : undefined;
    try {
      return parseXml(text);
    } catch {
      return text.slice(0, 2000);
    }
  };
  ctx.gw.console.requests.record({ at: Date.now(), method: call.method, path: call.path, status: call.status ?? 0, request: fields(call.body), response: call.status === undefined ? '(held: no answer, sandbox fault)' : fields(call.answer) });
  ctx.gw.console.changes.changed();
}

/** Method, body, XML, merchant and sign: the return_code FAIL layer. */
function checkCall(ctx: V2Context, method: string, path: string, body: string): V2Call {
  if (method !== 'POST') throw new V2ReturnFail(RETURN_MSG.REQUIRE_POST_METHOD);
  if (!body.trim()) throw new V2ReturnFail(RETURN_MSG.POST_DATA_EMPTY);
  let fields: Record<string, string>;
  try {
    fields = parseXml(body);
  } catch (err) {
    if (err instanceof XmlError) throw new V2ReturnFail(RETURN_MSG.XML_FORMAT_ERROR);
    throw err;
  }
  // Without a known merchant there is no key to check the sign (or sign an answer) with.
  if (fields.mch_id !== ctx.gw.keys.mchid) throw badParam('mch_id');
  const declared = fields.sign_type;
  if (declared !== undefined && !isV2SignType(declared)) throw new V2ReturnFail(RETURN_MSG.SIGNERROR);
  const signType: V2SignType = declared ?? 'MD5';
  if (!verifyV2(fields, ctx.keys.apiV2Key, signType)) throw new V2ReturnFail(RETURN_MSG.SIGNERROR);
  if (!fields.nonce_str || fields.nonce_str.length > 32) throw badParam('nonce_str');
  if (!fields.appid || fields.appid.length > 32) throw badParam('appid');
  return { path, fields, signType, appid: fields.appid };
}

/** Runs a handler into a signed SUCCESS answer, or a signed result_code FAIL. */
function answer(ctx: V2Context, call: V2Call, handle: () => V2Fields): string {
  let result: V2Fields;
  try {
    if (!boundAppids(ctx).includes(call.appid)) throw new V2ResultFail('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    result = [['result_code', 'SUCCESS'], ...handle()];
  } catch (err) {
    if (err instanceof V2ReturnFail) return returnFail(ctx, call.path, err);
    if (!(err instanceof V2ResultFail)) throw err;
    ctx.gw.log(`v2 ${call.path}: ${err.errCode} (${err.errCodeDes})`);
    result = [['result_code', 'FAIL'], ['err_code', err.errCode], ['err_code_des', err.errCodeDes]];
  }
  return signedXml(ctx.keys.apiV2Key, call.signType, [
    ['return_code', 'SUCCESS'],
    ['return_msg', 'OK'],
    ['appid', call.appid],
    ['mch_id', ctx.gw.keys.mchid],
    ['device_info', call.fields.device_info],
    ['nonce_str', nonceStr()],
    ...result,
  ]);
}

/** The unsigned communication failure: `return_code` FAIL and why, nothing else. */
function returnFail(ctx: V2Context, path: string, err: V2ReturnFail): string {
  ctx.gw.log(`v2 ${path}: return_code FAIL (${err.returnMsg})`);
  return buildXml([['return_code', 'FAIL'], ['return_msg', err.returnMsg]]);
}

/** The mini-program appid and the mobile-app appid are both bound to the sandbox merchant. */
export const boundAppids = (ctx: V2Context) => [ctx.gw.keys.appid, ctx.keys.appAppid];

/** XML with `sign` (over every other field) placed after nonce_str, as in the published samples. */
export function signedXml(key: string, signType: V2SignType, fields: V2Fields, root = 'xml'): string {
  const present = fields.filter(([, v]) => v !== undefined);
  const sign = signV2(Object.fromEntries(present), key, signType);
  const at = present.findIndex(([k]) => k === 'nonce_str');
  present.splice(at < 0 ? present.length : at + 1, 0, ['sign', sign]);
  return buildXml(present, root);
}

function sendXml(res: ServerResponse, xml: string): void {
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}

/** nginx's own 400 page for a client-certificate problem, byte for byte in shape. */
function sendNginx400(res: ServerResponse, reason: string): void {
  const html = `<html>\r\n<head><title>400 ${reason}</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>${reason}</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(400, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html), Connection: 'close' });
  res.end(html);
}

/**
 * Why a /secapi request is refused, if it is: no certificate on the connection (plain HTTP, or
 * TLS without one), or one that the sandbox CA did not issue or that is not the merchant's.
 * Observed answers: "400 No required SSL certificate was sent" (zwczou/weixin-python issue #88),
 * "400 The SSL certificate error" (binarywang/weixin-java-pay-demo issue #60).
 */
function clientCertificateRefusal(ctx: V2Context, req: IncomingMessage): string | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) return NO_CERTIFICATE;
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0 || !peer.raw) return NO_CERTIFICATE;
  if (!socket.authorized) return BAD_CERTIFICATE;
  const presented = new X509Certificate(peer.raw).publicKey.export({ type: 'spki', format: 'der' });
  if (!presented.equals(publicKeyDerOf(ctx.keys.client.privateKeyPem))) return BAD_CERTIFICATE;
  return undefined;
}
