import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  AUTHORIZATION_SCHEMA,
  buildAuthorization,
  buildRequestMessage,
  parseAuthorization,
  Sha256RsaSigner,
} from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, randomSerialHex } from '../../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const serialNo = randomSerialHex();

describe('request signature', () => {
  it('builds METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n, the same string as wechatpay-axios-plugin', () => {
    const ours = buildRequestMessage('GET', '/v3/certificates?a=1&b=2', '1554208460', 'NONCE', '');
    expect(ours).toBe('GET\n/v3/certificates?a=1&b=2\n1554208460\nNONCE\n\n');
    expect(ours).toBe(Formatter.request('GET', '/v3/certificates?a=1&b=2', '1554208460', 'NONCE', ''));
  });

  it('produces an Authorization header whose signature wechatpay-axios-plugin verifies (query included)', async () => {
    const signer = new Sha256RsaSigner(serialNo, merchant.privatePem);
    const path = '/v3/ecommerce/individual-contracts/oUpF8u?appid=wxd678efh567h23787&permission_type=INDIVIDUAL_PAYEE';
    const header = await buildAuthorization({ mchid: '1900009191', signer, method: 'GET', pathWithQuery: path, body: '', timestamp: '1554208460', nonce: '593BEC0C930BF1AFEB40B4A08C8FB242' });
    expect(header.startsWith(`${AUTHORIZATION_SCHEMA} mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="${serialNo}",signature="`)).toBe(true);
    const fields = parseAuthorization(header)!;
    expect(fields).toMatchObject({ mchid: '1900009191', serial_no: serialNo, timestamp: '1554208460' });
    expect(Rsa.verify(Formatter.request('GET', path, '1554208460', fields.nonce_str, ''), fields.signature, merchant.publicKey)).toBe(true);
    // Dropping the query string must break it: the query is part of what is signed.
    expect(Rsa.verify(Formatter.request('GET', path.split('?')[0]!, '1554208460', fields.nonce_str, ''), fields.signature, merchant.publicKey)).toBe(false);
  });

  it('signs the POST body byte for byte; equal to the independent implementation (PKCS#1 v1.5 is deterministic)', async () => {
    const signer = new Sha256RsaSigner(serialNo, merchant.privateKey);
    const body = '{"appid":"wx1","description":"测试","amount":{"total":1}}';
    const message = buildRequestMessage('POST', '/v3/pay/transactions/jsapi', '1700000000', 'abc', body);
    expect(await signer.sign(message)).toBe(Rsa.sign(Formatter.request('POST', '/v3/pay/transactions/jsapi', '1700000000', 'abc', body), merchant.privateKey));
  });

  it('rejects a public key where a private key is needed', () => {
    expect(() => new Sha256RsaSigner(serialNo, merchant.publicKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new Sha256RsaSigner(serialNo, 'not a pem')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('parseAuthorization refuses other schemes and incomplete headers', () => {
    expect(parseAuthorization('Bearer x')).toBeUndefined();
    expect(parseAuthorization(`${AUTHORIZATION_SCHEMA} mchid="1"`)).toBeUndefined();
  });
});
