/**
 * A merchant without a WeChat Pay APIv3 section (e.g. one who only has APIv2 or Huifu): the
 * functions say so in their log as they load — before any payment — and `pay.create` on a v3
 * channel answers CHANNEL_UNAVAILABLE and writes nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const logged: string[] = [];
// The bundles run in Node's own realm: their console writes to the real process's stderr.
const realStderr = nodeProcess().stderr;
const originalWrite = realStderr.write.bind(realStderr);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-no-v3-'));
  const keys = ensureSandboxKeys(dataDir);
  const file = writeLocalMerchantConfig({ dataDir, keys, gatewayUrl: 'http://127.0.0.1:1', hostUrl: 'http://127.0.0.1:2', file: join(dataDir, 'no-v3.json') });
  const { wechatpayV3: _v3, ...withoutV3 } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(withoutV3));
  realStderr.write = ((chunk: string | Uint8Array) => logged.push(String(chunk)) > 0) as typeof realStderr.write;
  stack = await startStack({ dataDir, env: { PAY_CONFIG_FILE: file } });
});
afterAll(async () => {
  realStderr.write = originalWrite;
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('logs the disabled channels at cold start, before any call', () => {
  expect(logged.join('')).toMatch(/\[config\] WeChat Pay APIv3 is not configured \(no "wechatpayV3" section\): channels jsapi, combine disabled/);
});

it('pay.create answers CHANNEL_UNAVAILABLE and writes nothing', async () => {
  const alice = await login(stack, 'alice');
  for (const channel of ['jsapi', 'combine'] as const) {
    expect(await alice.call('pay.create', { channel, amount: 100, idempotencyKey: idemKey(), ...(channel === 'combine' ? { payeeCode: 'ABCDEFGH' } : {}) })).toMatchObject({
      ok: false,
      code: 'CHANNEL_UNAVAILABLE',
      message: expect.stringMatching(/not configured/),
    });
  }
  expect(existsSync(join(dataDir, 'store.sqlite'))).toBe(false);
});
