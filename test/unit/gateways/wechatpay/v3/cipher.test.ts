import { Aes, Rsa } from 'wechatpay-axios-plugin';
import {
  createSensitiveEncryptor,
  decryptResource,
  decryptSensitive,
  encryptResource,
  encryptSensitive,
  WechatPayError,
} from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, randomApiV3Key } from '../../../../helpers/crypto-fixtures';
import { errorCodeOf } from '../../../../helpers/error-code';

const apiV3Key = randomApiV3Key();
const nonce = 'fdasflkja484';
const aad = 'transaction';
const plaintext = JSON.stringify({ out_trade_no: 'T1', amount: { total: 1 }, note: '中文 ✓' });

const codeOf = (fn: () => unknown) => errorCodeOf(fn, WechatPayError);

describe('AEAD_AES_256_GCM', () => {
  it('decrypts what wechatpay-axios-plugin encrypts, and the reverse', () => {
    const theirs = Aes.AesGcm.encrypt(plaintext, apiV3Key, nonce, aad);
    expect(decryptResource({ ciphertext: theirs, nonce, associated_data: aad }, apiV3Key)).toBe(plaintext);
    const ours = encryptResource(plaintext, apiV3Key, nonce, aad);
    expect(ours).toBe(theirs);
    expect(Aes.AesGcm.decrypt(ours, apiV3Key, nonce, aad)).toBe(plaintext);
  });

  it('treats a missing associated_data as empty', () => {
    const ciphertext = encryptResource(plaintext, apiV3Key, nonce);
    expect(decryptResource({ ciphertext, nonce }, apiV3Key)).toBe(plaintext);
  });

  it('rejects an altered tag (last 16 bytes) with TAG_MISMATCH', () => {
    const bytes = Buffer.from(encryptResource(plaintext, apiV3Key, nonce, aad), 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(codeOf(() => decryptResource({ ciphertext: bytes.toString('base64'), nonce, associated_data: aad }, apiV3Key))).toBe('TAG_MISMATCH');
  });

  it('rejects an altered ciphertext byte, a different AAD, nonce or key with TAG_MISMATCH', () => {
    const ciphertext = encryptResource(plaintext, apiV3Key, nonce, aad);
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[0]! ^= 0x80;
    expect(codeOf(() => decryptResource({ ciphertext: bytes.toString('base64'), nonce, associated_data: aad }, apiV3Key))).toBe('TAG_MISMATCH');
    expect(codeOf(() => decryptResource({ ciphertext, nonce, associated_data: 'refund' }, apiV3Key))).toBe('TAG_MISMATCH');
    expect(codeOf(() => decryptResource({ ciphertext, nonce: 'fdasflkja485', associated_data: aad }, apiV3Key))).toBe('TAG_MISMATCH');
    expect(codeOf(() => decryptResource({ ciphertext, nonce, associated_data: aad }, randomApiV3Key()))).toBe('TAG_MISMATCH');
  });

  it('rejects a truncated ciphertext (no room for the tag) and non-base64 input', () => {
    expect(codeOf(() => decryptResource({ ciphertext: Buffer.alloc(15).toString('base64'), nonce }, apiV3Key))).toBe('CIPHERTEXT_INVALID');
    expect(codeOf(() => decryptResource({ ciphertext: 'not base64!', nonce }, apiV3Key))).toBe('CIPHERTEXT_INVALID');
  });

  it('requires a 32-byte APIv3 key', () => {
    expect(codeOf(() => decryptResource({ ciphertext: 'AAAA', nonce }, 'short'))).toBe('KEY_INVALID');
    expect(codeOf(() => encryptResource('x', 'k'.repeat(31), nonce))).toBe('KEY_INVALID');
  });
});

describe('RSA-OAEP (SHA-1) sensitive fields', () => {
  const platform = generateRsaKeyPair();

  it('decrypts what the independent implementation encrypts, and the reverse', () => {
    expect(decryptSensitive(Rsa.encrypt('张三', platform.publicKey), platform.privatePem)).toBe('张三');
    expect(Rsa.decrypt(encryptSensitive('13800138000', platform.publicPem), platform.privateKey)).toBe('13800138000');
  });

  it('the encryptor names the serial to send as Wechatpay-Serial', () => {
    const encryptor = createSensitiveEncryptor('PUB_KEY_ID_0112', platform.publicKey);
    expect(encryptor.serial).toBe('PUB_KEY_ID_0112');
    expect(decryptSensitive(encryptor.encrypt('x'), platform.privateKey)).toBe('x');
  });

  it('fails with CIPHERTEXT_INVALID under the wrong key', () => {
    const other = generateRsaKeyPair();
    expect(codeOf(() => decryptSensitive(encryptSensitive('x', platform.publicKey), other.privateKey))).toBe('CIPHERTEXT_INVALID');
  });
});
