import { createSign, createVerify } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { startHuifuGateway, type HuifuGateway, type HuifuGatewayOptions } from '../../../sandbox/huifu';

/**
 * A test-side DouGong client on node:crypto, written from the published rules (dg-payment-skills
 * shared-signing-v2.md) rather than shared with the sandbox, so the two sides check each other:
 * sign the compact JSON of `data` with its first-level keys sorted; verify answers over the raw
 * `data` text and notifications over `resp_data` exactly.
 */

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'huifu-gw-'));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** A new data dir with the same keys as `from` (skips key generation; state starts empty). */
export function cloneKeys(from: string): string {
  const dir = tempDataDir();
  cpSync(join(from, 'keys'), join(dir, 'keys'), { recursive: true });
  return dir;
}

export function startTestHuifu(dataDir: string, opts: Partial<HuifuGatewayOptions> = {}): Promise<HuifuGateway> {
  return startHuifuGateway({ dataDir, timeScale: 50, refundDelayMs: 1000, ...opts });
}

/** Sorted by a plain insertion sort, not Array#sort, to be independent of the sandbox's code path. */
export function firstLevelSortedText(data: Record<string, unknown>): string {
  const keys: string[] = [];
  for (const k of Object.keys(data)) {
    let i = keys.length;
    while (i > 0 && keys[i - 1]! > k) i--;
    keys.splice(i, 0, k);
  }
  return '{' + keys.filter((k) => data[k] !== undefined).map((k) => `${JSON.stringify(k)}:${JSON.stringify(data[k])}`).join(',') + '}';
}

export const rsaSign = (text: string, pem: string) => createSign('RSA-SHA256').update(text, 'utf8').sign(pem, 'base64');
export const rsaVerify = (text: string, sig: string, pem: string) => createVerify('RSA-SHA256').update(text, 'utf8').verify(pem, Buffer.from(sig, 'base64'));

/** The raw text of the top-level `data` member of `{"data":…,"sign":…}` (scanning, not re-serialising). */
export function rawDataText(body: string): string {
  const start = body.indexOf('{"data":');
  if (start !== 0) throw new Error(`answer does not start with {"data": — ${body.slice(0, 40)}`);
  let depth = 0;
  let inString = false;
  for (let i = 8; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return body.slice(8, i + 1);
    }
  }
  throw new Error('unterminated data');
}

export interface CallOptions {
  sysId?: string;
  productId?: string;
  signWith?: string;
  /** Sign something other than what is sent. */
  tamper?: boolean;
  rawBody?: string;
}

export interface HuifuAnswer {
  status: number;
  text: string;
  data: Record<string, any>;
  /** The answer's signature verifies with Huifu's public key over the raw data text. */
  signed: boolean;
}

export async function call(gw: HuifuGateway, path: string, data: Record<string, unknown>, o: CallOptions = {}): Promise<HuifuAnswer> {
  const text = firstLevelSortedText(data);
  const sign = rsaSign(o.tamper ? text + ' ' : text, o.signWith ?? gw.keys.merchant.privateKeyPem);
  const body = o.rawBody ?? JSON.stringify({ sys_id: o.sysId ?? gw.keys.sysId, product_id: o.productId ?? gw.keys.productId, data, sign });
  const res = await fetch(gw.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const raw = await res.text();
  if (res.status !== 200) return { status: res.status, text: raw, data: {}, signed: false };
  const dataText = rawDataText(raw);
  const parsed = JSON.parse(raw) as { data: Record<string, any>; sign: string };
  return { status: res.status, text: raw, data: parsed.data, signed: rsaVerify(dataText, parsed.sign, gw.keys.huifu.publicKeyPem) };
}

let seq = 0;
export const reqSeqId = (prefix = 'HF') => `${prefix}${Date.now()}${process.pid}${seq++}`;
/** Today's `yyyyMMdd` in China time, computed here. */
export const today = (ms = Date.now()) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');

export function jspayData(gw: HuifuGateway, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    req_date: today(),
    req_seq_id: reqSeqId(),
    huifu_id: gw.keys.huifuId,
    trade_type: 'T_MINIAPP',
    trans_amt: '12.34',
    goods_desc: '沙箱测试 <&> 商品/描述',
    wx_data: JSON.stringify({ sub_appid: gw.appids[0], sub_openid: 'oSUB_OPENID_TEST_0001' }),
    ...over,
  };
}

/** Places an order and returns the request and the verified answer. */
export async function order(gw: HuifuGateway, over: Record<string, unknown> = {}) {
  const req = jspayData(gw, over);
  const ans = await call(gw, '/v2/trade/payment/jspay', req);
  if (ans.data.resp_code !== '00000100') throw new Error(`jspay refused: ${ans.text}`);
  return { req, ans, hf: ans.data.hf_seq_id as string, payInfo: JSON.parse(ans.data.pay_info as string) as Record<string, string> };
}

export interface ReceivedForm {
  at: number;
  contentType: string;
  fields: Record<string, string>;
  raw: string;
}

/** A merchant notify endpoint whose answers are scripted per call (default: the proper RECV_ORD_ID_ reply). */
export async function startReceiver(answer: (n: number, f: ReceivedForm) => { status: number; body: string } | 'hang' | 'ok' = () => 'ok') {
  const received: ReceivedForm[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const item = { at: Date.now(), contentType: String(req.headers['content-type']), fields: Object.fromEntries(new URLSearchParams(raw)), raw };
      received.push(item);
      const a = answer(received.length, item);
      if (a === 'hang') return;
      const reply = a === 'ok' ? { status: 200, body: `RECV_ORD_ID_${JSON.parse(item.fields.resp_data ?? '{}').req_seq_id}` } : a;
      res.writeHead(reply.status, { 'Content-Type': 'text/plain' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/huifu/notify`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads the entries of a zip (stored or deflated), parsing the central directory by hand. */
export function unzip(buf: Buffer): Array<{ name: string; data: Buffer }> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central header');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

export interface TestHuifu {
  dir: string;
  gw: HuifuGateway;
}

/** One Huifu sandbox for the calling describe block: started before its tests, closed and its data dir removed after. */
export function useTestHuifu(opts: Partial<HuifuGatewayOptions> = {}): TestHuifu {
  const t = {} as TestHuifu;
  beforeAll(async () => {
    t.dir = tempDataDir();
    t.gw = await startTestHuifu(t.dir, opts);
  });
  afterAll(async () => {
    await t.gw.close();
    removeDir(t.dir);
  });
  return t;
}
