import { createDecipheriv, createSign, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway, type GatewayOptions } from '../../../sandbox/gateway';
import type { SandboxKeys } from '../../../sandbox/keys';

/**
 * Test-side APIv3 client primitives on node:crypto, written from the protocol text rather than
 * shared with the gateway, so the two sides check each other.
 */

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'sandbox-gw-'));

/** One key set for a whole test file: key generation is the slow part of starting a gateway. */
export async function startTestGateway(dataDir: string, opts: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return startGateway({ dataDir, timeScale: 1000, minCloseIntervalMs: 0, ...opts });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface SignedCallOptions {
  /** Override any Authorization field (tests of refusals). */
  mchid?: string;
  serial?: string;
  timestamp?: string;
  signWith?: string;
  tamperSignature?: boolean;
}

export interface SignedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export async function v3call(gw: { url: string; keys: SandboxKeys }, method: string, path: string, body?: unknown, o: SignedCallOptions = {}): Promise<SignedResponse> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex').toUpperCase();
  const message = `${method}\n${path}\n${timestamp}\n${nonce}\n${text}\n`;
  let signature = createSign('RSA-SHA256').update(message).sign(o.signWith ?? gw.keys.merchant.privateKeyPem, 'base64');
  if (o.tamperSignature) signature = createSign('RSA-SHA256').update(message + 'x').sign(gw.keys.merchant.privateKeyPem, 'base64');
  const authorization =
    `WECHATPAY2-SHA256-RSA2048 mchid="${o.mchid ?? gw.keys.mchid}",nonce_str="${nonce}",` +
    `timestamp="${timestamp}",serial_no="${o.serial ?? gw.keys.merchant.serialNo}",signature="${signature}"`;
  const res = await fetch(gw.url + path, {
    method,
    headers: { Authorization: authorization, Accept: 'application/json', ...(text ? { 'Content-Type': 'application/json' } : {}) },
    body: text || undefined,
  });
  const raw = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => (headers[key] = value));
  return { status: res.status, headers, text: raw, json: raw ? JSON.parse(raw) : undefined };
}

/** Verifies a platform signature over `TIMESTAMP\nNONCE\nBODY\n` with the key the serial names. */
export function platformSignatureValid(keys: SandboxKeys, headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const h = (name: string) => String(headers[name] ?? headers[name.toLowerCase()] ?? '');
  const serial = h('wechatpay-serial');
  const key =
    serial === keys.platformCert.serialNo
      ? new X509Certificate(keys.platformCert.certificatePem).publicKey
      : serial === keys.platformPublicKey.keyId
        ? keys.platformPublicKey.publicKeyPem
        : undefined;
  if (!key) return false;
  const message = `${h('wechatpay-timestamp')}\n${h('wechatpay-nonce')}\n${body}\n`;
  return createVerify('RSA-SHA256').update(message).verify(key, Buffer.from(h('wechatpay-signature'), 'base64'));
}

export function decryptResource(apiV3Key: string, r: { ciphertext: string; nonce: string; associated_data: string }): string {
  const data = Buffer.from(r.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(r.nonce));
  decipher.setAAD(Buffer.from(r.associated_data));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

export interface ReceivedNotification {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A merchant notify endpoint whose answers are scripted per call (default 204). */
export async function startReceiver(answer: (n: number, received: ReceivedNotification) => number | 'hang' = () => 204) {
  const received: ReceivedNotification[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const item = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(item);
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
      const status = answer(received.length, item);
      if (status === 'hang') return; // never answers: the gateway's 5 s timeout fires
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(status === 200 || status === 204 ? '' : JSON.stringify({ code: 'FAIL', message: 'scripted failure' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
    waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} notifications within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let seq = 0;
/** A fresh out_trade_no per call (the gateway rejects reuse with other parameters). */
export const outTradeNo = (prefix = 'T') => `${prefix}${Date.now()}${process.pid}${seq++}`.slice(0, 32);

export function jsapiBody(gw: { keys: SandboxKeys }, notifyUrl: string, over: Record<string, unknown> = {}) {
  return {
    appid: gw.keys.appid,
    mchid: gw.keys.mchid,
    description: 'sandbox test',
    out_trade_no: outTradeNo(),
    notify_url: notifyUrl,
    amount: { total: 1, currency: 'CNY' },
    payer: { openid: 'oTESTPAYER000000000000000000' },
    ...over,
  };
}

/** A new data dir holding the same keys as `from` (skips key generation; state starts empty). */
export function cloneKeys(from: string): string {
  const dir = tempDataDir();
  cpSync(join(from, 'keys'), join(dir, 'keys'), { recursive: true });
  return dir;
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export interface TestGateway {
  dataDir: string;
  gw: Gateway;
  receiver: Receiver;
}

/**
 * One gateway and one notify receiver for the calling describe block: started before its tests,
 * closed (and the data dir removed) after them. Fields are filled in by the beforeAll hook.
 */
export function useTestGateway(opts: Partial<GatewayOptions> = {}, answer?: Parameters<typeof startReceiver>[0]): TestGateway {
  const t = {} as TestGateway;
  beforeAll(async () => {
    t.dataDir = tempDataDir();
    t.gw = await startTestGateway(t.dataDir, opts);
    t.receiver = await startReceiver(answer);
  });
  afterAll(async () => {
    await t.gw.close();
    await t.receiver.close();
    removeDir(t.dataDir);
  });
  return t;
}

/** The JSAPI create / query / close calls on the test gateway, notifications to its receiver. */
export function jsapiCalls(t: TestGateway) {
  return {
    create: async (over: Record<string, unknown> = {}) => {
      const body = jsapiBody(t.gw, t.receiver.url, over);
      const res = await v3call(t.gw, 'POST', '/v3/pay/transactions/jsapi', body);
      return { body, res, prepayId: res.json?.prepay_id as string };
    },
    query: (no: string) => v3call(t.gw, 'GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${t.gw.keys.mchid}`),
    close: (no: string) => v3call(t.gw, 'POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: t.gw.keys.mchid }),
  };
}
