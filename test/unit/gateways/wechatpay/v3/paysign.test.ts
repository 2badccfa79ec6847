import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import { buildPayParams, signerFromPem } from '../../../../../cloudfunctions/core/gateways/wechatpay';
import { generateRsaKeyPair } from '../../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();
const signer = signerFromPem(merchant.privatePem);

describe('wx.requestPayment pay-sign', () => {
  it('signs appId\\ntimeStamp\\nnonceStr\\npackage\\n exactly as wechatpay-axios-plugin does', async () => {
    const params = await buildPayParams({ appId: 'wxd678efh567hg6787', prepayId: 'wx201410272009395522657a690389285100', signer, timeStamp: '1414561699', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS' });
    expect(params).toMatchObject({ timeStamp: '1414561699', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
    const theirs = Rsa.sign(Formatter.joinedByLineFeed('wxd678efh567hg6787', '1414561699', '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', 'prepay_id=wx201410272009395522657a690389285100'), merchant.privateKey);
    expect(params.paySign).toBe(theirs);
  });

  it('defaults timeStamp to a string of seconds from the injected clock and takes the injected nonce', async () => {
    const params = await buildPayParams({ appId: 'wx1', prepayId: 'p1', signer }, { clock: () => 1_700_000_123_999, nonce: () => 'NONCE1' });
    expect(params.timeStamp).toBe('1700000123');
    expect(typeof params.timeStamp).toBe('string');
    expect(params.nonceStr).toBe('NONCE1');
    expect(Rsa.verify('wx1\n1700000123\nNONCE1\nprepay_id=p1\n', params.paySign, merchant.publicKey)).toBe(true);
  });

  it('random nonces differ between calls', async () => {
    const a = await buildPayParams({ appId: 'wx1', prepayId: 'p1', signer });
    const b = await buildPayParams({ appId: 'wx1', prepayId: 'p1', signer });
    expect(a.nonceStr).toMatch(/^[0-9A-F]{32}$/);
    expect(a.nonceStr).not.toBe(b.nonceStr);
  });
});
