/**
 * A merchant key that never enters the runtime: every signature goes through a Signer that asks a
 * separate key holder (an HSM/KMS stand-in: it keeps the KeyObject, answers asynchronously, and
 * hands out signatures only). The config's own `merchant.privateKey` is a decoy — a sound PEM of
 * ANOTHER key — so anything that still signed with the configured key would be refused by the
 * sandbox. Whole payment over real HTTP: create (the sandbox verifies the request signature),
 * pay-sign verified by the sandbox cashier, the notification, PAID; and the signing-page signature.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMerchantConfig } from '../../../cloudfunctions/core/kernel/config';
import type { Caller } from '../../../cloudfunctions/core/kernel/platform/identity';
import { createRuntime, type Runtime } from '../../../cloudfunctions/core/runtime';
import { openStore } from '../../../cloudfunctions/core/store';
import type { Signer } from '../../../cloudfunctions/core/gateways/wechatpay/auth/signer';
import { startGateway, type Gateway } from '../../../sandbox/gateway';
import { testOpenid } from '../../../sandbox/gateway/login';
import { localMerchantConfig } from '../../../sandbox/local-config';
import { miniprogramPaymentOf, waitFor } from '../../helpers/e2e-utils';
import { prepayIdOf } from './harness';
import { startRawReceiver, type RawNotification } from './raw-receiver';

jest.setTimeout(30_000);

/** The stand-in: keys by handle, no way to read one back, signatures on a later turn of the loop. */
class KeyHolder {
  private readonly keys = new Map<string, KeyObject>();
  readonly signed: string[] = [];

  importKey(handle: string, pem: string): void {
    this.keys.set(handle, createPrivateKey(pem));
  }

  async signSha256Rsa(handle: string, data: Buffer): Promise<Buffer> {
    await new Promise((resolve) => setImmediate(resolve));
    const key = this.keys.get(handle);
    if (!key) throw new Error(`no key ${handle}`);
    this.signed.push(data.toString('utf8'));
    return sign('sha256', data, key);
  }
}

/** What a merchant would write for its KMS: the interface, nothing of ours. */
function holderSigner(holder: KeyHolder, handle: string, serialNo: string): Signer {
  return {
    algorithm: 'SHA256withRSA',
    keyId: serialNo,
    async sign(message) {
      return (await holder.signSha256Rsa(handle, Buffer.from(message, 'utf8'))).toString('base64');
    },
  };
}

let dir: string;
let gateway: Gateway;
let receiver: Server;
const received: RawNotification[] = [];
const holder = new KeyHolder();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pay-hsm-'));
  gateway = await startGateway({ dataDir: dir, port: 0, timeScale: 1000 });
  holder.importKey('merchant-api-key', gateway.keys.merchant.privateKeyPem);
  receiver = await startRawReceiver(received);
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function runtimeWith(signer: Signer | undefined): Runtime {
  const hostUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const decoy = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const file = localMerchantConfig({
    dataDir: dir,
    keys: gateway.keys,
    gatewayUrl: gateway.url,
    hostUrl,
    wechatpayV3Overrides: { merchant: { serialNo: gateway.keys.merchant.serialNo, privateKey: decoy } },
  });
  const config = parseMerchantConfig(file, { source: 'test config' });
  const store = openStore({ kind: 'sqlite', file: join(dir, `store-${Math.random().toString(36).slice(2)}.sqlite`) });
  return createRuntime(config, { store, ...(signer ? { signer } : {}) });
}

const payer = (): Caller => ({ openid: 'o_hsm_payer_00000000000000001', appid: gateway.keys.appid });

it('a whole payment signed by the key holder: create, cashier pay-sign, notification, PAID', async () => {
  const runtime = runtimeWith(holderSigner(holder, 'merchant-api-key', gateway.keys.merchant.serialNo));
  const created = await runtime.orders.create(payer(), { channel: 'jsapi', amount: 888, idempotencyKey: 'hsm-key-000001' });
  expect(created.order.state).toBe('PAYING');
  // The request signature and the pay-sign both came from the holder.
  expect(holder.signed.some((m) => m.startsWith('POST\n/v3/pay/transactions/jsapi\n'))).toBe(true);
  const { kind: _kind, ...payment } = miniprogramPaymentOf(created.payment);
  expect(holder.signed.some((m) => m === `${gateway.keys.appid}\n${payment.timeStamp}\n${payment.nonceStr}\n${payment.package}\n`)).toBe(true);

  // The sandbox cashier verifies the pay-sign with the merchant certificate before it takes money.
  const paid = await fetch(`${gateway.url}/sandbox/cashier/${encodeURIComponent(prepayIdOf(payment.package))}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payment),
  });
  expect(paid.status).toBe(200);

  const notification = await waitFor('the payment notification', () => received.find((n) => n.body.length > 0));
  const parsed = await runtime.channels.notifications().parseNotification(notification);
  expect(await runtime.orders.applyNotification(parsed)).toMatchObject({ status: 204, result: 'applied' });
  expect((await runtime.orders.query(payer(), created.order.outTradeNo)).order.state).toBe('PAID');
});

it('the control: without the holder, the runtime signs with the configured (decoy) key and the sandbox refuses', async () => {
  const runtime = runtimeWith(undefined);
  const before = (await gateway.admin.orders()).orders.length;
  await expect(runtime.orders.create(payer(), { channel: 'jsapi', amount: 889, idempotencyKey: 'hsm-key-000002' })).rejects.toMatchObject({ code: 'INTERNAL' });
  expect((await gateway.admin.orders()).orders.length).toBe(before);
});

it('a cashier refuses pay parameters signed by another key (what the holder proves it is not)', async () => {
  const runtime = runtimeWith(holderSigner(holder, 'merchant-api-key', gateway.keys.merchant.serialNo));
  const created = await runtime.orders.create(payer(), { channel: 'jsapi', amount: 890, idempotencyKey: 'hsm-key-000003' });
  const { kind: _kind, ...payment } = miniprogramPaymentOf(created.payment);
  const forged = { ...payment, paySign: sign('sha256', Buffer.from('x'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey).toString('base64') };
  const refused = await fetch(`${gateway.url}/sandbox/cashier/${encodeURIComponent(prepayIdOf(payment.package))}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(forged),
  });
  expect(refused.status).toBeGreaterThanOrEqual(400);
});

it('the signing page accepts parameters the key holder signed (payee.signParams), certSerialNo from the signer', async () => {
  const runtime = runtimeWith(holderSigner(holder, 'merchant-api-key', gateway.keys.merchant.serialNo));
  const openid = testOpenid(gateway.keys.appid, 'hsm-payee');
  const params = await runtime.payees.signParams(openid);
  expect(params.certSerialNo).toBe(gateway.keys.merchant.serialNo);
  expect(holder.signed).toContain(`${gateway.keys.appid}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`);
  const signed = await fetch(`${gateway.url}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  expect(signed.status).toBe(200);
  expect((await runtime.payees.confirm(openid)).authState).toBe('AUTHORIZED');
});
