/// <reference path="../../typings/miniprogram/wechatpay-amount-control.d.ts" />
/**
 * Adapter to the official WeChat Pay amount control (seed 004). The control waits at most ~30 s for
 * the cashier data after its pay-touch; we answer within our own, shorter deadline or tell it we
 * could not, so the user never stares at a control that silently gave up. On clients without the
 * plugin the checkout page shows our own `amount-keypad` instead.
 */
import type { RequestPaymentParams } from '../../typings/api';

/** The alias a merchant gives the plugin in app.json `plugins`. */
export const WECHATPAY_AMOUNT_CONTROL_ALIAS = 'wechatpay-amount-control';
/** How long the official control waits for the cashier data (seed 004: "about 30 s"). */
export const CONTROL_WAIT_MS = 30_000;
/** Our deadline: a margin under the control's, for the answer to travel back to it. */
export const ANSWER_DEADLINE_MS = 27_000;

export type AmountControlSupport =
  | { available: true; plugin: WechatPayAmountControl.PluginModule }
  | { available: false; reason: 'DISABLED' | 'OLD_CLIENT' | 'PLUGIN_MISSING' | 'UNSUPPORTED' };

export interface DetectDeps {
  /** Whether the merchant turned the control on (config); off means we never touch the plugin. */
  enabled: boolean;
  alias?: string;
  /** `wx.canIUse`, absent on very old clients. */
  canIUse?: (schema: string) => boolean;
  /** The global `requirePlugin`, absent or throwing when the plugin is not declared/available. */
  requirePlugin?: (alias: string) => unknown;
}

/** Feature-detect the control. Never throws: every failure is a reason to fall back to our keypad. */
export function detectAmountControl(deps: DetectDeps): AmountControlSupport {
  if (!deps.enabled) return { available: false, reason: 'DISABLED' };
  // Plugins need base library ≥ 1.9.6; canIUse itself is a sign of a client new enough to ask.
  if (!deps.canIUse || !deps.canIUse('plugin')) return { available: false, reason: 'OLD_CLIENT' };
  if (!deps.requirePlugin) return { available: false, reason: 'PLUGIN_MISSING' };
  let plugin: unknown;
  try {
    plugin = deps.requirePlugin(deps.alias ?? WECHATPAY_AMOUNT_CONTROL_ALIAS);
  } catch {
    return { available: false, reason: 'PLUGIN_MISSING' };
  }
  if (plugin === null || typeof plugin !== 'object') return { available: false, reason: 'PLUGIN_MISSING' };
  const module = plugin as WechatPayAmountControl.PluginModule;
  if (typeof module.isSupported === 'function') {
    let supported = false;
    try {
      supported = module.isSupported();
    } catch {
      supported = false;
    }
    if (!supported) return { available: false, reason: 'UNSUPPORTED' };
  }
  return { available: true, plugin: module };
}

/** What creating the order for one pay-touch produced. */
export type CreateForControl<O> =
  | { ok: true; order: O; params: RequestPaymentParams }
  | { ok: false; message: string };

export type PayTouchOutcome<O> =
  /** The control got its cashier data in time. */
  | { kind: 'answered'; order: O }
  /** The create failed; the control was told why. */
  | { kind: 'refused'; message: string }
  /** Our deadline passed first; the control was told, and a late order (if any) is never handed to it. */
  | { kind: 'timeout'; lateOrder: Promise<O | undefined> };

export interface TimerDeps {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerDeps = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

export const TIMEOUT_MESSAGE = '下单超时，请重新输入金额付款';

/**
 * Answer one pay-touch: create the order and respond exactly once — with the cashier data if the
 * create finishes before `deadlineMs`, otherwise with a timeout refusal. A create that throws is a
 * refusal with its message.
 */
export function answerPayTouch<O>(
  detail: WechatPayAmountControl.PayTouchDetail,
  create: (amount: number) => Promise<CreateForControl<O>>,
  options: { deadlineMs?: number; timers?: TimerDeps } = {},
): Promise<PayTouchOutcome<O>> {
  const timers = options.timers ?? realTimers;
  const deadlineMs = Math.min(options.deadlineMs ?? ANSWER_DEADLINE_MS, CONTROL_WAIT_MS);
  const created = (async (): Promise<CreateForControl<O>> => {
    try {
      return await create(detail.amount);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  })();

  return new Promise<PayTouchOutcome<O>>((resolve) => {
    let answered = false;
    const timer = timers.setTimeout(() => {
      if (answered) return;
      answered = true;
      detail.respond({ ok: false, message: TIMEOUT_MESSAGE });
      resolve({ kind: 'timeout', lateOrder: created.then((result) => (result.ok ? result.order : undefined)) });
    }, deadlineMs);

    void created.then((result) => {
      if (answered) return;
      answered = true;
      timers.clearTimeout(timer);
      if (result.ok) {
        detail.respond({ ok: true, params: result.params });
        resolve({ kind: 'answered', order: result.order });
      } else {
        detail.respond({ ok: false, message: result.message });
        resolve({ kind: 'refused', message: result.message });
      }
    });
  });
}
