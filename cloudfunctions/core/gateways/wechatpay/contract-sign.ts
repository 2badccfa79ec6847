/**
 * The signature of the individual-payee signing page (平台收付通 个人收款, seed 000):
 * `WeChatPayIndividualContracts.requestSign` of `@tenpay/wechatpay-miniprogram-individual-contracts`.
 * SHA256withRSA with the merchant API key over fields joined by `\n` (each line ends with `\n`,
 * the last one too — the rule of the mini-program pay-sign the seed points to), base64.
 *
 * Two layouts of the signed lines exist; the merchant chooses one in its config
 * (`payee.signLayout`, docs/references/payee-sign.md says why `published` is the default):
 *
 * - `published`: `appid\ntimeStamp\nnonceStr\npackage\n`, plus the required `certSerialNo` naming
 *   the merchant API certificate that signed. The requestSign page (签约-小程序):
 *   https://pay.weixin.qq.com/doc/v3/merchant/4012739356
 *   https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/mini-program-agency.html
 *   ("signature … 使用字段 appid timeStamp nonceStr package 计算得出的签名值";
 *   "certSerialNo 必填 string(64) 签名使用的商户 API 证书序列号").
 * - `seed`: `appId\ntimeStamp\nnonceStr\nmchid\nopenid\n` (seed 000 §2.1.1 步骤1.2:
 *   "签名必须使用appid, mchid, openid作为参数 … 1小程序appId 2时间戳 3随机字符串 4mchid 5openid").
 *
 * `certSerialNo` is sent in both layouts: the published page requires it and the seed's page
 * has no use for an extra field.
 */
import type { PayeeSignParams } from '../../../../typings/api';
import { WechatPayError } from './errors';
import type { Signer } from './auth/signer';
import { requireRsaSigner } from './paysign';
import { randomNonce, unixSeconds, type Clock, type NonceSource } from '../../kernel/nonce';

/** The merchant config's `payee.signLayout` (its schema holds the default, `published`). */
export type ContractSignLayout = 'published' | 'seed';

/** The only permission type the page and the contract query know. */
export const INDIVIDUAL_PAYEE_PERMISSION = 'INDIVIDUAL_PAYEE';

/** Parameters of the signing page: the contract's `PayeeSignParams`. */
export type ContractSignParams = PayeeSignParams;

/** `openid=<openid>&permissionType=INDIVIDUAL_PAYEE` (the page's `package`, both layouts). */
export function contractPackage(openid: string): string {
  return `openid=${openid}&permissionType=${INDIVIDUAL_PAYEE_PERMISSION}`;
}

/** The exact text the merchant key signs for this layout. */
export function contractSignMessage(
  layout: ContractSignLayout,
  fields: { appId: string; timeStamp: string; nonceStr: string; mchid: string; openid: string },
): string {
  const lines =
    layout === 'published'
      ? [fields.appId, fields.timeStamp, fields.nonceStr, contractPackage(fields.openid)]
      : [fields.appId, fields.timeStamp, fields.nonceStr, fields.mchid, fields.openid];
  return lines.map((line) => `${line}\n`).join('');
}

export interface ContractSignInput {
  appId: string;
  mchid: string;
  openid: string;
  /** The merchant API key's signer; its `keyId` (the certificate serial) is the page's `certSerialNo`. */
  signer: Signer;
  layout: ContractSignLayout;
  timeStamp?: string;
  nonceStr?: string;
}

export async function buildContractSignParams(
  input: ContractSignInput,
  options: { clock?: Clock; nonce?: NonceSource } = {},
): Promise<ContractSignParams> {
  const certSerialNo = input.signer.keyId;
  if (!certSerialNo) throw new WechatPayError('ARGUMENT_INVALID', 'the signing page needs a signer that names its key (certSerialNo)');
  const timeStamp = input.timeStamp ?? unixSeconds(options.clock ?? Date.now);
  const nonceStr = input.nonceStr ?? (options.nonce ?? randomNonce)();
  const message = contractSignMessage(input.layout, { appId: input.appId, timeStamp, nonceStr, mchid: input.mchid, openid: input.openid });
  const signature = await requireRsaSigner(input.signer, 'signing-page signature').sign(message);
  return {
    mchid: input.mchid,
    appid: input.appId,
    timeStamp,
    nonceStr,
    package: contractPackage(input.openid),
    signType: 'RSA',
    certSerialNo,
    signature,
  };
}
