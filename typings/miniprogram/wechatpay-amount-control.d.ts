/**
 * The official WeChat Pay mini-program amount control (小程序金额控件, seed 004), typed from the
 * published pages — NOT a plugin, but the open tag `<wechatpay-payment>` of the npm package
 * `@tenpay/wechatpay-miniprogram`:
 *
 * - 小程序金额控件介绍 (tag attributes, the three events and their `detail`):
 *   https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-api.html
 * - 小程序金额控件开发指引 (`npm install -S @tenpay/wechatpay-miniprogram`, registration in the page
 *   json, `WechatPayMiniProgram.isSupportScanPosPay()`, WeChat ≥ 8.0.40):
 *   https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-development.html
 * - the web variant (`<wx-payment>`, events `pay-touch` / `pay-sucess` / `pay-fail`, same 30 s rule):
 *   https://pay.weixin.qq.com/doc/v3/partner/4012166213
 *
 * Only `miniprogram/services/amount-control.ts` and `pages/checkout` touch these shapes.
 * docs/references/amount-control.md lists what the pages say and what they leave open.
 */
declare namespace WechatPayMiniProgram {
  /**
   * What `orderCompleteCallback` takes and `onPaySuccess` hands back: the page's example shows
   * `appId`, `timeStamp`, `nonceStr`, `package` (`prepay_id=…`) — the fields of the mini-program
   * invoke whose pay sign covers `appId\ntimeStamp\nnonceStr\npackage\n`. The visible example stops
   * after `package`; `signType` and `paySign` are the rest of that invoke (the cashier cannot open
   * without the signature), so we pass them as `wx.requestPayment` takes them.
   */
  interface OrderInfo {
    appId: string;
    timeStamp: string;
    nonceStr: string;
    package: string;
    signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
    paySign: string;
  }

  /** `detail` of `onPayTouch` (点击付款事件). Example from the page: `{"amount": 12.34, "orderCompleteCallback": Function}`. */
  interface PayTouchDetail {
    /** What the user typed, in YUAN, as a Number (12.34) — never fen. */
    amount: number;
    /**
     * Call once the order exists, with its order info, to open the cashier. Not called within 30 s
     * of `onPayTouch` → the control fails the payment: `onPayFailed` with `retcode: 'OrderTimeout'`.
     * The page defines no way to refuse a touch: not calling it is the only "no".
     */
    orderCompleteCallback(orderInfo: OrderInfo): void;
  }

  /** `detail` of `onPaySuccess` (支付成功事件): the `orderInfo` given to `orderCompleteCallback`. */
  interface PaySuccessDetail {
    orderInfo: OrderInfo;
  }

  /** `detail` of `onPayFailed` (支付失败事件). The page names one `retcode`: `OrderTimeout`. */
  interface PayFailedDetail {
    retcode: string;
    [key: string]: unknown;
  }

  /** The `retcode` of a pay-touch the merchant did not answer within 30 s. */
  type OrderTimeoutRetcode = 'OrderTimeout';

  interface Event<D> {
    detail: D;
  }

  /** The package's default export (`import WechatPayMiniProgram from '@tenpay/wechatpay-miniprogram'`). */
  interface Sdk {
    /** Whether this WeChat client can show the control (true) or the page must use its own amount input (false). */
    isSupportScanPosPay(): Promise<boolean>;
  }
}
