/**
 * The front-end package of 平台收付通 个人收款 (seed 000 §2.1.2.2):
 * `@tenpay/wechatpay-miniprogram-individual-contracts`, not published on npm yet ("暂未发布，后续更新").
 * Typed from the seed's sample call:
 *
 *   WeChatPayIndividualContracts.requestSign({ mchid, appid, timeStamp, nonceStr,
 *     package: 'openid=…&permissionType=INDIVIDUAL_PAYEE', signType: 'RSA', signature,
 *     success(res) {}, fail(err) { err.code; err.message }, complete() {} })
 *
 * The seed says the success payload equals the server-side authorization query's answer, but must
 * not be trusted: the page only uses it as a cue to ask the server (`payee.confirm`). Only
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
