/**
 * APIv2 refunds need the merchant API certificate the gateway issued (mutual TLS on /secapi). A
 * stack whose `wechatpayV2.clientCertificate` is the right key under a certificate the gateway's
 * CA did not issue (here the APIv3 merchant certificate, self-issued by the sandbox): payments
 * work (/pay/* needs no certificate), the refund is refused by the sandbox's nginx 400 and
 * surfaces as a retryable configuration error; nothing is refunded anywhere. This stack's merchant
 * signs with HMAC-SHA256, so the payment also runs the other sign type end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import { idemKey } from '../../helpers/e2e-utils';
import { startStack, type Stack } from '../../helpers/stack';
import { login, orderRow, waitForState } from './harness';

jest.setTimeout(60_000);

let stack: Stack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pay-v2-cert-'));
  stack = await startStack({
    dataDir,
    gateway: { timeScale: 100 },
    v2: { signType: 'HMAC-SHA256', overrides: { clientCertificate: { certificateFile: join(dataDir, 'keys', 'merchant_cert.pem'), privateKeyFile: join(dataDir, 'keys', 'merchant_key.pem') } } },
  });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('HMAC-SHA256 merchant: paid end to end; a refund presenting a certificate the gateway did not issue: refused at the door, a retryable INTERNAL naming the certificate, nothing refunded', async () => {
  const [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
  const created = await alice.ok('pay.create', { channel: 'v2', amount: 600, idempotencyKey: idemKey() });
  if (created.payment?.kind !== 'miniprogram') throw new Error('no mini-program parameters');
  expect(created.payment).toMatchObject({ signType: 'HMAC-SHA256', paySign: expect.stringMatching(/^[0-9A-F]{64}$/) });
  const { kind: _kind, ...params } = created.payment;
  await createV2Admin(stack.gatewayUrl).cashier(params.package.replace(/^prepay_id=/, ''), 'pay', params);
  await waitForState(stack, created.order.outTradeNo, 'PAID');
  expect((await createV2Admin(stack.gatewayUrl).order(created.order.outTradeNo)).order.signType).toBe('HMAC-SHA256');

  const refused = await admin.call('pay.refund', { outTradeNo: created.order.outTradeNo, amount: 600, idempotencyKey: idemKey() });
  expect(refused).toMatchObject({ ok: false, code: 'INTERNAL', retryable: true, message: expect.stringMatching(/client certificate/) });
  expect((await createV2Admin(stack.gatewayUrl).order(created.order.outTradeNo)).refunds).toEqual([]);
  expect(orderRow(stack, created.order.outTradeNo)?.state).not.toBe('REFUNDED');
});
