/**
 * Front-end signatures made on the server: `wx.requestPayment` parameters and the individual-payee
 * signing page (`requestSign`). Both are SHA256withRSA over fields joined by `\n`, with a trailing
 * `\n`, signed with the merchant key; the appid must be the one the order was created with.
 */
import { sign, type KeyObject } from 'node:crypto';
import { loadPrivateKey } from './keys';
import { randomNonce, unixSeconds, type Clock, type NonceSource } from './nonce';
import type { PayeeSignParams } from '../../../../typings/api';

export interface PayParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface FrontEndSignOptions {
  /** Defaults: now (`Date.now`) and a random 32-character nonce. */
  clock?: Clock;
  nonce?: NonceSource;
}

function rsaSign(message: string, privateKey: KeyObject | string): string {
  return sign('sha256', Buffer.from(message, 'utf8'), loadPrivateKey(privateKey)).toString('base64');
}

export function buildPayParams(
  input: { appId: string; prepayId: string; privateKey: KeyObject | string; timeStamp?: string; nonceStr?: string },
  options: FrontEndSignOptions = {},
): PayParams {
  const timeStamp = input.timeStamp ?? unixSeconds(options.clock ?? Date.now);
  const nonceStr = input.nonceStr ?? (options.nonce ?? randomNonce)();
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = rsaSign(`${input.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, input.privateKey);
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}

export const INDIVIDUAL_PAYEE_PERMISSION = 'INDIVIDUAL_PAYEE';

/** Parameters of the individual-payee signing page (seed 000): the contract's `PayeeSignParams`. */
export type ContractSignParams = PayeeSignParams;

/** Signature over `appId\ntimestamp\nnonce\nmchid\nopenid\n` (seed 000 §2.1.1). */
export function buildContractSignParams(
  input: { appId: string; mchid: string; openid: string; privateKey: KeyObject | string; timeStamp?: string; nonceStr?: string },
  options: FrontEndSignOptions = {},
): ContractSignParams {
  const timeStamp = input.timeStamp ?? unixSeconds(options.clock ?? Date.now);
  const nonceStr = input.nonceStr ?? (options.nonce ?? randomNonce)();
  const signature = rsaSign(`${input.appId}\n${timeStamp}\n${nonceStr}\n${input.mchid}\n${input.openid}\n`, input.privateKey);
  return {
    mchid: input.mchid,
    appid: input.appId,
    timeStamp,
    nonceStr,
    package: `openid=${input.openid}&permissionType=${INDIVIDUAL_PAYEE_PERMISSION}`,
    signType: 'RSA',
    signature,
  };
}
