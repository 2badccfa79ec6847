/**
 * LOCAL SANDBOX STAND-IN for the package `@tenpay/wechatpay-miniprogram` (the official amount
 * control, 小程序金额控件). Not the real package, never in a cloud build: the gulp build places it
 * at `miniprogram_npm/@tenpay/wechatpay-miniprogram/` only for PAY_TRANSPORT=local builds (see
 * docs/references/amount-control.md). Its default export mirrors the published
 * `WechatPayMiniProgram.isSupportScanPosPay()`:
 * https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-development.html
 */
import { MIN_CLIENT_VERSION, standInSettings, versionAtLeast } from './settings';

/** Marks this build's copy as the sandbox's, for anyone inspecting miniprogram_npm. */
export const isSandboxStandIn = true;

const standInSdk: WechatPayMiniProgram.Sdk = {
  /** Supported from WeChat 8.0.40 on, the published minimum. */
  isSupportScanPosPay(): Promise<boolean> {
    return Promise.resolve(versionAtLeast(standInSettings().clientVersion, MIN_CLIENT_VERSION));
  },
};

export default standInSdk;
