/// <reference path="../../typings/miniprogram/wechatpay-amount-control.d.ts" />
/**
 * Adapter to the official WeChat Pay amount control, the open tag `<wechatpay-payment>` of
 * `@tenpay/wechatpay-miniprogram` (小程序金额控件介绍:
 * https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-api.html).
 *
 * The control hands us `onPayTouch` `{ amount (yuan, Number), orderCompleteCallback }` and waits:
 * we turn the yuan into fen exactly, create the order, and call `orderCompleteCallback(orderInfo)`
 * to open the cashier. If we have not called it 30 s after the touch, the control fails the
 * payment itself (`onPayFailed`, `retcode: 'OrderTimeout'`). The page defines no refusal: when the
 * amount is refused or the create fails, we never call the callback, show our own error, and the
 * control ends the touch with OrderTimeout. Clients without the control keep our `amount-keypad`.
 */
import type { ClientPaymentParams, MiniProgramPaymentParams } from '../../typings/api';
import { unsupportedPaymentReason } from './payment-kinds';
import { yuanAmountToFen, type YuanAmountResult } from '../utils/money';

/** How long the control waits for `orderCompleteCallback` after `onPayTouch` (published: 30 秒). */
export const CONTROL_WAIT_MS = 30_000;
/** The `retcode` of `onPayFailed` when that wait ran out (published). */
export const ORDER_TIMEOUT_RETCODE: WechatPayMiniProgram.OrderTimeoutRetcode = 'OrderTimeout';
/** Where the build places the package (stand-in in local builds): see gulpfile's amount-control step. */
export const AMOUNT_CONTROL_PACKAGE = '@tenpay/wechatpay-miniprogram';
/** If `isSupportScanPosPay()` has not answered by then, the page falls back to the keypad. */
export const DETECT_DEADLINE_MS = 3_000;

export type AmountControlSupport =
  | { available: true }
  | { available: false; reason: 'NOT_INSTALLED' | 'UNSUPPORTED' | 'ERROR' | 'NO_ANSWER' };

