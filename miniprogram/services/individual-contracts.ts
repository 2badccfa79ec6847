/// <reference path="../../typings/miniprogram/individual-contracts.d.ts" />
/**
 * Typed adapter for the individual-payee signing page (seed 000 §2.1.2.2, `requestSign`; the
 * published page's fields, `certSerialNo` included — typings/miniprogram/individual-contracts.d.ts).
 *
 * - Cloud mode: calls the official `@tenpay/wechatpay-miniprogram-individual-contracts` package when
 *   the merchant has installed it (it is not published yet, so its absence is a clear failure, not
 *   a crash).
 * - Local mode: the sandbox gateway plays WeChat's signing page. The tester sees the same choice
 *   (agree / cancel) in a modal and the agreement is POSTed to the sandbox's signing endpoint,
 *   which verifies the server's signature exactly as the real page would.
 *
 * Either way the outcome is only a cue: the seed insists the client's success is not trusted, so
 * the page asks the server (`payee.confirm`) which re-queries the gateway.
 */
import type { PayeeSignParams } from '../../typings/api';
import { httpRequest } from './transport-http';

export const INDIVIDUAL_CONTRACTS_PACKAGE = '@tenpay/wechatpay-miniprogram-individual-contracts';

export type SignOutcome =
  /** The signing page returned success. Unconfirmed until the server says so. */
  | { kind: 'returned' }
  | { kind: 'cancelled' }
  | { kind: 'failed'; code: string; message: string };

export interface ModalChoice {
  confirm: boolean;
}
export interface HttpAnswer {
  statusCode: number;
  data: unknown;
}

export interface SignDeps {
  transport: 'local' | 'cloud';
  /** The local sandbox gateway (local mode only). */
  sandboxUrl: string;
  /** The official module, or undefined when the merchant has not installed it. */
  loadOfficial(): WechatPayIndividualContracts.Module | undefined;
  showModal(options: { title: string; content: string; confirmText: string; cancelText: string }): Promise<ModalChoice>;
  post(url: string, body: unknown): Promise<HttpAnswer>;
}

export interface SignAdapter {
  requestSign(params: PayeeSignParams): Promise<SignOutcome>;
}

export function createSignAdapter(deps: SignDeps): SignAdapter {
  return {
    requestSign(params) {
      return deps.transport === 'local' ? signInSandbox(params, deps) : signWithOfficial(params, deps);
    },
  };
}

function signWithOfficial(params: PayeeSignParams, deps: SignDeps): Promise<SignOutcome> {
  const official = deps.loadOfficial();
  if (!official || typeof official.requestSign !== 'function') {
    return Promise.resolve({ kind: 'failed', code: 'SDK_MISSING', message: `签约组件未安装（${INDIVIDUAL_CONTRACTS_PACKAGE}）` });
  }
  return new Promise<SignOutcome>((resolve) => {
    try {
      official.requestSign({
        ...signingPageFields(params),
        success: () => resolve({ kind: 'returned' }),
        fail: (err) => resolve(mapFailure(err)),
      });
    } catch (error) {
      resolve({ kind: 'failed', code: 'SDK_ERROR', message: error instanceof Error ? error.message : String(error) });
    }
  });
}

/**
 * The request fields of the published requestSign page, each required, `certSerialNo` included
 * (https://pay.weixin.qq.com/doc/v3/merchant/4012739356). Listed one by one so the page gets
 * exactly what the server signed, whichever layout the merchant configured.
 */
export function signingPageFields(params: PayeeSignParams): PayeeSignParams {
  return {
    mchid: params.mchid,
    appid: params.appid,
    package: params.package,
    timeStamp: params.timeStamp,
    nonceStr: params.nonceStr,
    signType: params.signType,
    certSerialNo: params.certSerialNo,
    signature: params.signature,
  };
}

function mapFailure(err: WechatPayIndividualContracts.SignFailure | undefined): SignOutcome {
  const code = err?.code ?? 'SIGN_FAILED';
  const text = `${err?.code ?? ''} ${err?.message ?? ''} ${err?.errMsg ?? ''}`;
  if (/cancel/i.test(text)) return { kind: 'cancelled' };
  return { kind: 'failed', code, message: err?.message ?? err?.errMsg ?? '签约未完成' };
}

async function signInSandbox(params: PayeeSignParams, deps: SignDeps): Promise<SignOutcome> {
  const choice = await deps.showModal({
    title: '个人收款授权（沙箱签约页）',
    content: '授权后，其他用户可以通过本小程序向你付款（打赏、二手交易）。',
    confirmText: '同意授权',
    cancelText: '取消',
  });
  if (!choice.confirm) return { kind: 'cancelled' };
  let answer: HttpAnswer;
  try {
    answer = await deps.post(`${deps.sandboxUrl.replace(/\/+$/, '')}/sandbox/sign`, signingPageFields(params));
  } catch (error) {
    return { kind: 'failed', code: 'SANDBOX_UNREACHABLE', message: error instanceof Error ? error.message : '沙箱签约页无法访问' };
  }
  if (answer.statusCode >= 200 && answer.statusCode < 300) return { kind: 'returned' };
  const body = (answer.data ?? {}) as { code?: unknown; message?: unknown };
  return {
    kind: 'failed',
    code: typeof body.code === 'string' ? body.code : `HTTP_${answer.statusCode}`,
    message: typeof body.message === 'string' ? body.message : '签约未完成',
  };
}

/** The module if installed; mini-program `require` throws for a package that is not built. */
export function loadOfficialModule(): WechatPayIndividualContracts.Module | undefined {
  try {
    const loaded = require(INDIVIDUAL_CONTRACTS_PACKAGE) as { default?: WechatPayIndividualContracts.Module } & Partial<WechatPayIndividualContracts.Module>;
    if (loaded && typeof loaded.requestSign === 'function') return loaded as WechatPayIndividualContracts.Module;
    if (loaded && loaded.default && typeof loaded.default.requestSign === 'function') return loaded.default;
    return undefined;
  } catch {
    return undefined;
  }
}

/** Deps over the real `wx` API. */
export function wxSignDeps(options: { transport: 'local' | 'cloud'; sandboxUrl: string }): SignDeps {
  return {
    transport: options.transport,
    sandboxUrl: options.sandboxUrl,
    loadOfficial: loadOfficialModule,
    showModal: (modal) =>
      new Promise((resolve) => {
        wx.showModal({
          ...modal,
          success: (res) => resolve({ confirm: Boolean(res.confirm) }),
          fail: () => resolve({ confirm: false }),
        });
      }),
    post: (url, body) => httpRequest({ url, method: 'POST', data: body as Record<string, unknown> }),
  };
}
