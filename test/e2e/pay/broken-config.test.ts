/**
 * A merchant config the functions refuse (here: an APIv3 key of the wrong length) fails every
 * call clearly — INTERNAL for pages, `{code:'FAIL'}` 500 for the gateway — and writes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeProcess } from '../../../sandbox/host/loader';
import { ensureSandboxKeys } from '../../../sandbox/keys';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login } from './harness';

jest.setTimeout(60_000);

let dataDir: string;
let stack: Stack;
let errors: string[] = [];
// The bundles run in Node's own realm: their console writes to the real process's stderr.
const realStderr = nodeProcess().stderr;
const originalWrite = realStderr.write.bind(realStderr);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-broken-config-'));
  const keys = ensureSandboxKeys(dataDir);
  const file = writeLocalMerchantConfig({ dataDir, keys, gatewayUrl: 'http://127.0.0.1:1', hostUrl: 'http://127.0.0.1:2', file: join(dataDir, 'broken.json') });
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...config, wechatpayV3: { ...(config.wechatpayV3 as object), apiV3Key: 'too-short' } }));
  stack = await startStack({ dataDir, env: { PAY_CONFIG_FILE: file } });
  realStderr.write = ((chunk: string | Uint8Array) => errors.push(String(chunk)) > 0) as typeof realStderr.write;
});
afterAll(async () => {
  realStderr.write = originalWrite;
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('pay answers INTERNAL (retryable), logs the field, writes no store', async () => {
  errors = [];
  const alice = await login(stack, 'alice');
  expect(await alice.call('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() })).toMatchObject({
    ok: false,
    code: 'INTERNAL',
    retryable: true,
    message: 'payments are not configured on this server',
  });
  expect(errors.join('\n')).toMatch(/apiV3Key must be exactly 32 bytes/);
  expect(require('node:fs').existsSync(join(dataDir, 'store.sqlite'))).toBe(false);
});

it('payNotify answers 500 {code:FAIL} so the gateway retries later', async () => {
  const res = await fetch(`${stack.hostUrl}/http/payNotify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ code: 'FAIL', message: 'internal error' });
});
