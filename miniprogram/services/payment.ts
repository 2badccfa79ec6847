/**
 * `wx.requestPayment` as a Promise of what the user did. In the cloud it is the real cashier; with
 * the local transport the tester picks the outcome in an action sheet and we tell the sandbox
 * gateway, which then sends the same notification WeChat Pay would. Either way the outcome is only
 * what the CLIENT saw: the paid state comes from `pay.query`, never from here.
 */
import type { ClientPaymentParams, RequestPaymentParams } from '../../typings/api';
import { env } from './env';
import { httpRequest } from './transport-http';
import { cashierParamsOf, huifuCashierParamsOf, unsupportedPaymentReason } from './payment-kinds';

export type PaymentOutcome = { kind: 'paid' } | { kind: 'cancelled' } | { kind: 'failed'; reason: string };

/**
 * Opens the cashier the parameters are for: the mini-program cashier with our own parameters or
 * with the ones Huifu's `pay_info` carries (locally: the Huifu sandbox's cashier). APP parameters
 * (the OpenSDK's PayReq) and a `pay_info` without them are refused with a clear reason, never
 * passed to `wx.requestPayment` half-understood.
 */
export function requestPayment(params: ClientPaymentParams): Promise<PaymentOutcome> {
  switch (params.kind) {
    case 'miniprogram': {
      const cashier = cashierParamsOf(params);
      return env.transport === 'local' ? localCashier(cashier) : wechatCashier(cashier);
    }
    case 'huifu': {
      const cashier = huifuCashierParamsOf(params.payInfo);
      if (!cashier) return Promise.resolve({ kind: 'failed', reason: unsupportedPaymentReason('huifu') });
      return env.transport === 'local' ? localCashier(cashier, env.huifuSandboxUrl) : wechatCashier(cashier);
    }
    case 'app':
      return Promise.resolve({ kind: 'failed', reason: unsupportedPaymentReason(params.kind) });
  }
}

function wechatCashier(params: RequestPaymentParams): Promise<PaymentOutcome> {
  return new Promise((resolve) => {
    wx.requestPayment({
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType,
      paySign: params.paySign,
      success: () => resolve({ kind: 'paid' }),
      fail: (err: { errMsg?: string }) => resolve(outcomeOfFail(err.errMsg)),
    });
  });
}

/** `requestPayment:fail cancel` is the user closing the cashier; every other fail is a failure. */
export function outcomeOfFail(errMsg: string | undefined): PaymentOutcome {
  const message = errMsg ?? '';
  if (/cancel/i.test(message)) return { kind: 'cancelled' };
  return { kind: 'failed', reason: message.replace(/^requestPayment:fail\s*/, '') || '支付失败' };
}

/** The local cashier's choices, in action-sheet order, and the sandbox action each one posts. */
export const LOCAL_CASHIER_CHOICES = [
  { label: '支付', action: 'pay' },
  { label: '取消', action: 'cancel' },
  { label: '余额不足', action: 'fail' },
] as const;

type CashierAction = (typeof LOCAL_CASHIER_CHOICES)[number]['action'];

/** `prepay_id=wx123…` → `wx123…`; undefined when the package is not a prepay id. */
export function prepayIdOf(pkg: string): string | undefined {
  const match = /^prepay_id=([^&\s]+)$/.exec(pkg);
  return match ? match[1] : undefined;
}

/**
 * The local build's cashier: the tester picks pay / cancel / fail in an action sheet and the sandbox
 * gateway hears it (with the pay sign, which it verifies). Also what the sandbox's stand-in for the
 * official amount control opens after `orderCompleteCallback`.
 */
export async function localCashier(params: RequestPaymentParams, sandboxUrl: string = env.sandboxUrl): Promise<PaymentOutcome> {
  const prepayId = prepayIdOf(params.package);
  if (!prepayId) return { kind: 'failed', reason: '支付参数无效' };
  const action = await chooseInLocalCashier();
  const answer = await postToSandbox(sandboxUrl, prepayId, action, params);
  if (action === 'cancel') return { kind: 'cancelled' }; // the user's choice stands even if the sandbox did not hear it
  if (!answer.ok) return { kind: 'failed', reason: answer.reason };
  return action === 'pay' ? { kind: 'paid' } : { kind: 'failed', reason: '余额不足' };
}

function chooseInLocalCashier(): Promise<CashierAction> {
  return new Promise((resolve) => {
    wx.showActionSheet({
      alertText: '本地沙箱收银台',
      itemList: LOCAL_CASHIER_CHOICES.map((choice) => choice.label),
      success: (res) => resolve(LOCAL_CASHIER_CHOICES[res.tapIndex]?.action ?? 'cancel'),
      fail: () => resolve('cancel'), // dismissing the sheet is closing the cashier
    });
  });
}

/**
 * The sandbox cashier of the API version that signed the parameters: APIv3 signs RSA, APIv2 MD5 or
 * HMAC-SHA256 (its cashier checks the v2 pay-sign, sandbox/gateway/v2/clients.ts).
 */
export function cashierPathOf(params: RequestPaymentParams): string {
  return params.signType === 'RSA' ? '/sandbox/cashier/' : '/sandbox/v2/cashier/';
}

/** The sandbox cashier verifies the pay sign like WeChat does, so it gets the full invoke parameters. */
async function postToSandbox(sandboxUrl: string, prepayId: string, action: CashierAction, params: RequestPaymentParams): Promise<{ ok: true } | { ok: false; reason: string }> {
  let answer;
  try {
    answer = await httpRequest({ url: `${sandboxUrl}${cashierPathOf(params)}${encodeURIComponent(prepayId)}/${action}`, method: 'POST', data: { ...params } });
  } catch {
    return { ok: false, reason: '无法连接本地收银台' };
  }
  if (answer.statusCode >= 200 && answer.statusCode < 300) return { ok: true };
  return { ok: false, reason: reasonOf(answer.data) ?? `收银台返回 ${answer.statusCode}` };
}

function reasonOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'message' in body && typeof (body as { message: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return undefined;
}
