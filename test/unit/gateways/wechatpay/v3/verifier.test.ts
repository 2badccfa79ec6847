import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  CertificateVerifier,
  CombinedVerifier,
  loadCertificate,
  PublicKeyVerifier,
  validateSigned,
  WechatPayError,
} from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomPublicKeyId } from '../../../../helpers/crypto-fixtures';
import { errorCodeOf } from '../../../../helpers/error-code';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const clock = () => NOW;
const nowSeconds = String(NOW / 1000);

const platform = generateRsaKeyPair();
const certificate = makeCertificate({ keyPair: platform, notBefore: new Date(NOW - 86400_000), notAfter: new Date(NOW + 86400_000) });
const pubKeyPlatform = generateRsaKeyPair();
const pubKeyId = randomPublicKeyId();

const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc","amount":{"total":100}}';

/** Headers as WeChat Pay would send them, signed by wechatpay-axios-plugin (independent implementation). */
function signedHeaders(opts: { serial: string; key: typeof platform.privateKey; timestamp?: string; nonce?: string; payload?: string }) {
  const timestamp = opts.timestamp ?? nowSeconds;
  const nonce = opts.nonce ?? 'N0NCE';
  return {
    'wechatpay-serial': opts.serial,
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, nonce, opts.payload ?? body), opts.key),
    'request-id': '08F2C5F0A9061010',
  };
}

const codeOf = (fn: () => unknown) => errorCodeOf(fn, WechatPayError);

describe('certificate verifier', () => {
  const verifier = new CertificateVerifier([certificate.pem], clock);

  it('accepts a response signed by the platform certificate key, over the raw body', () => {
    const signed = validateSigned(signedHeaders({ serial: certificate.serialNo, key: platform.privateKey }), body, { verifier, clock });
    expect(signed.requestId).toBe('08F2C5F0A9061010');
  });

  it('matches hex serials case-insensitively and ignores zero padding', () => {
    expect(verifier.has(certificate.serialNo.toLowerCase())).toBe(true);
    expect(verifier.has('00' + certificate.serialNo)).toBe(true);
  });

  it('rejects one changed byte of the body with SIGNATURE_INVALID', () => {
    const headers = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey });
    const tampered = body.replace('"total":100', '"total":101');
    expect(codeOf(() => validateSigned(headers, tampered, { verifier, clock }))).toBe('SIGNATURE_INVALID');
  });

  it('does not accept a re-serialised body (whitespace matters)', () => {
    const spaced = JSON.stringify(JSON.parse(body), null, 1);
    const headers = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey, payload: spaced });
    expect(() => validateSigned(headers, spaced, { verifier, clock })).not.toThrow();
    expect(codeOf(() => validateSigned(headers, JSON.stringify(JSON.parse(spaced)), { verifier, clock }))).toBe('SIGNATURE_INVALID');
  });

  it('names an unknown serial in the error and carries the Request-ID', () => {
    const other = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    try {
      validateSigned(signedHeaders({ serial: other, key: platform.privateKey }), body, { verifier, clock });
      throw new Error('expected a rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(WechatPayError);
      expect(error).toMatchObject({ code: 'SERIAL_UNKNOWN', serial: other, requestId: '08F2C5F0A9061010' });
      expect((error as Error).message).toContain(other);
    }
  });

  it('rejects a signature made with another key under the right serial', () => {
    const headers = signedHeaders({ serial: certificate.serialNo, key: pubKeyPlatform.privateKey });
    expect(codeOf(() => validateSigned(headers, body, { verifier, clock }))).toBe('SIGNATURE_INVALID');
  });

  it.each([
    ['301 s old', -301],
    ['301 s ahead', 301],
  ])('rejects a timestamp %s with TIMESTAMP_OUT_OF_WINDOW', (_label, offset) => {
    const headers = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey, timestamp: String(NOW / 1000 + offset) });
    expect(codeOf(() => validateSigned(headers, body, { verifier, clock }))).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it.each([-300, 300])('accepts a timestamp exactly %i s away', (offset) => {
    const headers = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey, timestamp: String(NOW / 1000 + offset) });
    expect(codeOf(() => validateSigned(headers, body, { verifier, clock }))).toBeUndefined();
  });

  it('rejects a non-numeric timestamp', () => {
    const headers = { ...signedHeaders({ serial: certificate.serialNo, key: platform.privateKey }), 'wechatpay-timestamp': '17e8' };
    expect(codeOf(() => validateSigned(headers, body, { verifier, clock }))).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('reports a WECHATPAY/SIGNTEST/ probe as its own failure', () => {
    const headers = { ...signedHeaders({ serial: certificate.serialNo, key: platform.privateKey }), 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abcdef==' };
    expect(codeOf(() => validateSigned(headers, body, { verifier, clock }))).toBe('SIGNTEST_PROBE');
  });

  it('rejects an expired certificate with CERTIFICATE_EXPIRED even when the signature is good', () => {
    const later = NOW + 2 * 86400_000;
    const headers = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey, timestamp: String(later / 1000) });
    const expiredVerifier = new CertificateVerifier([certificate.pem], () => later);
    expect(codeOf(() => validateSigned(headers, body, { verifier: expiredVerifier, clock: () => later }))).toBe('CERTIFICATE_EXPIRED');
  });

  it('rejects a certificate not yet valid', () => {
    const future = makeCertificate({ keyPair: platform, notBefore: new Date(NOW + 3600_000), notAfter: new Date(NOW + 7200_000) });
    const v = new CertificateVerifier([future.pem], clock);
    expect(codeOf(() => validateSigned(signedHeaders({ serial: future.serialNo, key: platform.privateKey }), body, { verifier: v, clock }))).toBe('CERTIFICATE_NOT_YET_VALID');
  });

  it('reports missing headers with the code asked for', () => {
    expect(codeOf(() => validateSigned({}, body, { verifier, clock }))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => validateSigned({}, body, { verifier, clock, missingCode: 'RESPONSE_UNSIGNED' }))).toBe('RESPONSE_UNSIGNED');
  });

  it('reads certificate validity and serial', () => {
    const parsed = loadCertificate(certificate.pem);
    expect(parsed.serialNo).toBe(certificate.serialNo);
    expect(parsed.notAfter).toBe(Math.floor(certificate.notAfter.getTime() / 1000) * 1000);
    expect(codeOf(() => loadCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'))).toBe('CERTIFICATE_INVALID');
  });

  it('newestValid picks the valid certificate expiring last; prune drops expired ones', () => {
    const longer = makeCertificate({ keyPair: platform, notBefore: new Date(NOW - 1000), notAfter: new Date(NOW + 10 * 86400_000) });
    const old = makeCertificate({ keyPair: platform, notBefore: new Date(NOW - 10 * 86400_000), notAfter: new Date(NOW - 1000) });
    const v = new CertificateVerifier([certificate.pem, longer.pem, old.pem], clock);
    expect(v.newestValid()!.serialNo).toBe(longer.serialNo);
    v.prune();
    expect(v.has(old.serialNo)).toBe(false);
    expect(v.list()).toHaveLength(2);
  });
});

