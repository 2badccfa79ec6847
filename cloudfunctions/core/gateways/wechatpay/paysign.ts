/**
 * Front-end signature made on the server: `wx.requestPayment` parameters, SHA256withRSA over
 * fields joined by `\n`, with a trailing `\n`, signed with the merchant key; the appid must be the
 * one the order was created with. (The individual-payee signing page's signature: contract-sign.ts.)
 */
import { sign, type KeyObject } from 'node:crypto';
import { loadPrivateKey } from './auth/keys';
import { randomNonce, unixSeconds, type Clock, type NonceSource } from '../../kernel/nonce';

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
