/**
 * What goes over the wire when the gateway errs, seen by a recording proxy between the functions
 * and the sandbox gateway (the merchant config points at the proxy). The merchant's notify URL is
 * plain http to a public host — a real misconfiguration the gateway refuses with 400 PARAM_ERROR.
 *
 * 500, 500, then 400: the client retried the identical bytes (same out_trade_no) and stopped at
 * the final 400; the page gets GATEWAY_REJECTED; the order is FAILED; a retry of the same create
 * reaches the gateway no more.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSandboxKeys } from '../../../sandbox/keys';
import { testOpenid } from '../../../sandbox/gateway/login';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, storeSnapshot, type User } from './harness';

jest.setTimeout(60_000);

interface Exchange {
  method: string;
  path: string;
  body: string;
  status: number;
}

/** Forwards every request unchanged to `target` and records it. */
async function startRecordingProxy(): Promise<{ url: string; target: string; exchanges: Exchange[]; server: Server }> {
  const proxy = { url: '', target: '', exchanges: [] as Exchange[], server: undefined as unknown as Server };
  proxy.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(new URL(req.url ?? '/', proxy.target), { method: req.method, headers: { ...req.headers, host: new URL(proxy.target).host } }, (up) => {
        proxy.exchanges.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8'), status: up.statusCode ?? 0 });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

let dataDir: string;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let stack: Stack;
let alice: User;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-gateway-errors-'));
  const keys = ensureSandboxKeys(dataDir);
  proxy = await startRecordingProxy();
  const file = writeLocalMerchantConfig({
    dataDir,
    keys,
    gatewayUrl: proxy.url,
    hostUrl: 'http://127.0.0.1:1',
    openidOf: (user) => testOpenid(keys.appid, user),
    wechatpayV3Overrides: { notifyUrl: 'http://pay.merchant.example/notify' },
    file: join(dataDir, 'proxied-pay-config.json'),
  });
  stack = await startStack({ dataDir, env: { PAY_CONFIG_FILE: file } });
  proxy.target = stack.gatewayUrl;
  alice = await login(stack, 'alice');
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => proxy?.server.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('500, 500, 400 PARAM_ERROR: identical retries, then GATEWAY_REJECTED, order FAILED, never sent again', async () => {
  await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: '/v3/pay/transactions/jsapi', effect: 'SYSTEM_ERROR', count: 2 });
  const idempotencyKey = idemKey();
  const result = await alice.call('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey });
  expect(result).toMatchObject({ ok: false, code: 'GATEWAY_REJECTED', retryable: false, message: expect.stringContaining('PARAM_ERROR') });

  const creates = proxy.exchanges.filter((e) => e.path === '/v3/pay/transactions/jsapi');
  expect(creates.map((e) => e.status)).toEqual([500, 500, 400]);
  expect(new Set(creates.map((e) => e.body)).size).toBe(1);
  const sent = JSON.parse(creates[0].body) as { out_trade_no: string; amount: { total: number }; payer: { openid: string }; notify_url: string };
  expect(sent).toMatchObject({ amount: { total: 100, currency: 'CNY' }, payer: { openid: testOpenid(stack.gateway.keys.appid, 'alice') }, notify_url: 'http://pay.merchant.example/notify' });

  const row = (storeSnapshot(stack).orders as Array<{ out_trade_no: string; state: string }>).find((r) => r.out_trade_no === sent.out_trade_no);
  expect(row?.state).toBe('FAILED');

  // The page retries: it learns the order failed, and the gateway hears nothing more.
  const again = await alice.call('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey });
  expect(again).toMatchObject({ ok: true, data: { order: { outTradeNo: sent.out_trade_no, state: 'FAILED' } } });
  expect((again as { data: { payment?: unknown } }).data.payment).toBeUndefined();
  expect(proxy.exchanges.filter((e) => e.path === '/v3/pay/transactions/jsapi')).toHaveLength(3);
});

it('every request the functions sent was signed by the merchant and accepted as such', () => {
  // A 401 would mean our signature (or the proxy) broke the bytes; none happened.
  expect(proxy.exchanges.length).toBeGreaterThan(0);
  expect(proxy.exchanges.filter((e) => e.status === 401)).toEqual([]);
});
