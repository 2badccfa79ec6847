/**
 * Typed adapter for PayScore's confirmation page (acquiring-bank front end, "小程序调起支付分-确认订单":
 * https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-confirm-order/miniprogram-calls-confirm-order.html).
 *
 * - Cloud builds: `wx.openBusinessView({businessType: 'wxpayScoreUse', extraData: {package}})`
 *   (base library ≥ 2.6.0, WeChat ≥ 7.0.3); without it, the page's second way,
 *   `wx.navigateToMiniProgram({appId: 'wxd8f3793ea3b935b8', path: 'pages/use/use', extraData})`;
 *   without either, "引导用户升级微信版本" (`unsupported`).
 * - Local builds: the sandbox gateway plays PayScore's page (as `/sandbox/sign` does for payees):
 *   the tester sees the same choice in a modal and it is POSTed to `/sandbox/payscore/confirm`.
 *
 * The outcome is only a cue: the page asks the server (`payscore.query`), which asks the gateway.
 */
import type { PayScoreConfirmParams } from '../../../typings/api';
import { httpRequest } from '../../services/transport-http';

/** PayScore's own mini-program (the published `navigateToMiniProgram` fallback). */
export const PAYSCORE_APPID = 'wxd8f3793ea3b935b8';
export const PAYSCORE_PATH = 'pages/use/use';

export type ConfirmOutcome =
  /** The user came back from PayScore (confirmed or not: ask the server). */
  | { kind: 'returned' }
  /** The client can open neither: the user must upgrade WeChat. */
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

interface WxOpenOptions {
  success?: (res: unknown) => void;
  fail?: (err: { errMsg?: string }) => void;
}

export interface ConfirmDeps {
  transport: 'local' | 'cloud';
  sandboxUrl: string;
  openBusinessView?: (options: { businessType: 'wxpayScoreUse'; extraData: { package: string } } & WxOpenOptions) => void;
  navigateToMiniProgram?: (options: { appId: string; path: string; extraData: { package: string } } & WxOpenOptions) => void;
  showModal(options: { title: string; content: string; confirmText: string; cancelText: string }): Promise<{ confirm: boolean }>;
  post(url: string, body: unknown): Promise<{ statusCode: number; data: unknown }>;
}

export function openPayScoreConfirm(params: PayScoreConfirmParams, deps: ConfirmDeps): Promise<ConfirmOutcome> {
  return deps.transport === 'local' ? confirmInSandbox(params, deps) : confirmInWechat(params, deps);
}

function confirmInWechat(params: PayScoreConfirmParams, deps: ConfirmDeps): Promise<ConfirmOutcome> {
  const extraData = { package: params.extraData.package };
  return new Promise<ConfirmOutcome>((resolve) => {
    const success = () => resolve({ kind: 'returned' });
    const fail = (err: { errMsg?: string }) => resolve({ kind: 'failed', message: err?.errMsg ?? '未能打开微信支付分' });
    if (typeof deps.openBusinessView === 'function') deps.openBusinessView({ businessType: params.businessType, extraData, success, fail });
    else if (typeof deps.navigateToMiniProgram === 'function') deps.navigateToMiniProgram({ appId: PAYSCORE_APPID, path: PAYSCORE_PATH, extraData, success, fail });
    else resolve({ kind: 'unsupported' });
  });
}

async function confirmInSandbox(params: PayScoreConfirmParams, deps: ConfirmDeps): Promise<ConfirmOutcome> {
  const choice = await deps.showModal({
    title: '微信支付分（沙箱确认页）',
    content: '先享后付：服务结束后按实际费用扣款，扣款不超过风险金。确认使用？',
    confirmText: '确认订单',
    cancelText: '暂不使用',
  });
  try {
    const answer = await deps.post(`${deps.sandboxUrl.replace(/\/+$/, '')}/sandbox/payscore/confirm`, { package: params.extraData.package, decision: choice.confirm ? 'confirm' : 'refuse' });
    if (answer.statusCode >= 200 && answer.statusCode < 300) return { kind: 'returned' };
    const body = (answer.data ?? {}) as { message?: unknown };
    return { kind: 'failed', message: typeof body.message === 'string' ? body.message : `HTTP ${answer.statusCode}` };
  } catch (error) {
    return { kind: 'failed', message: error instanceof Error ? error.message : '沙箱确认页无法访问' };
  }
}

/** Deps over the real `wx` API (`openBusinessView` is missing on old clients: looked up at call time). */
export function wxConfirmDeps(options: { transport: 'local' | 'cloud'; sandboxUrl: string }): ConfirmDeps {
  const w = wx as unknown as Pick<ConfirmDeps, 'openBusinessView' | 'navigateToMiniProgram'>;
  return {
    transport: options.transport,
    sandboxUrl: options.sandboxUrl,
    ...(typeof w.openBusinessView === 'function' ? { openBusinessView: (o) => w.openBusinessView!(o) } : {}),
    ...(typeof w.navigateToMiniProgram === 'function' ? { navigateToMiniProgram: (o) => w.navigateToMiniProgram!(o) } : {}),
    showModal: (modal) =>
      new Promise((resolve) => {
        wx.showModal({ ...modal, success: (res) => resolve({ confirm: Boolean(res.confirm) }), fail: () => resolve({ confirm: false }) });
      }),
    post: (url, body) => httpRequest({ url, method: 'POST', data: body as Record<string, unknown> }),
  };
}
