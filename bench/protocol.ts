/**
 * Protocol section: our request signing, response verification, notification parsing (verify +
 * decrypt) and pay-sign, against raw node:crypto with a cached KeyObject (the practical limit) and
 * against wechatpay-node-v3 and wechatpay-axios-plugin doing the same work.
 */
import { createDecipheriv, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import Pay from 'wechatpay-node-v3';
import {
  buildAuthorization,
  buildPayParams,
  CertificateVerifier,
  encryptResource,
  parseNotification,
  signerFromPem,
  validateSigned,
} from '../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key } from '../test/helpers/crypto-fixtures';
import { compare, comparisonTable, type ComparisonResult } from './measure';
import { figure } from './report';
import type { BenchSection } from './section';

function check(label: string, ok: boolean): void {
  if (!ok) throw new Error(`bench setup: ${label} did not produce the expected result`);
}

export const protocol: BenchSection<ComparisonResult[]> = {
  name: 'protocol',
  description: 'APIv3 crypto hot paths vs node:crypto (cached KeyObject) and two popular SDKs',
  async run(budgetMs) {
    const merchant = generateRsaKeyPair();
    const merchantCert = makeCertificate({ keyPair: merchant });
    const platform = generateRsaKeyPair();
    const platformCert = makeCertificate({ keyPair: platform });
    const apiV3Key = randomApiV3Key();
    const mchid = '1900009191';
    const appId = 'wxd678efh567hg6787';
    const prepayId = 'wx201410272009395522657a690389285100';

    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '593BEC0C930BF1AFEB40B4A08C8FB242';
    const path = '/v3/pay/transactions/jsapi';
    const requestBody = JSON.stringify({
      appid: appId, mchid, description: 'Image形象店-深圳腾大-QQ公仔', out_trade_no: '1217752501201407033233368018',
      notify_url: 'https://www.weixin.qq.com/wxpay/pay.php', amount: { total: 100, currency: 'CNY' }, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    });

    // Ours, set up once as an application would: the runtime turns the PEM into a Signer once, and
    // every signature (request, pay-sign) goes through its async `sign`.
    const signer = signerFromPem(merchant.privatePem, merchantCert.serialNo);
    const verifier = new CertificateVerifier([platformCert.pem]);

    // wechatpay-node-v3 keeps PEM buffers and a static certificate map (serial → PEM).
    const nodeV3 = new Pay({ appid: appId, mchid, serial_no: merchantCert.serialNo, publicKey: Buffer.from(merchantCert.pem), privateKey: Buffer.from(merchant.privatePem), key: apiV3Key });
    (Pay as unknown as { certificates: Record<string, string> }).certificates[platformCert.serialNo] = platformCert.pem;

    // A signed response and a signed, encrypted notification, as the gateway sends them.
    const responseBody = '{"prepay_id":"wx201410272009395522657a690389285100"}';
    const responseSignature = rsaSign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${responseBody}\n`), platform.privateKey).toString('base64');
    const responseHeaders = { 'wechatpay-serial': platformCert.serialNo, 'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-signature': responseSignature, 'request-id': 'R1' };

    const resource = JSON.stringify({
      appid: appId, mchid, out_trade_no: '1217752501201407033233368018', transaction_id: '4200000001201407033233368018', trade_type: 'JSAPI', trade_state: 'SUCCESS',
      trade_state_desc: '支付成功', bank_type: 'CMC', attach: '', success_time: '2026-11-25T16:00:00+08:00', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
    });
    const gcmNonce = 'fdasflkja484';
    const notifyBody = JSON.stringify({
      id: 'EV-2018022511223320873', create_time: '2026-11-25T16:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(resource, apiV3Key, gcmNonce, 'transaction'), associated_data: 'transaction', nonce: gcmNonce },
    });
    const notifySignature = rsaSign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${notifyBody}\n`), platform.privateKey).toString('base64');
    const notifyHeaders = { ...responseHeaders, 'wechatpay-signature': notifySignature };

    const verifyBaseline = (body: string, signature: string) =>
      rsaVerify('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), platform.publicKey, Buffer.from(signature, 'base64'));

    const tasks: Array<{ task: string; target?: number; candidates: Array<{ name: string; fn: () => unknown }> }> = [
      {
        task: 'sign request',
        target: 0.95,
        candidates: [
          {
            name: 'node:crypto',
            fn: () => {
              const signature = rsaSign('sha256', Buffer.from(`POST\n${path}\n${timestamp}\n${nonce}\n${requestBody}\n`), merchant.privateKey).toString('base64');
              return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${merchantCert.serialNo}",signature="${signature}"`;
            },
          },
          { name: 'ours', fn: () => buildAuthorization({ mchid, signer, method: 'POST', pathWithQuery: path, body: requestBody, timestamp, nonce }) },
          { name: 'wechatpay-node-v3', fn: () => nodeV3.getAuthorization(nonce, timestamp, nodeV3.getSignature('POST', nonce, timestamp, path, requestBody)) },
          { name: 'wechatpay-axios-plugin', fn: () => Formatter.authorization(mchid, nonce, Rsa.sign(Formatter.request('POST', path, timestamp, nonce, requestBody), merchant.privateKey), timestamp, merchantCert.serialNo) },
        ],
      },
      {
        task: 'verify response',
        target: 0.9,
        candidates: [
          { name: 'node:crypto', fn: () => verifyBaseline(responseBody, responseSignature) },
          { name: 'ours', fn: () => validateSigned(responseHeaders, responseBody, { verifier }) },
          { name: 'wechatpay-node-v3', fn: () => nodeV3.verifySign({ timestamp, nonce, body: responseBody, serial: platformCert.serialNo, signature: responseSignature }) },
          { name: 'wechatpay-axios-plugin', fn: () => Rsa.verify(Formatter.response(timestamp, nonce, responseBody), responseSignature, platform.publicKey) },
        ],
      },
      {
        task: 'notify parse',
        candidates: [
          {
            name: 'node:crypto',
            fn: () => {
              if (!verifyBaseline(notifyBody, notifySignature)) throw new Error('bad signature');
              const envelope = JSON.parse(notifyBody);
              const data = Buffer.from(envelope.resource.ciphertext, 'base64');
              const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(envelope.resource.nonce));
              decipher.setAuthTag(data.subarray(data.length - 16));
              decipher.setAAD(Buffer.from(envelope.resource.associated_data));
              return JSON.parse(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8'));
            },
          },
          { name: 'ours', fn: () => parseNotification({ headers: notifyHeaders, body: notifyBody }, { verifier, apiV3Key }) },
          {
            name: 'wechatpay-node-v3',
            fn: async () => {
              if (!(await nodeV3.verifySign({ timestamp, nonce, body: notifyBody, serial: platformCert.serialNo, signature: notifySignature }))) throw new Error('bad signature');
              const { resource: r } = JSON.parse(notifyBody);
              return nodeV3.decipher_gcm(r.ciphertext, r.associated_data, r.nonce, apiV3Key);
            },
          },
          {
            name: 'wechatpay-axios-plugin',
            fn: () => {
              if (!Rsa.verify(Formatter.response(timestamp, nonce, notifyBody), notifySignature, platform.publicKey)) throw new Error('bad signature');
              const { resource: r } = JSON.parse(notifyBody);
              return JSON.parse(Aes.AesGcm.decrypt(r.ciphertext, apiV3Key, r.nonce, r.associated_data));
            },
          },
        ],
      },
      {
        task: 'pay-sign',
        candidates: [
          { name: 'node:crypto', fn: () => rsaSign('sha256', Buffer.from(`${appId}\n${timestamp}\n${nonce}\nprepay_id=${prepayId}\n`), merchant.privateKey).toString('base64') },
          { name: 'ours', fn: () => buildPayParams({ appId, prepayId, signer, timeStamp: timestamp, nonceStr: nonce }) },
          { name: 'ours (Signer from PEM per call)', fn: () => buildPayParams({ appId, prepayId, signer: signerFromPem(merchant.privatePem), timeStamp: timestamp, nonceStr: nonce }) },
          { name: 'wechatpay-node-v3', fn: () => nodeV3.sha256WithRsa(`${appId}\n${timestamp}\n${nonce}\nprepay_id=${prepayId}\n`) },
          { name: 'wechatpay-axios-plugin', fn: () => Rsa.sign(Formatter.joinedByLineFeed(appId, timestamp, nonce, `prepay_id=${prepayId}`), merchant.privateKey) },
        ],
      },
    ];

    // Everyone must do the real work correctly before being timed.
    const authorization = await buildAuthorization({ mchid, signer, method: 'POST', pathWithQuery: path, body: requestBody, timestamp, nonce });
    check('sign: ours = node:crypto', authorization === tasks[0]!.candidates[0]!.fn());
    check('sign: node-v3', tasks[0]!.candidates[2]!.fn() === authorization);
    check('sign: axios-plugin', (tasks[0]!.candidates[3]!.fn() as string).endsWith(authorization.slice(authorization.indexOf('signature='))));
    check('verify: node:crypto', verifyBaseline(responseBody, responseSignature));
    check('verify: node-v3', await nodeV3.verifySign({ timestamp, nonce, body: responseBody, serial: platformCert.serialNo, signature: responseSignature }));
    const parsed = parseNotification({ headers: notifyHeaders, body: notifyBody }, { verifier, apiV3Key });
    check('notify: ours', parsed.ok && parsed.notification.kind === 'transaction');
    check('notify: node-v3', ((await tasks[2]!.candidates[2]!.fn()) as { out_trade_no?: string }).out_trade_no === '1217752501201407033233368018');
    check('pay-sign: all agree', new Set([
      tasks[3]!.candidates[0]!.fn(),
      ((await tasks[3]!.candidates[1]!.fn()) as { paySign: string }).paySign,
      tasks[3]!.candidates[3]!.fn(),
      tasks[3]!.candidates[4]!.fn(),
    ]).size === 1);

    const results: ComparisonResult[] = [];
    for (const { task, target, candidates } of tasks) {
      results.push(await compare(task, candidates, { durationMs: budgetMs / tasks.length * 0.85, target: target ? { candidate: 'ours', minRatio: target } : undefined }));
    }
    console.log(comparisonTable(results));
    return results;
  },
  figures(results) {
    const ours = (task: string) => results.find((r) => r.task === task)?.candidates.find((c) => c.name === 'ours')?.ratio ?? NaN;
    return [
      figure('protocol.signRatio', 'sign request: ours / node:crypto', ours('sign request'), '%', { kind: 'min', value: 0.95 }),
      figure('protocol.verifyRatio', 'verify response: ours / node:crypto', ours('verify response'), '%', { kind: 'min', value: 0.9 }),
      figure('protocol.notifyParseRatio', 'notify parse (verify + decrypt): ours / node:crypto', ours('notify parse'), '%'),
    ];
  },
};
