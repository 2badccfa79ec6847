/**
 * An outage: the gateway answers 500 SYSTEM_ERROR, 429 FREQUENCY_LIMITED, or takes the request
 * and never answers (a timeout), for every attempt of a while (sandbox faults). Each create is
 * retried with identical bytes and a bounded number of attempts (seen by a recording proxy), the
 * caller gets a retryable GATEWAY_UNAVAILABLE (what the page shows with its retry button), and
 * nothing is duplicated. After recovery the same requests (same idempotency keys) complete: one
 * order each, here and at the gateway, and they can be paid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testOpenid } from '../../sandbox/gateway/login';
import { ensureSandboxKeys } from '../../sandbox/keys';
import { writeLocalMerchantConfig } from '../../sandbox/local-config';
import { prepayIdOf, waitFor } from '../helpers/e2e-utils';
import { startStack, type Stack } from '../helpers/stack';
import { finish, Tally } from './report';
import { LONG } from './size';

jest.setTimeout(300_000);

const MAX_ATTEMPTS = 3;
const CREATE_PATH = '/v3/pay/transactions/jsapi';

interface Exchange {
  path: string;
  body: string;
}

let dataDir: string;
let stack: Stack;
let proxy: { url: string; target: string; exchanges: Exchange[]; server: Server };

/** Forwards every request unchanged and records it (a hung answer is forwarded as the client sees it: not at all). */
async function startRecordingProxy(): Promise<typeof proxy> {
  const p = { url: '', target: '', exchanges: [] as Exchange[], server: undefined as unknown as Server };
  p.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      p.exchanges.push({ path: req.url ?? '', body: body.toString('utf8') });
      const upstream = httpRequest(new URL(req.url ?? '/', p.target), { method: req.method, headers: { ...req.headers, host: new URL(p.target).host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
  p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
  return p;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'reliability-outage-'));
  const keys = ensureSandboxKeys(dataDir);
  proxy = await startRecordingProxy();
  const file = writeLocalMerchantConfig({
    dataDir,
    keys,
    gatewayUrl: proxy.url,
    hostUrl: 'http://127.0.0.1:1',
    openidOf: (user) => testOpenid(keys.appid, user),
    wechatpayV3Overrides: { http: { timeoutMs: 400, maxAttempts: MAX_ATTEMPTS } },
    file: join(dataDir, 'outage-pay-config.json'),
  });
  stack = await startStack({ dataDir, env: { PAY_CONFIG_FILE: file } });
  proxy.target = stack.gatewayUrl;
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => proxy?.server.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const EFFECTS = ['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'hang'] as const;

it('outage: 500 / 429 / timeouts — bounded identical retries, retryable errors, no duplicates; everything completes after recovery', async () => {
  const tally = new Tally('outage (creates)');
  const { appid } = stack.gateway.keys;
  const payer = { openid: testOpenid(appid, 'alice'), appid };
  const count = LONG ? 30 : 9;
  const requests = Array.from({ length: count }, (_, i) => ({ channel: 'jsapi', amount: 100 + i, idempotencyKey: `outage-${process.pid}-${i}` }));
  const outTradeNos: string[] = [];

  // During the outage: every attempt of every create fails, each create with one kind of failure.
  for (const [i, request] of requests.entries()) {
    const effect = EFFECTS[i % EFFECTS.length];
    await stack.gateway.admin.fault({ kind: 'endpoint', method: 'POST', path: CREATE_PATH, effect, count: MAX_ATTEMPTS, ...(effect === 'hang' ? { holdMs: 1_000, processed: i % 2 === 0 } : {}) });
    const before = proxy.exchanges.length;
    const r = (await stack.host.invoke('pay', { action: 'create', ...request }, payer)) as { ok: boolean; code?: string; retryable?: boolean };
    const sent = proxy.exchanges.slice(before).filter((e) => e.path === CREATE_PATH);
    const no = sent[0] ? (JSON.parse(sent[0].body) as { out_trade_no: string }).out_trade_no : undefined;
    if (no) outTradeNos.push(no);
    if (r.ok || r.code !== 'GATEWAY_UNAVAILABLE' || r.retryable !== true) tally.unexpected(`${effect}: answered ${JSON.stringify(r)}`);
    else if (sent.length < 1 || sent.length > MAX_ATTEMPTS) tally.unexpected(`${effect}: ${sent.length} attempts (bound ${MAX_ATTEMPTS})`);
    else if (new Set(sent.map((e) => e.body)).size !== 1) tally.unexpected(`${effect}: the retries were not identical bytes`);
    else tally.refused();
    await stack.gateway.admin.clearFaults();
  }

  // Recovery: the page retries each create with the same key.
  for (const [i, request] of requests.entries()) {
    const r = (await stack.host.invoke('pay', { action: 'create', ...request }, payer)) as { ok: boolean; data?: { order: { outTradeNo: string; state: string }; payment?: never } };
    if (!r.ok || !r.data?.payment) tally.unexpected(`after recovery, create ${i}: ${JSON.stringify(r).slice(0, 200)}`);
    else if (r.data.order.outTradeNo !== outTradeNos[i]) tally.unexpected(`after recovery, create ${i} made ${r.data.order.outTradeNo}, not the order of its first attempt ${outTradeNos[i]}`);
    else {
      tally.accepted();
      await stack.gateway.admin.pay(prepayIdOf(r.data.payment));
    }
  }
  const { orders } = await stack.gateway.admin.orders();
  for (const no of outTradeNos) {
    const atGateway = orders.filter((o) => (o as { outTradeNo?: string }).outTradeNo === no).length;
    if (atGateway !== 1) tally.unexpected(`${no}: ${atGateway} orders at the gateway`);
    try {
      await waitFor(`${no} paid`, async () => ((await stack.host.invoke('pay', { action: 'query', outTradeNo: no }, payer)) as { data?: { order: { state: string } } }).data?.order.state === 'PAID');
    } catch {
      tally.lost(`${no} paid at the gateway, never PAID here`);
    }
  }
  const rows = new Set(outTradeNos);
  if (rows.size !== requests.length) tally.unexpected(`${rows.size} distinct orders for ${requests.length} requests`);
  finish(tally);
});
