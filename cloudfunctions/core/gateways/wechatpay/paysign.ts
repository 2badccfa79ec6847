/**
 * Front-end signature made on the server: `wx.requestPayment` parameters, SHA256withRSA over
 * fields joined by `\n`, with a trailing `\n`, signed by the merchant's Signer; the appid must be
 * the one the order was created with. (The individual-payee signing page's signature: contract-sign.ts.)
 */
import { WechatPayError } from './errors';
import type { Signer } from './auth/signer';
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

/** The pay-sign is SHA256withRSA (`signType: 'RSA'`): any other signer is a wiring mistake. */
export function requireRsaSigner(signer: Signer, what: string): Signer {
  if (signer.algorithm !== 'SHA256withRSA') throw new WechatPayError('ARGUMENT_INVALID', `${what} needs a SHA256withRSA signer, got ${signer.algorithm}`);
  return signer;
}

export async function buildPayParams(
  input: { appId: string; prepayId: string; signer: Signer; timeStamp?: string; nonceStr?: string },
  options: FrontEndSignOptions = {},
): Promise<PayParams> {
  const timeStamp = input.timeStamp ?? unixSeconds(options.clock ?? Date.now);
  const nonceStr = input.nonceStr ?? (options.nonce ?? randomNonce)();
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = await requireRsaSigner(input.signer, 'pay-sign').sign(`${input.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}
