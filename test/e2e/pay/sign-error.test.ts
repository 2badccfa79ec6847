/**
 * A merchant signature the gateway refuses: the sandbox answers 401 SIGN_ERROR unsigned (the
 * gateway signs only answers to requests it verified). The functions must read that as a
 * configuration error to fix — INTERNAL, retryable, naming SIGN_ERROR — not as an untrusted
 * answer, and must not fail the order: it stays CREATED for a retry once the config is fixed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testOpenid } from '../../../sandbox/gateway/login';
import { ensureSandboxKeys } from '../../../sandbox/keys';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, storeSnapshot } from './harness';

jest.setTimeout(60_000);

let dataDir: string;
let stack: Stack;

/** A free loopback port, so the config can name the gateway before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-sign-error-'));
  const keys = ensureSandboxKeys(dataDir);
  const gatewayPort = await freePort();
  const file = writeLocalMerchantConfig({
    dataDir,
    keys,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    hostUrl: 'http://127.0.0.1:1',
    openidOf: (user) => testOpenid(keys.appid, user),
    // The right key under a serial the gateway does not know for this merchant.
    wechatpayV3Overrides: { merchant: { serialNo: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', privateKeyFile: join(dataDir, 'keys', 'merchant_key.pem') } },
    file: join(dataDir, 'wrong-serial-config.json'),
  });
  stack = await startStack({ dataDir, gatewayPort, env: { PAY_CONFIG_FILE: file } });
});
afterAll(async () => {
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('pay.create answers a clear INTERNAL error naming SIGN_ERROR, not an untrusted answer; the order stays CREATED', async () => {
  const erin = await login(stack, 'erin');
  const res = await erin.call('pay.create', { channel: 'jsapi', amount: 480, idempotencyKey: idemKey() });
  expect(res).toMatchObject({ ok: false, code: 'INTERNAL', retryable: true, message: expect.stringContaining('SIGN_ERROR') });
  const rows = storeSnapshot(stack).orders as Array<{ state: string }>;
  expect(rows.map((r) => r.state)).toEqual(['CREATED']);
  expect((await stack.gateway.admin.orders()).orders).toEqual([]);
});
