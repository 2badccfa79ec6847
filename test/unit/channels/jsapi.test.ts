/**
 * JSAPI channel against the sandbox gateway over loopback HTTP with the real v3 client: the order
 * body, the pay sign (checked with the merchant certificate), query/close/refund mapping, and
 * notifications verified in both certificate and public-key modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { verify, X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaymentChannel } from '../../../cloudfunctions/core/channels/port';
import { ChannelError } from '../../../cloudfunctions/core/channels/port';
import { createJsapiChannel, jsapiOrderBody } from '../../../cloudfunctions/core/channels/wechatpay-jsapi/channel';
import type { V3ChannelConfig } from '../../../cloudfunctions/core/channels/wechatpay-v3/mapping';
import { newOrderRecord, newRefundRecord, type Order } from '../../../cloudfunctions/core/domain/orders/model';
import { newOutTradeNo } from '../../../cloudfunctions/core/domain/orders/out-trade-no';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { CertificateVerifier, CombinedVerifier, createV3Client, PublicKeyVerifier, signerFromPem } from '../../../cloudfunctions/core/gateways/wechatpay';
import { startGateway, type Gateway } from '../../../sandbox/gateway';
import { testOpenid } from '../../../sandbox/gateway/login';
import { craftNotification, transactionResource } from '../../e2e/pay/harness';

jest.setTimeout(30_000);

let dir: string;
let gateway: Gateway;
let channel: PaymentChannel;
let config: V3ChannelConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jsapi-channel-'));
  gateway = await startGateway({ dataDir: dir, minCloseIntervalMs: 0 });
  const keys = gateway.keys;
  const verifier = new CombinedVerifier(new CertificateVerifier([keys.platformCert.certificatePem]), new PublicKeyVerifier(keys.platformPublicKey.keyId, keys.platformPublicKey.publicKeyPem));
  const client = createV3Client({ mchid: keys.mchid, serialNo: keys.merchant.serialNo, privateKey: keys.merchant.privateKeyPem, verifier, baseUrl: gateway.url, retry: { maxAttempts: 1 } });
  config = { appid: keys.appid, mchid: keys.mchid, notifyUrl: 'http://127.0.0.1:9/http/payNotify', signer: signerFromPem(keys.merchant.privateKeyPem, keys.merchant.serialNo), apiV3Key: keys.apiV3Key, verifier };
  channel = createJsapiChannel({ config, client });
});
afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

function order(amount = 150): Order {
  const at = Date.now();
  return newOrderRecord(
    {
      outTradeNo: newOutTradeNo(),
      channel: 'jsapi',
      amount,
      description: '单元测试',
      payerOpenid: testOpenid(gateway.keys.appid, 'alice'),
      appid: gateway.keys.appid,
      mchid: gateway.keys.mchid,
      idempotencyKey: `k_${at}_${Math.random()}`,
      expiresAt: at + 30 * 60_000,
    },
    at,
  );
}

it('the order body: fen, CNY, payer, notify URL, time_expire in +08:00', () => {
  const o = { ...order(), expiresAt: Date.UTC(2026, 10, 25, 4, 30, 0, 999) };
  expect(jsapiOrderBody(o, config.notifyUrl)).toEqual({
    appid: o.appid,
    mchid: o.mchid,
    description: '单元测试',
    out_trade_no: o.outTradeNo,
    time_expire: '2026-11-25T12:30:00+08:00',
    notify_url: config.notifyUrl,
    amount: { total: 150, currency: 'CNY' },
    payer: { openid: o.payerOpenid },
  });
});

it('create places the order and signs wx.requestPayment params the merchant certificate verifies', async () => {
  const o = order();
  const created = await channel.create(o);
  expect(created.prepayId).toBeTruthy();
  const p = created.payment;
  expect(p).toMatchObject({ kind: 'miniprogram', package: `prepay_id=${created.prepayId}`, signType: 'RSA' });
  if (p.kind !== 'miniprogram') throw new Error('jsapi pays in the mini-program cashier');
  const message = `${o.appid}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
  const merchantKey = new X509Certificate(gateway.keys.merchant.certificatePem).publicKey;
  expect(verify('sha256', Buffer.from(message), merchantKey, Buffer.from(p.paySign, 'base64'))).toBe(true);
  // Creating again with identical bytes is the gateway's idempotent repeat: same prepay.
  expect((await channel.create(o)).prepayId).toBe(created.prepayId);
  // resign: same prepay, fresh nonce.
  const again = await channel.resign({ ...o, prepayId: created.prepayId });
  expect(again.payment).toMatchObject({ kind: 'miniprogram', package: p.package });
  expect(again.payment.kind === 'miniprogram' && again.payment.nonceStr).not.toBe(p.nonceStr);
});

it('query maps NOT_FOUND, PENDING, PAID, FAILED', async () => {
  expect(await channel.query(order())).toEqual({ kind: 'NOT_FOUND' });
  const paid = order(300);
  const { prepayId } = await channel.create(paid);
  expect(await channel.query(paid)).toEqual({ kind: 'PENDING' });
  await gateway.admin.pay(prepayId);
  expect(await channel.query(paid)).toEqual({ kind: 'PAID', transactionId: expect.any(String), paidAt: expect.any(Number), paidAmount: 300 });

  const failing = order(301);
  await gateway.admin.fail((await channel.create(failing)).prepayId, '余额不足');
  expect(await channel.query(failing)).toEqual({ kind: 'FAILED', reason: '余额不足' });
});

it('close closes (again: ORDER_CLOSED), answers payerPaying while the payer is in the cashier; closing a paid order is the gateway’s ORDERPAID; refunds map PROCESSING', async () => {
  const open = order();
  await channel.create(open);
  expect(await channel.close(open)).toEqual({ kind: 'closed' });
  expect(await channel.query(open)).toMatchObject({ kind: 'CLOSED' });
  await expect(channel.close(open)).rejects.toMatchObject({ kind: 'closed', cause: expect.objectContaining({ code: 'ORDER_CLOSED', status: 400 }) });

  // The payer is in the cashier: a 202, nothing closed, still payable.
  const paying = order(120);
  const { prepayId: payingPrepay } = await channel.create(paying);
  await gateway.admin.open(payingPrepay);
  expect(await channel.close(paying)).toEqual({ kind: 'payerPaying', code: 'USER_PAYING', message: expect.any(String) });
  expect(await channel.query(paying)).toEqual({ kind: 'PENDING' });

  const paid = order(500);
  await gateway.admin.pay((await channel.create(paid)).prepayId);
  // Leaves the channel as a channel-neutral final refusal, the gateway's answer as its cause.
  await expect(channel.close(paid)).rejects.toMatchObject({ kind: 'rejected', cause: expect.objectContaining({ code: 'ORDERPAID' }) });
  await expect(channel.close(paid)).rejects.toBeInstanceOf(ChannelError);

  const refund = newRefundRecord({ outRefundNo: newOutTradeNo('R'), outTradeNo: paid.outTradeNo, amount: 200 }, Date.now());
  expect(await channel.refund(paid, refund)).toMatchObject({ outRefundNo: refund.outRefundNo, state: 'PROCESSING', amount: 200, refundId: expect.any(String) });
  expect(await channel.queryRefund(paid, refund)).toMatchObject({ outRefundNo: refund.outRefundNo, amount: 200 });
  // Paid, then refunding: the payment itself still stands.
  expect(await channel.query(paid)).toMatchObject({ kind: 'PAID', paidAmount: 500 });
});

describe('parseNotification', () => {
  const resource = (o: Order) => transactionResource(gateway.keys, { outTradeNo: o.outTradeNo, amount: o.amount }, o.payerOpenid);

  it('reads a certificate-signed payment notification', async () => {
    const o = order();
    const n = craftNotification(gateway.keys, resource(o));
    expect(await channel.parseNotification(n)).toMatchObject({ kind: 'payment', outTradeNo: o.outTradeNo, appid: o.appid, mchid: o.mchid, state: { kind: 'PAID', paidAmount: o.amount } });
  });

  it('reads a PUB_KEY_ID_-signed notification (public-key mode)', async () => {
    const o = order();
    const n = craftNotification(gateway.keys, resource(o), { signWith: gateway.keys.platformPublicKey.privateKeyPem, serial: gateway.keys.platformPublicKey.keyId });
    expect(await channel.parseNotification(n)).toMatchObject({ kind: 'payment', outTradeNo: o.outTradeNo });
  });

  it('refuses a public-key id signed by the certificate key, and a SIGNTEST probe', async () => {
    const o = order();
    await expect(channel.parseNotification(craftNotification(gateway.keys, resource(o), { serial: gateway.keys.platformPublicKey.keyId }))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    await expect(channel.parseNotification(craftNotification(gateway.keys, resource(o), { signature: 'WECHATPAY/SIGNTEST/xyz' }))).rejects.toMatchObject({ code: 'SIGNTEST_PROBE' });
  });

  it('maps refund notifications and ignores event types it does not handle', async () => {
    const refund = { mchid: gateway.keys.mchid, out_trade_no: 'T1', out_refund_no: 'R1', refund_id: '50000', refund_status: 'SUCCESS', amount: { total: 10, refund: 4, payer_total: 10, payer_refund: 4 } };
    expect(await channel.parseNotification(craftNotification(gateway.keys, refund, { eventType: 'REFUND.SUCCESS' }))).toEqual({
      kind: 'refund',
      notificationId: expect.any(String),
      outTradeNo: 'T1',
      mchid: gateway.keys.mchid,
      refund: { outRefundNo: 'R1', refundId: '50000', state: 'SUCCESS', amount: 4 },
    });
    expect(await channel.parseNotification(craftNotification(gateway.keys, { foo: 1 }, { eventType: 'MARKETING.SOMETHING' }))).toMatchObject({ kind: 'ignored', eventType: 'MARKETING.SOMETHING' });
  });

  it('a verified notification with an unknown trade_state is malformed, not a state', async () => {
    const o = order();
    await expect(channel.parseNotification(craftNotification(gateway.keys, { ...resource(o), trade_state: 'WHATEVER' }))).rejects.toMatchObject({ code: 'NOTIFICATION_MALFORMED' });
  });
});
