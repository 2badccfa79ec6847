import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readBodyText } from '../common/read-body';

/** Plain HTTP plumbing of the Huifu sandbox (its own; the WeChat gateway's is APIv3-shaped). */

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Request {
  method: string;
  url: URL;
  body: string;
  params: string[];
  req: IncomingMessage;
}

export interface Reply {
  status: number;
  json?: unknown;
  html?: string;
  /** Raw bytes with their own headers (file downloads, signed API answers). */
  raw?: { body: Buffer | string; headers: Record<string, string> };
}

export interface Route {
  method: string;
  pattern: RegExp;
  handler: (r: Request) => Reply | Promise<Reply>;
}

export const route = (method: string, pattern: RegExp, handler: Route['handler']): Route => ({ method, pattern, handler });

export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return readBodyText(req, limit, () => new AdminError(413, 'TOO_LARGE', 'request body too large'));
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.raw) {
    const body = reply.raw.body;
    res.writeHead(reply.status, { ...reply.raw.headers, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (reply.html !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(reply.html) });
    res.end(reply.html);
    return;
  }
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  res.writeHead(reply.status, body ? { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) } : { 'Content-Length': 0 });
  res.end(body);
}

/** A JSON object body of an admin or cashier call (empty = {}). */
export function jsonObject(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new AdminError(400, 'PARAM_ERROR', 'body is not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AdminError(400, 'PARAM_ERROR', 'body must be a JSON object');
  return v as Record<string, unknown>;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}button{font-size:1rem;padding:.4rem .8rem;margin:.2rem}table{border-collapse:collapse;width:100%;margin-bottom:1rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}.err{color:#c00}pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}
