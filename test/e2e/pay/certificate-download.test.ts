/**
 * Certificate mode without shipped certificates (`platform.downloadCertificates`): the runtime
 * fetches the platform certificate from the sandbox's `GET /v3/certificates` on first use,
 * verifies every later answer and notification with it, and does not download again while it is
 * fresh. Real gateway over HTTP, real SQLite, the runtime the functions use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMerchantConfig } from '../../../cloudfunctions/core/kernel/config';
import type { Caller } from '../../../cloudfunctions/core/kernel/platform/identity';
import { createRuntime, type Runtime } from '../../../cloudfunctions/core/runtime';
import { openStore } from '../../../cloudfunctions/core/store';
import type { FetchLike } from '../../../cloudfunctions/core/gateways/wechatpay/client';
import { startGateway, type Gateway } from '../../../sandbox/gateway';
import { localMerchantConfig } from '../../../sandbox/local-config';
import { waitFor, packageOf } from '../../helpers/e2e-utils';
import { startRawReceiver, type RawNotification } from './raw-receiver';

jest.setTimeout(30_000);

let dir: string;
let gateway: Gateway;
let receiver: Server;
/** Notifications the gateway posted, raw, for the runtime to verify. */
const received: RawNotification[] = [];
const certificateDownloads: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pay-certdl-'));
  gateway = await startGateway({ dataDir: dir, port: 0, timeScale: 1000 });
  receiver = await startRawReceiver(received);
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function runtimeFor(overrides: { apiV3Key?: string } = {}): Runtime {
  const hostUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const file = localMerchantConfig({ dataDir: dir, keys: gateway.keys, gatewayUrl: gateway.url, hostUrl, platformMode: 'download', wechatpayV3Overrides: overrides });
  const config = parseMerchantConfig(file, { source: 'test config' });
  expect(config.wechatpayV3?.platform.certificates).toEqual([]);
  expect(config.wechatpayV3?.platform.publicKey).toBeUndefined();
  const countingFetch: FetchLike = (url, init) => {
    if (new URL(url).pathname === '/v3/certificates') certificateDownloads.push(url);
    return fetch(url, init);
  };
  const store = openStore({ kind: 'sqlite', file: join(dir, `store-${Math.random().toString(36).slice(2)}.sqlite`) });
  return createRuntime(config, { store, fetch: countingFetch });
}

const payer: Caller = { openid: 'o_certdl_payer_000000000001', appid: '' };

it('downloads the platform certificate once, then creates, verifies a notification and queries with it', async () => {
  const runtime = runtimeFor();
  const caller = { ...payer, appid: gateway.keys.appid };
  const first = await runtime.orders.create(caller, { channel: 'jsapi', amount: 321, idempotencyKey: 'certdl-key-0001' });
  expect(first.order.state).toBe('PAYING');
  expect(certificateDownloads).toHaveLength(1);

  await gateway.admin.pay(packageOf(first.payment).replace('prepay_id=', ''));
  const deadline = Date.now() + 10_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(received).toHaveLength(1);

  await runtime.verifierReady();
  const notification = await runtime.channels.notifications().parseNotification(received[0]);
  expect(await runtime.orders.applyNotification(notification)).toMatchObject({ status: 204, result: 'applied' });
  expect((await runtime.orders.query(caller, first.order.outTradeNo)).order.state).toBe('PAID');

  await runtime.orders.create(caller, { channel: 'jsapi', amount: 322, idempotencyKey: 'certdl-key-0002' });
  expect(certificateDownloads).toHaveLength(1);
});

it('a wrong APIv3 key cannot decrypt the download: the call fails as untrusted and no order reaches the gateway', async () => {
  const before = (await gateway.admin.orders()).orders.length;
  const downloadsBefore = certificateDownloads.length;
  const runtime = runtimeFor({ apiV3Key: 'x'.repeat(32) });
  const caller = { ...payer, appid: gateway.keys.appid };
  await expect(runtime.orders.create(caller, { channel: 'jsapi', amount: 100, idempotencyKey: 'certdl-key-0003' })).rejects.toMatchObject({ code: 'GATEWAY_UNTRUSTED' });
  expect(certificateDownloads.length).toBe(downloadsBefore + 1);
  expect((await gateway.admin.orders()).orders.length).toBe(before);
});

it('a rotation is picked up on the first answer under the new serial: one more download, no restart', async () => {
  const runtime = runtimeFor();
  const caller = { ...payer, appid: gateway.keys.appid };
  await runtime.orders.create(caller, { channel: 'jsapi', amount: 330, idempotencyKey: 'certdl-key-0004' });
  const downloadsBefore = certificateDownloads.length;

  const rotation = await gateway.admin.rotatePlatformCertificate();
  const created = await runtime.orders.create(caller, { channel: 'jsapi', amount: 331, idempotencyKey: 'certdl-key-0005' });
  expect(created.order.state).toBe('PAYING');
  expect(certificateDownloads.length).toBe(downloadsBefore + 1);

  const receivedBefore = received.length;
  await gateway.admin.pay(packageOf(created.payment).replace('prepay_id=', ''));
  await waitFor('the notification under the new serial', () => received.length > receivedBefore);
  const notification = received[receivedBefore]!;
  expect(notification.headers['wechatpay-serial']).toBe(rotation.serialNo);
  const parsed = await runtime.channels.notifications().parseNotification(notification);
  expect(await runtime.orders.applyNotification(parsed)).toMatchObject({ status: 204, result: 'applied' });
  expect(certificateDownloads.length).toBe(downloadsBefore + 1);
});
