/**
 * The individual-payee signing page's signature in both layouts (docs/references/payee-sign.md):
 * the product's builder against two independent implementations (node:crypto directly and
 * wechatpay-axios-plugin's Rsa), and the merchant-config field that chooses the layout.
 */
import { createVerify } from 'node:crypto';
import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import { ConfigError, parseMerchantConfig, type MerchantConfigFile } from '../../../../cloudfunctions/core/kernel/config';
import { buildContractSignParams, signerFromPem, type ContractSignLayout } from '../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair, makeCertificate, randomApiV3Key, randomSerialHex } from '../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const serial = randomSerialHex();
// The published page's sample values (pay.weixin.qq.com/doc/v3/merchant/4012739356) and the seed's.
const appId = 'wxd678efh567h23787';
const mchid = '1900009191';
const openid = 'oZMw85eFXXGIa9IZwGdH9TF_lTPw';
const timeStamp = '1554208460';
const nonceStr = '593BEC0C930BF1AFEB40B4A08C8FB242';
const pkg = `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`;

/** The lines each layout signs, written out independently of the product code. */
const linesOf: Record<ContractSignLayout, string[]> = {
  published: [appId, timeStamp, nonceStr, pkg],
  seed: [appId, timeStamp, nonceStr, mchid, openid],
};
const otherLayout = (layout: ContractSignLayout): ContractSignLayout => (layout === 'published' ? 'seed' : 'published');

const build = (layout: ContractSignLayout) =>
  buildContractSignParams({ appId, mchid, openid, signer: signerFromPem(merchant.privateKey, serial), layout, timeStamp, nonceStr });

describe.each(['published', 'seed'] as const)('%s layout', (layout) => {
  it('carries every field of the published page, certSerialNo = the merchant serial', async () => {
    expect(await build(layout)).toEqual({ mchid, appid: appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', certSerialNo: serial, signature: expect.any(String) });
  });

  it('is byte-for-byte the signature wechatpay-axios-plugin makes over the same lines (RSA PKCS#1 v1.5 is deterministic)', async () => {
    const theirs = Rsa.sign(Formatter.joinedByLineFeed(...linesOf[layout]), merchant.privateKey);
    expect((await build(layout)).signature).toBe(theirs);
  });

  it('verifies with node:crypto over its own lines (every line ends with \\n) and not over the other layout', async () => {
    const { signature } = await build(layout);
    const verifies = (lines: string[]) => createVerify('RSA-SHA256').update(lines.map((l) => `${l}\n`).join('')).verify(merchant.publicKey, signature, 'base64');
    expect(verifies(linesOf[layout])).toBe(true);
    expect(verifies(linesOf[otherLayout(layout)])).toBe(false);
    expect(Rsa.verify(Formatter.joinedByLineFeed(...linesOf[otherLayout(layout)]), signature, merchant.publicKey)).toBe(false);
  });
});

describe('merchant config payee.signLayout', () => {
  const platform = generateRsaKeyPair();
  const sound = (): MerchantConfigFile => ({
    appid: 'wx1234567890abcdef',
    wechatpayV3: {
      mchid: '1900000109',
      merchant: { serialNo: serial, privateKey: merchant.privatePem },
      platform: { certificates: [makeCertificate({ keyPair: platform }).pem] },
      apiV3Key: randomApiV3Key(),
      notifyUrl: 'https://pay.example.com/notify',
    },
    amount: { minFen: 1, maxFen: 100000 },
    store: { kind: 'sqlite', file: '/tmp/x.sqlite' },
    defaultDescription: '商品',
  });

  it('defaults to the published layout', () => {
    expect(parseMerchantConfig(sound()).payee).toEqual({ signLayout: 'published' });
    expect(parseMerchantConfig({ ...sound(), payee: {} }).payee).toEqual({ signLayout: 'published' });
  });

  it('takes seed or published', () => {
    expect(parseMerchantConfig({ ...sound(), payee: { signLayout: 'seed' } }).payee.signLayout).toBe('seed');
    expect(parseMerchantConfig({ ...sound(), payee: { signLayout: 'published' } }).payee.signLayout).toBe('published');
  });

  it.each([
    ['an unknown layout', { signLayout: 'v2' }, /payee\.signLayout/],
    ['an unknown field', { signLayout: 'seed', layout: 'seed' }, /payee/],
  ])('refuses %s, naming the field', (_name, payee, field) => {
    const raw = { ...sound(), payee } as unknown;
    expect(() => parseMerchantConfig(raw)).toThrow(ConfigError);
    expect(() => parseMerchantConfig(raw)).toThrow(field);
  });
});
