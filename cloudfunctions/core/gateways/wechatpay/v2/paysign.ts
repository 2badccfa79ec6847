/** APIv2 invoke parameters: mini-program `wx.requestPayment` and APP `PayReq`. */
import { randomNonce, unixSeconds, type Clock, type NonceSource } from '../../../kernel/nonce';
import type { Signer } from '../auth/signer';
import { signV2With, v2SignTypeOf, type V2SignType } from './sign';

export interface V2PayParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: V2SignType;
  paySign: string;
}

export interface V2SignOptions {
  clock?: Clock;
  nonce?: NonceSource;
}

/** paySign = v2 sign over appId, nonceStr, package, signType, timeStamp (names as written). */
export async function buildV2PayParams(
  input: { appId: string; prepayId: string; signer: Signer; timeStamp?: string; nonceStr?: string },
  options: V2SignOptions = {},
): Promise<V2PayParams> {
  const signType = v2SignTypeOf(input.signer);
  const timeStamp = input.timeStamp ?? unixSeconds(options.clock ?? Date.now);
  const nonceStr = input.nonceStr ?? (options.nonce ?? randomNonce)();
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = await signV2With({ appId: input.appId, nonceStr, package: pkg, signType, timeStamp }, input.signer);
  return { timeStamp, nonceStr, package: pkg, signType, paySign };
}

export interface V2AppPayParams {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: 'Sign=WXPay';
  noncestr: string;
  timestamp: string;
  sign: string;
}

/** APP invoke: sign over appid, partnerid, prepayid, package=Sign=WXPay, noncestr, timestamp. */
export async function buildV2AppPayParams(
  input: { appId: string; mchId: string; prepayId: string; signer: Signer; timestamp?: string; nonceStr?: string },
  options: V2SignOptions = {},
): Promise<V2AppPayParams> {
  const params = {
    appid: input.appId,
    partnerid: input.mchId,
    prepayid: input.prepayId,
    package: 'Sign=WXPay' as const,
    noncestr: input.nonceStr ?? (options.nonce ?? randomNonce)(),
    timestamp: input.timestamp ?? unixSeconds(options.clock ?? Date.now),
  };
  return { ...params, sign: await signV2With(params, input.signer) };
}
