/**
 * The front-end package of 平台收付通 个人收款 (seed 000 §2.1.2.2):
 * `@tenpay/wechatpay-miniprogram-individual-contracts` (seed: "暂未发布，后续更新").
 * Typed from the published requestSign page (签约-小程序, updated 2024-11):
 *   https://pay.weixin.qq.com/doc/v3/merchant/4012739356
 *   https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/mini-program-agency.html
 *
 *   WeChatPayIndividualContracts.requestSign({ mchid, appid, package: 'openid=…&permissionType=INDIVIDUAL_PAYEE',
 *     timeStamp, nonceStr, signType: 'RSA', certSerialNo, signature,
 *     success(res) {}, fail(err) { err.code; err.message }, complete() {} })
 *
 * - Every request field is required ("必填"); `certSerialNo` (string(64)) is the serial of the
 *   merchant API certificate that signed — the seed's sample lacks it. Which lines `signature`
 *   covers depends on the merchant's `payee.signLayout` (docs/references/payee-sign.md).
 * - WeChat 8.0.51+ (iOS and Android). On an older client WeChat shows the user a notice page and
 *   calls `fail` (the page's words; no error code is given for it).
 * - `fail(err)`: the seed says "详见 err.code err.message"; the stored copies of the published page
 *   we could read list no codes, so the adapter only reports them (and reads a "cancel" in them
 *   as the user cancelling).
 *
 * The success payload "equals the authorization query" (seed) but must not be trusted: the page
 * only uses it as a cue to ask the server (`payee.confirm`). Only
 * `miniprogram/services/individual-contracts.ts` touches this module, so a different real shape is
 * a change in one file.
 */
declare namespace WechatPayIndividualContracts {
  /** Signing-page input, exactly as the server signed it (`payee.signParams`, one type in the contract). */
  type SignParams = import('../api').PayeeSignParams;

  /** Same fields as the authorization query (seed §2.1.1 step 1.7). Untrusted. */
  interface SignSuccess {
    individual_auth_id?: string;
    auth_state?: 'AUTHORIZED' | 'UNAUTHORIZED' | string;
    operation_time?: string;
    [key: string]: unknown;
  }

  /** `fail(err)`: "详见 err.code err.message". */
  interface SignFailure {
    code?: string;
    message?: string;
    errMsg?: string;
  }

  interface RequestSignOptions extends SignParams {
    success?(res: SignSuccess): void;
    fail?(err: SignFailure): void;
    complete?(): void;
  }

  /** The module's default export (`import X from '…'` → `X.requestSign`). */
  interface Module {
    requestSign(options: RequestSignOptions): void;
  }
}