export interface TimerDeps {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerDeps = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * The package's default export, or undefined when the build has none (a cloud build without the
 * merchant's copy of the package). A plain relative require of the copied package, like Vant's.
 */
export function loadAmountControlSdk(): WechatPayMiniProgram.Sdk | undefined {
  try {
    const mod = require('../miniprogram_npm/@tenpay/wechatpay-miniprogram/index') as { default?: unknown } | undefined;
    const sdk = (mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod) as WechatPayMiniProgram.Sdk | undefined;
    return sdk && typeof sdk.isSupportScanPosPay === 'function' ? sdk : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Feature-detect the control the way the published page says: `await isSupportScanPosPay()`.
 * Never throws and never hangs: any failure, or no answer within `deadlineMs`, means the keypad.
 */
export function detectAmountControl(
  sdk: WechatPayMiniProgram.Sdk | undefined,
  options: { deadlineMs?: number; timers?: TimerDeps } = {},
): Promise<AmountControlSupport> {
  if (!sdk) return Promise.resolve({ available: false, reason: 'NOT_INSTALLED' });
  const timers = options.timers ?? realTimers;
  return new Promise<AmountControlSupport>((resolve) => {
    let settled = false;
    const settle = (support: AmountControlSupport) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      resolve(support);
    };
    const timer = timers.setTimeout(() => settle({ available: false, reason: 'NO_ANSWER' }), options.deadlineMs ?? DETECT_DEADLINE_MS);
    let asked: Promise<boolean>;
    try {
      asked = Promise.resolve(sdk.isSupportScanPosPay());
    } catch {
      settle({ available: false, reason: 'ERROR' });
      return;
    }
    asked.then(
      (supported) => settle(supported === true ? { available: true } : { available: false, reason: 'UNSUPPORTED' }),
      () => settle({ available: false, reason: 'ERROR' }),
    );
  });
}

/** Our pay-sign parameters plus the mini-program's appid: the control's `orderInfo`. */
export function orderInfoFrom(appId: string, payment: MiniProgramPaymentParams): WechatPayMiniProgram.OrderInfo {
  return {
    appId,
    timeStamp: payment.timeStamp,
    nonceStr: payment.nonceStr,
    package: payment.package,
    signType: payment.signType,
    paySign: payment.paySign,
  };
}

/** What creating the order for one pay-touch produced. */
export type CreateForControl<O> = { ok: true; order: O; payment: ClientPaymentParams } | { ok: false; message: string };

export type PayTouchOutcome<O> =
  /** The amount was refused before any order was created (NaN, 3 decimals, above the maximum, …). */
  | { kind: 'invalid'; refusal: Extract<YuanAmountResult, { ok: false }> }
  /** `orderCompleteCallback` was called with the order's info: the control opens the cashier. */
  | { kind: 'answered'; order: O; orderInfo: WechatPayMiniProgram.OrderInfo }
  /** The create failed; the control has no refusal path and will end the touch with OrderTimeout. */
  | { kind: 'refused'; message: string }
  /** The control reported a failure (OrderTimeout) before the order was ready: it is never answered. */
  | { kind: 'control-failed'; retcode: string; lateOrder: Promise<O | undefined> };

/** One pay-touch being answered. */
export interface PayTouch<O> {
  readonly fen?: number;
  readonly outcome: Promise<PayTouchOutcome<O>>;
  /** The control's `onPayFailed` arrived: whatever happens later, the callback is not called. */
  controlFailed(retcode: string): void;
}

export interface AnswerDeps<O> {
  /** Largest amount in fen (PAY_MAX_AMOUNT_FEN); the server keeps its own limit too. */
  maxFen: number;
  /** The mini-program's appid (the one the pay sign covers). */
  appId: string;
  /** Create (or find, by idempotency key) the order for this many fen. */
  create(fen: number): Promise<CreateForControl<O>>;
}

/**
 * Answer one `onPayTouch`: refuse a bad amount before anything is created, otherwise create the
 * order and call `orderCompleteCallback` exactly once — unless the control has already failed the
 * touch (then a late order is handed back as `lateOrder`, never to the control).
 */
export function answerPayTouch<O>(detail: WechatPayMiniProgram.PayTouchDetail, deps: AnswerDeps<O>): PayTouch<O> {
  const converted = yuanAmountToFen(detail.amount, deps.maxFen);
  if (!converted.ok) {
    return { outcome: Promise.resolve({ kind: 'invalid', refusal: converted }), controlFailed: () => undefined };
  }
  let reportFailure: (retcode: string) => void = () => undefined;
  let failedWith: string | undefined;
  const failure = new Promise<string>((resolve) => {
    reportFailure = resolve;
  });
  const created = (async (): Promise<CreateForControl<O>> => {
    try {
      return await deps.create(converted.fen);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  })();

  const outcome = Promise.race([
    created.then((result) => ({ from: 'create' as const, result })),
    failure.then((retcode) => ({ from: 'control' as const, retcode })),
  ]).then((first): PayTouchOutcome<O> => {
    if (first.from === 'control' || failedWith !== undefined) {
      return { kind: 'control-failed', retcode: failedWith ?? '', lateOrder: created.then((r) => (r.ok ? r.order : undefined)) };
    }
    const result = first.result;
    if (!result.ok) return { kind: 'refused', message: result.message };
    // The control opens the mini-program cashier only.
    if (result.payment.kind !== 'miniprogram') return { kind: 'refused', message: unsupportedPaymentReason(result.payment.kind) };
    const orderInfo = orderInfoFrom(deps.appId, result.payment);
    detail.orderCompleteCallback(orderInfo);
    return { kind: 'answered', order: result.order, orderInfo };
  });

  return {
    fen: converted.fen,
    outcome,
    controlFailed(retcode: string) {
      if (failedWith !== undefined) return;
      failedWith = retcode;
      reportFailure(retcode);
    },
  };
}
