/**
 * Worker-thread instances of HTTP-trigger functions in the function host (sandbox/host/instances.ts):
 * they run the same bundle with the host's env and local SDK, off the host's thread; events go to
 * the instance with the fewest in flight; an instance that dies holding the store's write gate
 * leaves it free, its event fails, and a fresh instance takes the next one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type FunctionHost } from '../../../sandbox/host';
import { mainRealm } from '../../../sandbox/host/loader';
import { waitFor } from '../../helpers/e2e-utils';

jest.setTimeout(60_000);

let dir: string;
let host: FunctionHost;
const lines: string[] = [];

const bundle = (body: string) => `const { threadId } = require('node:worker_threads');
const cloud = require('wx-server-sdk');
exports.main = async (event) => { ${body} };`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'host-instances-'));
  const fn = (name: string, body: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'index.js'), bundle(body));
  };
  fn('echo', `await new Promise((r) => setTimeout(r, 5));
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ thread: threadId, env: process.env.INSTANCE_TEST_ENV, context: cloud.getWXContext(), body: event.body }) };`);
  // Takes the process's write gate, as a store write would, and dies in the middle of it.
  fn('die', `const gate = globalThis[Symbol.for('pay.sqlite.writeGate')];
    if (event.path === '/hold') { Atomics.store(gate.cells, 0, threadId + 1); process.exit(3); }
    return { statusCode: 200, body: String(threadId) };`);
  host = await startHost({ gatewayUrl: 'http://127.0.0.1:9', appid: 'wx0', appSecret: 's', distDir: dir, timers: false, env: { INSTANCE_TEST_ENV: 'from the host' }, instances: { echo: 2, die: 1 }, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body = '') => {
  const res = await fetch(`${host.url}/http/${path}`, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
};

it('an HTTP trigger runs in an instance thread, with the host env and no caller; invoke stays on the host thread', async () => {
  const reply = await post('echo', 'ping');
  expect(reply.status).toBe(200);
  const seen = JSON.parse(reply.text) as { thread: number; env: string; context: { SOURCE: string; OPENID?: string }; body: string };
  expect(seen.thread).toBeGreaterThan(0);
  expect(seen).toMatchObject({ env: 'from the host', body: 'ping', context: { ENV: 'local', SOURCE: 'local-host' } });
  expect(seen.context.OPENID).toBeUndefined();
  const direct = (await host.invoke('echo', { body: 'direct' })) as { body: string };
  expect(JSON.parse(direct.body)).toMatchObject({ thread: 0, body: 'direct' });
});

it('answers an HTTP trigger that arrives while its instances are still starting (on the host thread)', async () => {
  let early: Promise<{ status: number; text: string }> | undefined;
  const starting = await startHost({
    gatewayUrl: 'http://127.0.0.1:9',
    appid: 'wx0',
    appSecret: 's',
    distDir: dir,
    timers: false,
    // The server listens before the bundles load: post as soon as its URL is known, and let the
    // request wait on the loading (the instances start after it).
    env: ({ url }) => {
      early = new Promise((ok) => setTimeout(ok, 0)).then(async () => {
        const res = await fetch(`${url}/http/echo`, { method: 'POST', body: 'early' });
        return { status: res.status, text: await res.text() };
      });
      return { INSTANCE_TEST_ENV: 'early' };
    },
    instances: { echo: 2 },
  });
  try {
    const reply = await early!;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ body: 'early' });
  } finally {
    await starting.close();
  }
});

it('spreads events over the instances by how many each has in flight', async () => {
  const before = host.instanceStats().echo!.reduce((a, b) => a + b, 0);
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post('echo', String(i))));
  expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
  const threads = new Set(replies.map((r) => (JSON.parse(r.text) as { thread: number }).thread));
  expect(threads.size).toBe(2);
  const handled = host.instanceStats().echo!;
  expect(handled.reduce((a, b) => a + b, 0) - before).toBe(20);
  expect(Math.min(...handled)).toBeGreaterThanOrEqual(5);
});

it('an instance dying inside a write frees the gate, fails its event, and is replaced', async () => {
  const first = Number((await post('die')).text);
  const gate = (mainRealm() as unknown as Record<symbol, { cells: Int32Array }>)[Symbol.for('pay.sqlite.writeGate')]!;
  expect((await post('die/hold')).status).toBe(500);
  expect(Atomics.load(gate.cells, 0)).toBe(0);
  expect(lines.some((l) => /exited holding the store's write gate/.test(l))).toBe(true);
  const next = await waitFor('a fresh instance of die', async () => {
    const reply = await post('die');
    return reply.status === 200 ? Number(reply.text) : undefined;
  });
  expect(next).not.toBe(first);
});
