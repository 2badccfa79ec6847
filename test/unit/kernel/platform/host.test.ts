/**
 * The function host with fixture functions built by the production build path
 * (`buildCloudFunctions`) into a temp dist, against the real sandbox gateway's jscode2session.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import { buildCloudFunctions } from '../../../../gulpfile';
import { startGateway, type Gateway } from '../../../../sandbox/gateway';
import { testOpenid } from '../../../../sandbox/gateway/login';
import { startHost, type FunctionHost } from '../../../../sandbox/host';

jest.setTimeout(60_000);

let dir: string;
let gateway: Gateway;
let host: FunctionHost;
let tickFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'host-test-'));
  tickFile = join(dir, 'ticks.log');
  await buildCloudFunctions({ srcDir: join(__dirname, 'fixtures'), outDir: join(dir, 'dist') });
  gateway = await startGateway({ dataDir: join(dir, 'data') });
  host = await startHost({
    gatewayUrl: gateway.url,
    appid: gateway.keys.appid,
    appSecret: gateway.keys.appSecret,
    distDir: join(dir, 'dist'),
    timers: false,
    env: ({ url }) => ({ FIXTURE_MARK: `host at ${url}`, TICK_FILE: tickFile }),
  });
});
afterAll(async () => {
  await host?.close();
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function login(user: string): Promise<string> {
  const res = await fetch(`${host.url}/session`, { method: 'POST', body: JSON.stringify({ code: `user:${user}:${++n}` }) });
  return ((await res.json()) as { token: string }).token;
}
async function call(fn: string, data: unknown, token: string) {
  const res = await fetch(`${host.url}/call/${fn}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ data }) });
  return { status: res.status, body: (await res.json()) as any };
}

/** Raw HTTP so nothing between the test and the host touches the bytes. */
function rawRequest(method: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${host.url}${path}`, { method, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('lists the built functions and answers /healthz', async () => {
  expect(host.functions).toEqual(['echo', 'tick', 'whoami']);
  const res = await fetch(`${host.url}/healthz`);
  expect(res.status).toBe(200);
});

it('applies the env option to process.env before loading (knowing its own URL)', async () => {
  const { body } = await call('whoami', {}, await login('alice'));
  expect(body).toEqual({ ok: true, data: { openid: testOpenid(gateway.keys.appid, 'alice'), mark: `host at ${host.url}` } });
});

it('keeps concurrent callers apart across awaits', async () => {
  const users = ['alice', 'bob', 'carol'];
  const tokens = await Promise.all(users.map(login));
  const calls = Array.from({ length: 30 }, (_, i) => ({ user: users[i % 3], token: tokens[i % 3], delayMs: (i * 7) % 25 }));
  const answers = await Promise.all(calls.map((c) => call('whoami', { delayMs: c.delayMs }, c.token)));
  answers.forEach((a, i) => expect(a.body.data.openid).toBe(testOpenid(gateway.keys.appid, calls[i].user)));
});

it('refuses /call without a valid session and names unknown functions', async () => {
  const res = await fetch(`${host.url}/call/whoami`, { method: 'POST', body: '{"data":{}}' });
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: expect.any(String) });
  const missing = await call('nope', {}, await login('alice'));
  expect(missing.status).toBe(404);
});

it('gives the bundles a local wx-server-sdk whose database() says to use sqlite', async () => {
  const { body } = await call('whoami', { action: 'db' }, await login('alice'));
  expect(body.data.error).toMatch(/use the sqlite store locally/);
});

it('passes an HTTP trigger the raw body untouched, with lower-cased headers, path and query', async () => {
  // Odd spacing, key order, unicode and a trailing newline: what a signature is computed over.
  const raw = Buffer.from('{"z":1,  "a":"中文",\n "amount":{"total":1}}\r\n');
  const res = await rawRequest('POST', '/http/echo/notify/v3?x=1&y=two', raw, { 'Wechatpay-Signature': 'abc==', 'Content-Type': 'application/json' });
  expect(res.status).toBe(201);
  expect(res.headers['x-echo']).toBe('yes');
  const seen = JSON.parse(res.body.toString('utf8'));
  expect(seen).toMatchObject({ method: 'POST', path: '/notify/v3', query: { x: '1', y: 'two' } });
  expect(seen.headers['wechatpay-signature']).toBe('abc==');
  expect(Buffer.from(seen.bodyBase64, 'base64').equals(raw)).toBe(true);
  const text = await rawRequest('PUT', '/http/echo/text', raw);
  expect(text.body.equals(raw)).toBe(true);
});

it('runs an HTTP trigger with no caller in its context, even while calls of a caller are in flight', async () => {
  const token = await login('alice');
  const calls = Array.from({ length: 6 }, (_, i) => call('whoami', { delayMs: 3 * i }, token));
  const triggers = await Promise.all(Array.from({ length: 6 }, () => rawRequest('POST', '/http/echo/context', Buffer.from('{}'))));
  for (const t of triggers) expect(JSON.parse(t.body.toString('utf8'))).toEqual({ ENV: 'local', SOURCE: 'local-host' });
  for (const c of await Promise.all(calls)) expect(c.body.data.openid).toBe(testOpenid(gateway.keys.appid, 'alice'));
});

it('passes non-UTF-8 bodies through as bytes', async () => {
  const raw = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]);
  const res = await rawRequest('POST', '/http/echo', raw);
  expect(Buffer.from(JSON.parse(res.body.toString('utf8')).bodyBase64, 'base64').equals(raw)).toBe(true);
});

it('runs a timer trigger on demand, with the published timer event and no caller in the context', async () => {
  expect(host.timers.map((t) => `${t.fn}/${t.name}`)).toEqual(['tick/everySecond']);
  // https://cloud.tencent.com/document/product/583/31927: {"Type":"Timer","TriggerName":"EveryDay","Time":"2019-02-21T11:49:00Z"}
  expect(await host.runTimer('tick')).toEqual({
    ticked: true,
    trigger: 'everySecond',
    event: { Type: 'Timer', TriggerName: 'everySecond', Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    // getWXContext of a timer run: SOURCE wx_trigger, no OPENID/APPID.
    context: { ENV: 'local', SOURCE: 'wx_trigger' },
  });
  await expect(host.runTimer('whoami')).rejects.toThrow(/no timer trigger/);
});

it('refuses /call of a timer-only function at its door (403 FORBIDDEN) without running it', async () => {
  const ticks = () => (existsSync(tickFile) ? readFileSync(tickFile, 'utf8') : '');
  const before = ticks();
  const res = await call('tick', { Type: 'Timer', TriggerName: 'everySecond', Time: '2026-01-01T00:00:00Z' }, await login('mallory'));
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ ok: false, code: 'FORBIDDEN', message: expect.stringMatching(/tick runs only on its timer trigger/) });
  expect(ticks()).toBe(before);
  // Functions without timer triggers are still callable.
  expect((await call('whoami', {}, await login('alice'))).status).toBe(200);
});

it('refuses a login code that is not well-formed text instead of sending jscode2session a garbled one', async () => {
  const res = await fetch(`${host.url}/session`, { method: 'POST', body: JSON.stringify({ code: `user:alice\ud800:${++n}` }) });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^code: .*well-formed/) });
});

it('fires timer triggers on their schedule', async () => {
  const scheduled = await startHost({
    gatewayUrl: gateway.url,
    appid: gateway.keys.appid,
    appSecret: gateway.keys.appSecret,
    distDir: join(dir, 'dist'),
    env: { TICK_FILE: join(dir, 'scheduled.log') },
  });
  try {
    const file = join(dir, 'scheduled.log');
    const deadline = Date.now() + 5000;
    while ((!existsSync(file) || readFileSync(file, 'utf8').split('\n').filter(Boolean).length < 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toEqual({ type: 'Timer', trigger: 'everySecond' });
  } finally {
    await scheduled.close();
  }
});
