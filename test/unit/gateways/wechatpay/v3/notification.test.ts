import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  buildNotificationReply,
  CertificateVerifier,
  CombinedVerifier,
  parseNotification,
  PublicKeyVerifier,
  WechatPayError,
} from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key, randomPublicKeyId } from '../../../../helpers/crypto-fixtures';

const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);
const clock = () => NOW;
const apiV3Key = randomApiV3Key();
const platform = generateRsaKeyPair();
const certificate = makeCertificate({ keyPair: platform, notBefore: new Date(NOW - 3600_000), notAfter: new Date(NOW + 3600_000) });
const pkPlatform = generateRsaKeyPair();
const pkId = randomPublicKeyId();
const verifier = new CombinedVerifier(new CertificateVerifier([certificate.pem], clock), new PublicKeyVerifier(pkId, pkPlatform.publicKey));

const transaction = {
  appid: 'wxd678efh567hg6787', mchid: '1230000109', out_trade_no: '1217752501201407033233368018', transaction_id: '1217752501201407033233368018',
  trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'CMC', attach: '', success_time: '2026-11-25T16:00:00+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
};

/** A notification as WeChat Pay sends it, produced with wechatpay-axios-plugin. */
function notify(eventType: string, resource: unknown, opts: { serial?: string; key?: typeof platform.privateKey; timestamp?: number; originalType?: string } = {}) {
  const nonce = 'abcdefghijkl';
  const aad = opts.originalType ?? 'transaction';
  const body = JSON.stringify({
    id: 'EV-2018022511223320873', create_time: '2026-11-25T16:00:01+08:00', resource_type: 'encrypt-resource', event_type: eventType, summary: '支付成功',
    resource: { original_type: aad, algorithm: 'AEAD_AES_256_GCM', ciphertext: Aes.AesGcm.encrypt(JSON.stringify(resource), apiV3Key, nonce, aad), associated_data: aad, nonce },
  });
  const timestamp = String((opts.timestamp ?? NOW) / 1000);
  const headerNonce = 'H' + Math.random().toString(36).slice(2);
  return {
    headers: {
      'wechatpay-serial': opts.serial ?? certificate.serialNo,
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, headerNonce, body), opts.key ?? platform.privateKey),
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body,
  };
}

const options = { verifier, apiV3Key, clock };

function rejection(request: { headers: Record<string, string>; body: string }): WechatPayError {
  const result = parseNotification(request, options);
  if (result.ok) throw new Error('expected a rejection');
  return result.error;
}