describe('public-key verifier and the combined verifier (migration without downtime)', () => {
  const publicKeyVerifier = new PublicKeyVerifier(pubKeyId, pubKeyPlatform.publicPem);
  const combined = new CombinedVerifier(new CertificateVerifier([certificate.pem], clock), publicKeyVerifier);

  it('verifies PUB_KEY_ID_ signatures', () => {
    expect(() => validateSigned(signedHeaders({ serial: pubKeyId, key: pubKeyPlatform.privateKey }), body, { verifier: publicKeyVerifier, clock })).not.toThrow();
  });

  it('picks the key by serial: both modes verify through one verifier', () => {
    expect(() => validateSigned(signedHeaders({ serial: pubKeyId, key: pubKeyPlatform.privateKey }), body, { verifier: combined, clock })).not.toThrow();
    expect(() => validateSigned(signedHeaders({ serial: certificate.serialNo, key: platform.privateKey }), body, { verifier: combined, clock })).not.toThrow();
  });

  it('does not let a certificate key sign for the public key id', () => {
    expect(codeOf(() => validateSigned(signedHeaders({ serial: pubKeyId, key: platform.privateKey }), body, { verifier: combined, clock }))).toBe('SIGNATURE_INVALID');
  });

  it('names an unknown serial', () => {
    const unknown = randomPublicKeyId();
    expect(() => combined.verify(unknown, 'x', 'y')).toThrow(unknown);
    expect(codeOf(() => combined.verify(unknown, 'x', 'y'))).toBe('SERIAL_UNKNOWN');
  });

  it('requires the PUB_KEY_ID_ prefix', () => {
    expect(codeOf(() => new PublicKeyVerifier('1234', pubKeyPlatform.publicPem))).toBe('ARGUMENT_INVALID');
  });
});

describe('header sources', () => {
  const verifier = new CertificateVerifier([certificate.pem], clock);
  const lower = signedHeaders({ serial: certificate.serialNo, key: platform.privateKey });

  it('reads canonical-case records, array values and fetch Headers alike', () => {
    const canonical = {
      'Wechatpay-Serial': lower['wechatpay-serial'],
      'Wechatpay-Timestamp': [lower['wechatpay-timestamp']],
      'WECHATPAY-NONCE': lower['wechatpay-nonce'],
      'Wechatpay-Signature': lower['wechatpay-signature'],
      'Request-ID': 'RID-1',
    };
    expect(validateSigned(canonical, body, { verifier, clock }).requestId).toBe('RID-1');
    expect(validateSigned(new Headers(lower), body, { verifier, clock }).requestId).toBe('08F2C5F0A9061010');
  });

  it('lists what is missing', () => {
    const { 'wechatpay-nonce': _nonce, ...withoutNonce } = lower;
    expect(() => validateSigned(withoutNonce, body, { verifier, clock })).toThrow('missing Wechatpay-Nonce');
  });
});
