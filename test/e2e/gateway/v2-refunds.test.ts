import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { Aes, Decorator } from 'wechatpay-axios-plugin';
import type { Gateway } from '../../../sandbox/gateway';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import { waitFor } from '../../helpers/e2e-utils';
import { removeDir, startTestGateway, tempDataDir } from './helpers';
import { jsapiOrder, outTradeNo, requestPaymentParams, signValid, startXmlReceiver, toObject, v2call, type V2CallOptions } from './v2-client';

/**
 * /secapi/pay/refund over mutual TLS (PEM and PKCS#12 client identities, and every way of getting
 * the certificate wrong), /pay/refundquery, and the refund notification with its encrypted
 * req_info, decrypted with wechatpay-axios-plugin's Aes.AesEcb.
 */

describe('sandbox APIv2 refunds', () => {
  let dir: string;
  let gw: Gateway;
  let receiver: Awaited<ReturnType<typeof startXmlReceiver>>;
  let pem: V2CallOptions['tls'];
  beforeAll(async () => {
    dir = tempDataDir();
    gw = await startTestGateway(dir);
    receiver = await startXmlReceiver();
    pem = { cert: gw.v2.keys.client.certificatePem, key: gw.v2.keys.client.privateKeyPem };
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
    removeDir(dir);
  });

  /** A JSAPI order paid in the cashier. */
  async function paidOrder(totalFee = 1000) {
    const order = jsapiOrder(gw, receiver.url, { total_fee: totalFee });
    const prepayId = (await v2call(gw, '/pay/unifiedorder', order)).fields!.prepay_id!;
    await createV2Admin(gw.url).cashier(prepayId, 'pay', requestPaymentParams(gw, prepayId, 'MD5'));
    const transactionId = (await createV2Admin(gw.url).order(String(order.out_trade_no))).order.transactionId!;
    return { outTradeNo: String(order.out_trade_no), transactionId, totalFee };
  }
  const refundFields = (o: { outTradeNo: string; totalFee: number }, refundFee: number, over: Record<string, string | number> = {}) => ({
    appid: gw.keys.appid,
    mch_id: gw.keys.mchid,
    out_trade_no: o.outTradeNo,
    out_refund_no: outTradeNo('RF'),
    total_fee: o.totalFee,
    refund_fee: refundFee,
    notify_url: receiver.url,
    ...over,
  });
  const refundQuery = (fields: Record<string, string>) => v2call(gw, '/pay/refundquery', { appid: gw.keys.appid, mch_id: gw.keys.mchid, ...fields }, { signType: 'HMAC-SHA256' });

  describe('mutual TLS on /secapi', () => {
    it('refunds with the PEM client certificate, answer signed in the request sign type', async () => {
      const o = await paidOrder();
      const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 300), { tls: pem, signType: 'HMAC-SHA256' });
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: o.outTradeNo, transaction_id: o.transactionId, refund_fee: '300', total_fee: '1000' });
      expect(res.fields!.refund_id).toMatch(/^\d{29}$/);
      expect(signValid(gw, res.fields, 'HMAC-SHA256')).toBe(true);
    });

    it('refunds with the PKCS#12 file and the mch_id as password', async () => {
      const o = await paidOrder();
      const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 1000), { tls: { pfx: readFileSync(gw.v2.keys.client.p12File), passphrase: gw.keys.mchid } });
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', refund_fee: '1000' });
    });

    it('without a client certificate (TLS, or plain HTTP): nginx 400 "No required SSL certificate was sent", nothing refunded', async () => {
      const o = await paidOrder();
      for (const tls of [{}, undefined]) {
        const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 100), { tls });
        expect(res.status).toBe(400);
        expect(res.contentType).toMatch(/text\/html/);
        expect(res.text).toContain('<title>400 No required SSL certificate was sent</title>');
        expect(res.fields).toBeUndefined();
      }
      expect((await createV2Admin(gw.url).order(o.outTradeNo)).refunds).toEqual([]);
    });

    it('with a certificate the sandbox CA did not issue, or one it issued for another key: 400 "The SSL certificate error"', async () => {
      const o = await paidOrder();
      const selfSigned = selfSignedIdentity();
      // The APIv3 merchant certificate: the right key, but not issued by the CA the server trusts.
      const v3Merchant = { cert: gw.keys.merchant.certificatePem, key: gw.keys.merchant.privateKeyPem };
      const otherKey = caIssuedIdentity(join(dir, 'keys', 'v2'), gw.keys.mchid);
      for (const tls of [selfSigned, v3Merchant, otherKey]) {
        const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 100), { tls });
        expect(res.status).toBe(400);
        expect(res.text).toContain('<title>400 The SSL certificate error</title>');
      }
      expect((await createV2Admin(gw.url).order(o.outTradeNo)).refunds).toEqual([]);
    });

    it('/pay/* needs no client certificate on the HTTPS listener', async () => {
      const res = await v2call(gw, '/pay/unifiedorder', jsapiOrder(gw, receiver.url), { tls: {} });
      expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    });

    it('wechatpay-axios-plugin refunds with `security: true` and its merchant PKCS#12', async () => {
      const o = await paidOrder();
      const client = Decorator.xmlBased({
        mchid: gw.keys.mchid,
        secret: gw.keys.apiV2Key,
        baseURL: gw.v2.secureUrl + '/',
        merchant: { pfx: readFileSync(gw.v2.keys.client.p12File), passphrase: gw.keys.mchid, ca: gw.v2.keys.ca.certificatePem },
      } as never);
      const res = await client.post('/secapi/pay/refund', refundFields(o, 200), { security: true } as never);
      expect(res.data).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', refund_fee: '200' });
    });
  });

  describe('refund rules', () => {
    it('the same out_refund_no again answers the same refund; other amounts under it are PARAM_ERROR', async () => {
      const o = await paidOrder();
      const fields = refundFields(o, 100);
      const first = await v2call(gw, '/secapi/pay/refund', fields, { tls: pem });
      const again = await v2call(gw, '/secapi/pay/refund', fields, { tls: pem });
      expect(again.fields!.refund_id).toBe(first.fields!.refund_id);
      expect((await v2call(gw, '/secapi/pay/refund', { ...fields, refund_fee: 200 }, { tls: pem })).fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
      expect((await createV2Admin(gw.url).order(o.outTradeNo)).order.refunded).toBe(100);
    });

    it('never more than the order: ERROR with the reason, then 订单已全额退款', async () => {
      const o = await paidOrder(500);
      expect((await v2call(gw, '/secapi/pay/refund', refundFields(o, 501), { tls: pem })).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ERROR' });
      expect((await v2call(gw, '/secapi/pay/refund', refundFields(o, 500), { tls: pem })).fields).toMatchObject({ result_code: 'SUCCESS' });
      const full = await v2call(gw, '/secapi/pay/refund', refundFields(o, 1), { tls: pem });
      expect(full.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ERROR', err_code_des: '订单已全额退款' });
      expect(signValid(gw, full.fields, 'MD5')).toBe(true);
    });

    it('a total_fee other than the order is PARAM_ERROR; an unknown transaction_id INVALID_TRANSACTIONID; an unknown out_trade_no ORDERNOTEXIST', async () => {
      const o = await paidOrder();
      expect((await v2call(gw, '/secapi/pay/refund', refundFields(o, 10, { total_fee: 999 }), { tls: pem })).fields).toMatchObject({ err_code: 'PARAM_ERROR' });
      const { out_trade_no: _no, ...byTransaction } = refundFields(o, 10, { transaction_id: '4200000000000000000000000000' });
      expect((await v2call(gw, '/secapi/pay/refund', byTransaction, { tls: pem })).fields).toMatchObject({ err_code: 'INVALID_TRANSACTIONID', err_code_des: '无效transaction_id' });
      expect((await v2call(gw, '/secapi/pay/refund', refundFields(o, 10, { out_trade_no: outTradeNo('NONE') }), { tls: pem })).fields).toMatchObject({ err_code: 'ORDERNOTEXIST' });
    });

    it('an unpaid order cannot be refunded', async () => {
      const order = jsapiOrder(gw, receiver.url, { total_fee: 100 });
      await v2call(gw, '/pay/unifiedorder', order);
      const res = await v2call(gw, '/secapi/pay/refund', refundFields({ outTradeNo: String(order.out_trade_no), totalFee: 100 }, 100), { tls: pem });
      expect(res.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ERROR' });
    });

    it('NOTENOUGH when the merchant balance (set through the admin API) does not cover it', async () => {
      const admin = createV2Admin(gw.url);
      const o = await paidOrder();
      await admin.setRefundBalance(50);
      try {
        const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 60), { tls: pem });
        expect(res.fields).toMatchObject({ result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: '余额不足' });
        expect((await v2call(gw, '/secapi/pay/refund', refundFields(o, 50), { tls: pem })).fields).toMatchObject({ result_code: 'SUCCESS' });
        expect((await admin.info()).refundBalance).toBe(0);
      } finally {
        await admin.setRefundBalance(null);
      }
    });

    it('FREQUENCY_LIMITED fault: the refund page own code, nothing refunded', async () => {
      const o = await paidOrder();
      await gw.admin.fault({ kind: 'endpoint', path: '/secapi/pay/refund', effect: 'FREQUENCY_LIMITED' });
      const res = await v2call(gw, '/secapi/pay/refund', refundFields(o, 10), { tls: pem });
      expect(res.fields).toMatchObject({ result_code: 'FAIL', err_code: 'FREQUENCY_LIMITED' });
      expect((await createV2Admin(gw.url).order(o.outTradeNo)).refunds).toEqual([]);
    });
  });

  describe('/pay/refundquery and the refund notification', () => {
    it('SUCCESS once processed; the notification carries req_info that the plugin decrypts with md5(key) — field for field', async () => {
      const o = await paidOrder(800);
      const refund = refundFields(o, 300);
      const created = await v2call(gw, '/secapi/pay/refund', refund, { tls: pem });
      const refundId = created.fields!.refund_id!;
      const before = receiver.received.length;

      const success = await waitFor('refund SUCCESS', async () => {
        const res = await refundQuery({ out_refund_no: String(refund.out_refund_no) });
        return res.fields?.refund_status_0 === 'SUCCESS' ? res : undefined;
      });
      expect(success.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        out_trade_no: o.outTradeNo,
        transaction_id: o.transactionId,
        total_fee: '800',
        refund_count: '1',
        out_refund_no_0: refund.out_refund_no,
        refund_id_0: refundId,
        refund_fee_0: '300',
      });
      expect(success.fields!.refund_success_time_0).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(signValid(gw, success.fields, 'HMAC-SHA256')).toBe(true);

      await waitFor('refund notification', () => receiver.received.slice(before).find((r) => r.fields.req_info));
      const notification = receiver.received.slice(before).find((r) => r.fields.req_info)!;
      expect(notification.fields).toMatchObject({ return_code: 'SUCCESS', appid: gw.keys.appid, mch_id: gw.keys.mchid });
      expect(notification.fields.sign).toBeUndefined();
      const md5Key = createHash('md5').update(gw.keys.apiV2Key).digest('hex');
      const info = toObject(Aes.AesEcb.decrypt(notification.fields.req_info!, md5Key));
      expect(info).toMatchObject({
        out_refund_no: refund.out_refund_no,
        out_trade_no: o.outTradeNo,
        transaction_id: o.transactionId,
        refund_id: refundId,
        refund_status: 'SUCCESS',
        refund_fee: '300',
        total_fee: '800',
        settlement_refund_fee: '300',
        refund_request_source: 'API',
      });
      expect(info.success_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      await waitFor('delivered', async () => (await gw.admin.notifications()).find((n) => n.subject === refund.out_refund_no && n.status === 'delivered'));
    });

    it('by out_trade_no lists every refund of the order; nothing found is REFUNDNOTEXIST', async () => {
      const o = await paidOrder(900);
      for (const fee of [100, 200]) await v2call(gw, '/secapi/pay/refund', refundFields(o, fee), { tls: pem });
      const res = await refundQuery({ out_trade_no: o.outTradeNo });
      expect(res.fields).toMatchObject({ refund_count: '2', total_refund_count: '2', refund_fee_0: '100', refund_fee_1: '200' });
      const none = await refundQuery({ out_refund_no: outTradeNo('NONE') });
      expect(none.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'REFUNDNOTEXIST', err_code_des: '退款订单查询失败' });
      expect(signValid(gw, none.fields, 'HMAC-SHA256')).toBe(true);
    });
  });
});

function selfSignedIdentity(): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ shortName: 'CN', value: 'not the merchant' }]);
  cert.setIssuer([{ shortName: 'CN', value: 'not the merchant' }]);
  cert.sign(key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

/** A client certificate the sandbox CA did issue, but for a key that is not the merchant's. */
function caIssuedIdentity(v2KeyDir: string, mchid: string): { cert: string; key: string } {
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(v2KeyDir, 'ca_key.pem'), 'utf8'));
  const caCert = forge.pki.certificateFromPem(readFileSync(join(v2KeyDir, 'ca_cert.pem'), 'utf8'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '02' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ shortName: 'CN', value: mchid }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([{ name: 'extKeyUsage', clientAuth: true }]);
  cert.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

