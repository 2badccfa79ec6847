/**
 * A merchant who takes WeChat payments only through Huifu: the config has a `huifu` section and no
 * `wechatpayV3` one. The functions start, say the v3 channels are off, and the Huifu channel pays
 * end to end; a v3 channel answers CHANNEL_UNAVAILABLE.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHuifuGateway, type HuifuGateway } from '../../../sandbox/huifu';
import { ensureSandboxKeys } from '../../../sandbox/keys';
import { writeLocalMerchantConfig } from '../../../sandbox/local-config';
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, waitForState } from '../pay/harness';
import { huifuCashier } from './harness';

jest.setTimeout(60_000);

let dataDir: string;
let huifu: HuifuGateway;
let stack: Stack;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-huifu-only-'));
  const keys = ensureSandboxKeys(dataDir);
  huifu = await startHuifuGateway({ dataDir, appids: [keys.appid], timeScale: 50 });
  const hostPort = await freePort();
  const file = writeLocalMerchantConfig({
    dataDir,
    keys,
    gatewayUrl: 'http://127.0.0.1:1',
    hostUrl: `http://127.0.0.1:${hostPort}`,
    openidOf: (user) => testOpenid(keys.appid, user),
    huifu: { url: huifu.url, keys: huifu.keys },
    file: join(dataDir, 'huifu-only.json'),
  });
  const { wechatpayV3: _v3, ...huifuOnly } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(huifuOnly));
  stack = await startStack({ dataDir, hostPort, env: { PAY_CONFIG_FILE: file } });
});
afterAll(async () => {
  await stack?.close();
  await huifu?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('pays through Huifu without a WeChat Pay v3 section; jsapi is unavailable', async () => {
  const alice = await login(stack, 'alice');
  const created = await alice.ok('pay.create', { channel: 'huifu', amount: 1234, idempotencyKey: idemKey() });
  await huifuCashier({ ...stack, huifu }, 'pay', created.payment);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  expect(await alice.call('pay.create', { channel: 'jsapi', amount: 100, idempotencyKey: idemKey() })).toMatchObject({ ok: false, code: 'CHANNEL_UNAVAILABLE' });
});
