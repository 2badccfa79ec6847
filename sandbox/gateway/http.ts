import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readBodyText } from '../common/read-body';
import { randomAlnum, responseMessage, signSha256Rsa, type PlatformSigner } from './crypto';

/** A gateway answer other than success: `{code, message, detail?}` as the real gateway writes it. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** 400 PARAM_ERROR whose `detail.field` names the offending field (dotted path). */
export const paramError = (field: string, message: string, location: 'body' | 'query' | 'path' = 'body') =>
  new GatewayError(400, 'PARAM_ERROR', `${field}: ${message}`, { field, location, issue: message });

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path with query exactly as sent: what the merchant signed. */
  rawPath: string;
  url: URL;
  body: string;
  params: string[];
  /** Set once the merchant signature checked out. */
  mchid?: string;
  requestId: string;
}

export type Handler = (ctx: RequestContext) => Promise<Reply | void> | Reply | void;

/** What a handler answers; `json` undefined with 204 means an empty body. */
export interface Reply {
  status: number;
  json?: unknown;
  html?: string;
}

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export function route(method: string, pattern: RegExp, handler: Handler): Route {
  return { method, pattern, handler };
}

export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return readBodyText(req, limit, () => new GatewayError(413, 'PARAM_ERROR', 'request body too large'));
}

/** Parses a JSON body, answering 400 PARAM_ERROR like the gateway when it is not an object. */
export function jsonBody(ctx: RequestContext): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(ctx.body);
  } catch {
    throw new GatewayError(400, 'PARAM_ERROR', '输入源"/body"映射到值字段失败: 请求体不是合法的JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new GatewayError(400, 'PARAM_ERROR', '请求体必须是JSON对象');
  return value as Record<string, unknown>;
}

/** Writes a platform-signed answer: every APIv3 response, errors included, carries these headers. */
export function sendSigned(ctx: RequestContext, reply: Reply, signer: PlatformSigner): void {
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomAlnum(32);
  const headers: Record<string, string | number> = {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signSha256Rsa(responseMessage(timestamp, nonce, body), signer.privateKeyPem),
    'Wechatpay-Serial': signer.serial,
    'Request-ID': ctx.requestId,
    'Content-Length': Buffer.byteLength(body),
  };
  if (body) headers['Content-Type'] = 'application/json; charset=utf-8';
  ctx.res.writeHead(reply.status, headers);
  ctx.res.end(body);
}

/** Plain JSON or HTML, for the sandbox's own pages and jscode2session (not an APIv3 host). */
export function sendPlain(ctx: RequestContext, reply: Reply): void {
  if (reply.html !== undefined) {
    ctx.res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(reply.html) });
    ctx.res.end(reply.html);
    return;
  }
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body), 'Request-ID': ctx.requestId };
  if (body) headers['Content-Type'] = 'application/json; charset=utf-8';
  ctx.res.writeHead(reply.status, headers);
  ctx.res.end(body);
}

export function newRequestId(): string {
  // Real Request-IDs are long opaque hex-ish strings.
  return randomUUID().replace(/-/g, '').toUpperCase() + randomAlnum(8);
}

export function errorJson(err: GatewayError): Record<string, unknown> {
  return err.detail ? { code: err.code, message: err.message, detail: err.detail } : { code: err.code, message: err.message };
}
