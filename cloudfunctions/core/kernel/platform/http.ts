/**
 * HTTP-trigger functions (payment notifications). WeChat cloud hands the function an API-gateway
 * style event; this module turns it into a request with lower-cased headers and the raw body
 * exactly as sent (signatures are computed over those bytes), and the handler's answer back.
 */

/** The event of an HTTP trigger (WeChat cloud HTTP access service / local function host). */
export interface HttpTriggerEvent {
  path: string;
  httpMethod: string;
  headers: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface HttpTriggerResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

export interface HttpRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body bytes as received. */
  rawBody: Buffer;
  /** `rawBody` as UTF-8 — what signature verification runs over for JSON/XML notifications. */
  body: string;
}

export interface HttpResponse {
  status: number;
  /** Undefined values are left out. */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
}

export type HttpFunctionMain = (event: unknown, context?: unknown) => Promise<HttpTriggerResult>;

export function createHttpHandler(fn: (request: HttpRequest) => Promise<HttpResponse>): HttpFunctionMain {
  return async (event) => {
    let request: HttpRequest;
    try {
      request = toHttpRequest(event);
    } catch (err) {
      return { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: (err as Error).message };
    }
    try {
      return toTriggerResult(await fn(request));
    } catch (err) {
      console.error('[http-handler] unexpected error', err);
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'INTERNAL', message: 'internal error' }) };
    }
  };
}

export function toHttpRequest(event: unknown): HttpRequest {
  if (typeof event !== 'object' || event === null || typeof (event as HttpTriggerEvent).httpMethod !== 'string') {
    throw new Error('not an HTTP trigger event');
  }
  const e = event as HttpTriggerEvent;
  const common = { method: e.httpMethod.toUpperCase(), path: e.path || '/', headers: lowerCaseKeys(e.headers ?? {}), query: definedOnly(e.queryStringParameters ?? {}) };
  if (e.body != null && !e.isBase64Encoded && isWellFormed(e.body)) {
    // Text as received: the string already is what decoding its UTF-8 bytes gives; the bytes are
    // encoded only if a handler asks for them (no encode/decode round trip per notification).
    const body = e.body;
    let bytes: Buffer | undefined;
    return {
      ...common,
      body,
      get rawBody() {
        return (bytes ??= Buffer.from(body, 'utf8'));
      },
    };
  }
  const rawBody = e.body == null ? Buffer.alloc(0) : Buffer.from(e.body, e.isBase64Encoded ? 'base64' : 'utf8');
  return { ...common, rawBody, body: rawBody.toString('utf8') };
}

/**
 * No lone surrogate: such a string is exactly the UTF-8 decoding of its own encoding (a lone one
 * would come back as U+FFFD). `isWellFormed` is newer than some cloud runtimes; they round-trip.
 */
function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(text) : Buffer.from(text, 'utf8').toString('utf8') === text;
}

function toTriggerResult(res: HttpResponse): HttpTriggerResult {
  const headers = lowerCaseKeys(res.headers ?? {});
  if (Buffer.isBuffer(res.body)) return { statusCode: res.status, headers, body: res.body.toString('base64'), isBase64Encoded: true };
  return { statusCode: res.status, headers, body: res.body ?? '' };
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function definedOnly(query: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (v !== undefined) out[k] = v;
  return out;
}
