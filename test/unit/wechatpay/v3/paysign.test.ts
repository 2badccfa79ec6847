import { verify } from 'node:crypto';
import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import { buildContractSignParams, buildPayParams } from '../../../../cloudfunctions/core/wechatpay/v3';
import { generateRsaKeyPair } from '../../../helpers/crypto-fixtures';

const merchant = generateRsaKeyPair();

describe('wx.requestPayment pay-sign', () => {
  it('signs appId\\ntimeStamp\\nnonceStr\\npackage\\n exactly as wechatpay-axios-plugin does', () => {
    const params = buildPayParams({ appId: 'wxd678efh567hg6787', prepayId: 'wx201410272009395522657a690389285100', privateKey: merchant.privatePem, timeStamp: '1414561699', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS' });
    expect(params).toMatchObject({ timeStamp: '1414561699', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
    const theirs = Rsa.sign(Formatter.joinedByLineFeed('wxd678efh567hg6787', '1414561699', '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', 'prepay_id=wx201410272009395522657a690389285100'), merchant.privateKey);
    expect(params.paySign).toBe(theirs);
  });

  it('defaults timeStamp to a string of seconds from the injected clock and takes the injected nonce', () => {
    const params = buildPayParams({ appId: 'wx1', prepayId: 'p1', privateKey: merchant.privateKey }, { clock: () => 1_700_000_123_999, nonce: () => 'NONCE1' });
    expect(params.timeStamp).toBe('1700000123');
    expect(typeof params.timeStamp).toBe('string');
    expect(params.nonceStr).toBe('NONCE1');
    expect(Rsa.verify('wx1\n1700000123\nNONCE1\nprepay_id=p1\n', params.paySign, merchant.publicKey)).toBe(true);
  });

  it('random nonces differ between calls', () => {
    const a = buildPayParams({ appId: 'wx1', prepayId: 'p1', privateKey: merchant.privateKey });
    const b = buildPayParams({ appId: 'wx1', prepayId: 'p1', privateKey: merchant.privateKey });
    expect(a.nonceStr).toMatch(/^[0-9A-F]{32}$/);
    expect(a.nonceStr).not.toBe(b.nonceStr);
  });
});

describe('individual-payee signing page signature (seed 000)', () => {
  it('signs appId\\ntimestamp\\nnonce\\nmchid\\nopenid\\n and builds the package', () => {
    const params = buildContractSignParams({ appId: 'wxd678efh567h23787', mchid: '1900009191', openid: 'oUpF8uMuAJOM2pxb1Q9zNjWeS6o', privateKey: merchant.privateKey, timeStamp: '1554208460', nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB242' });
    expect(params).toMatchObject({ mchid: '1900009191', appid: 'wxd678efh567h23787', package: 'openid=oUpF8uMuAJOM2pxb1Q9zNjWeS6o&permissionType=INDIVIDUAL_PAYEE', signType: 'RSA' });
    const message = Buffer.from('wxd678efh567h23787\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n1900009191\noUpF8uMuAJOM2pxb1Q9zNjWeS6o\n');
    expect(verify('sha256', message, merchant.publicKey, Buffer.from(params.signature, 'base64'))).toBe(true);
  });
});