describe('notification parser', () => {
  it('verifies, decrypts and types TRANSACTION.SUCCESS', () => {
    const result = parseNotification(notify('TRANSACTION.SUCCESS', transaction), options);
    expect(result.ok).toBe(true);
    if (!result.ok || result.notification.kind !== 'transaction') throw new Error('wrong kind');
    expect(result.notification.resource.amount.total).toBe(100);
    expect(result.notification.resource.payer.openid).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(result.notification).toMatchObject({ id: 'EV-2018022511223320873', event_type: 'TRANSACTION.SUCCESS', original_type: 'transaction' });
  });

  it('accepts a notification signed in public-key mode', () => {
    const result = parseNotification(notify('TRANSACTION.SUCCESS', transaction, { serial: pkId, key: pkPlatform.privateKey }), options);
    expect(result.ok).toBe(true);
  });

  it('recognises a combine transaction by combine_out_trade_no', () => {
    const combine = {
      combine_appid: 'wxd678efh567hg6787', combine_mchid: '1900000109', combine_out_trade_no: 'C20261125001',
      scene_info: { device_id: 'POS1:1' }, combine_payer_info: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      sub_orders: [{ mchid: '1900000109', trade_type: 'JSAPI', trade_state: 'SUCCESS', bank_type: 'CMC', attach: 'a', success_time: '2026-11-25T16:00:00+08:00', transaction_id: '4200000001', out_trade_no: 'S1', individual_auth_id: 'AUTH1', amount: { total_amount: 10, currency: 'CNY', payer_amount: 10, payer_currency: 'CNY' } }],
    };
    const result = parseNotification(notify('TRANSACTION.SUCCESS', combine), options);
    if (!result.ok || result.notification.kind !== 'combine_transaction') throw new Error('wrong kind');
    expect(result.notification.resource.sub_orders[0]!.amount.total_amount).toBe(10);
  });

  it.each(['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'])('types %s', (eventType) => {
    const refund = { mchid: '1900000100', out_trade_no: 'T1', transaction_id: '42000', out_refund_no: 'R1', refund_id: '50000', refund_status: eventType.split('.')[1], amount: { total: 100, refund: 40, payer_total: 100, payer_refund: 40 } };
    const result = parseNotification(notify(eventType, refund, { originalType: 'refund' }), options);
    if (!result.ok || result.notification.kind !== 'refund') throw new Error('wrong kind');
    expect(result.notification.resource.amount.refund).toBe(40);
    expect(result.notification.event_type).toBe(eventType);
  });

  it.each(['PAYSCORE.USER_CONFIRM', 'PAYSCORE.USER_PAID'])('types %s', (eventType) => {
    const result = parseNotification(notify(eventType, { out_order_no: 'P1', service_id: 'S', state: 'DOING', collection: { state: 'USER_PAID' } }, { originalType: 'payscore' }), options);
    if (!result.ok || result.notification.kind !== 'payscore') throw new Error('wrong kind');
    expect(result.notification.resource.out_order_no).toBe('P1');
  });

  it('passes unknown but authentic events through as kind other', () => {
    const result = parseNotification(notify('MCHTRANSFER.BILL.FINISHED', { x: 1 }), options);
    expect(result.ok && result.notification.kind).toBe('other');
  });

  it('rejects one changed byte of the body', () => {
    const request = notify('TRANSACTION.SUCCESS', transaction);
    expect(rejection({ ...request, body: request.body.replace('EV-2018', 'EV-2019') }).code).toBe('SIGNATURE_INVALID');
  });

  it('rejects an unknown serial, naming it', () => {
    const error = rejection(notify('TRANSACTION.SUCCESS', transaction, { serial: '7E0000000000000000000000000000000000000A' }));
    expect(error.code).toBe('SERIAL_UNKNOWN');
    expect(error.serial).toBe('7E0000000000000000000000000000000000000A');
  });

  it.each([-301_000, 301_000])('rejects a timestamp off by %i ms', (offset) => {
    expect(rejection(notify('TRANSACTION.SUCCESS', transaction, { timestamp: NOW + offset })).code).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('reports a SIGNTEST probe as a failed verification', () => {
    const request = notify('TRANSACTION.SUCCESS', transaction);
    const error = rejection({ ...request, headers: { ...request.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/' + request.headers['wechatpay-signature'] } });
    expect(error.code).toBe('SIGNTEST_PROBE');
    expect(buildNotificationReply(error).status).toBe(401);
  });

  it('rejects a resource encrypted under another key with TAG_MISMATCH', () => {
    const request = notify('TRANSACTION.SUCCESS', transaction);
    const result = parseNotification(request, { ...options, apiV3Key: randomApiV3Key() });
    expect(!result.ok && result.error.code).toBe('TAG_MISMATCH');
  });

  it('rejects a resource lacking required fields as NOTIFICATION_MALFORMED', () => {
    const { amount: _amount, ...noAmount } = transaction;
    expect(rejection(notify('TRANSACTION.SUCCESS', noAmount)).code).toBe('NOTIFICATION_MALFORMED');
  });

  it('rejects unsigned notifications', () => {
    expect(rejection({ headers: {}, body: '{}' }).code).toBe('SIGNATURE_MISSING');
  });
});

describe('notification reply', () => {
  it('answers 204 with no body when accepted', () => {
    expect(buildNotificationReply()).toEqual({ status: 204, headers: {}, body: '' });
  });

  it('answers 4xx/5xx with {code:"FAIL", message}', () => {
    const unauthentic = buildNotificationReply(new WechatPayError('SIGNATURE_INVALID', 'x'));
    expect(unauthentic.status).toBe(401);
    expect(JSON.parse(unauthentic.body)).toEqual({ code: 'FAIL', message: 'SIGNATURE_INVALID' });
    expect(buildNotificationReply(new WechatPayError('NOTIFICATION_MALFORMED', 'x')).status).toBe(400);
    const internal = buildNotificationReply(new Error('db down'));
    expect(internal.status).toBe(500);
    expect(JSON.parse(internal.body).code).toBe('FAIL');
  });
});
