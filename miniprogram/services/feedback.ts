import type { ApiError } from '../../typings/api';
import { messageForCode } from '../utils/error-messages';

/**
 * Telling the user what happened, with Vant's toast and dialog. A page that uses these puts
 * `<van-toast id="van-toast" />` and/or `<van-dialog id="van-dialog" />` in its WXML (and the two
 * components in its usingComponents); without them we fall back to `wx.showToast`/`wx.showModal`
 * so a message is never lost.
 */

/** A page or component instance (`this` inside Component methods). */
export interface FeedbackContext {
  selectComponent(selector: string): unknown;
}

type ToastType = 'text' | 'success' | 'fail' | 'loading';

interface VantToast {
  (options: { context: FeedbackContext; message: string; type?: ToastType; duration?: number; forbidClick?: boolean; selector?: string }): unknown;
  clear(): void;
}
interface VantDialog {
  (options: {
    context: FeedbackContext;
    title?: string;
    message: string;
    showCancelButton?: boolean;
    confirmButtonText?: string;
    cancelButtonText?: string;
    selector?: string;
  }): Promise<unknown>;
}

// Plain requires of the copied Vant lib (the build copies these folders because they are named here).
const Toast = (require('../miniprogram_npm/@vant/weapp/toast/toast') as { default: VantToast }).default;
const Dialog = (require('../miniprogram_npm/@vant/weapp/dialog/dialog') as { default: VantDialog }).default;

export function showToast(ctx: FeedbackContext, message: string, type: ToastType = 'text', duration = 2000): void {
  if (ctx.selectComponent('#van-toast')) {
    Toast({ context: ctx, message, type, duration, forbidClick: type === 'loading' });
    return;
  }
  wx.showToast({ title: message, icon: type === 'success' ? 'success' : type === 'loading' ? 'loading' : 'none', duration });
}

export function hideToast(ctx: FeedbackContext): void {
  if (ctx.selectComponent('#van-toast')) Toast.clear();
  else wx.hideToast();
}

/** The sentence a user reads for a failed call. */
export function describeError(error: Pick<ApiError, 'code' | 'message'>): string {
  return messageForCode(error.code);
}

export function showError(ctx: FeedbackContext, error: Pick<ApiError, 'code' | 'message'>): void {
  showToast(ctx, describeError(error), 'fail', 3000);
}

/** Ask the user; resolves true on confirm, false on cancel. */
export function confirm(ctx: FeedbackContext, opts: { title?: string; message: string; confirmText?: string; cancelText?: string }): Promise<boolean> {
  if (ctx.selectComponent('#van-dialog')) {
    return Dialog({
      context: ctx,
      title: opts.title,
      message: opts.message,
      showCancelButton: true,
      confirmButtonText: opts.confirmText ?? '确认',
      cancelButtonText: opts.cancelText ?? '取消',
    }).then(
      () => true,
      () => false,
    );
  }
  return new Promise((resolve) => {
    wx.showModal({
      title: opts.title ?? '',
      content: opts.message,
      confirmText: opts.confirmText ?? '确认',
      cancelText: opts.cancelText ?? '取消',
      success: (res) => resolve(res.confirm),
      fail: () => resolve(false),
    });
  });
}

/** Tell the user something that needs acknowledging. */
export function alert(ctx: FeedbackContext, opts: { title?: string; message: string; confirmText?: string }): Promise<void> {
  if (ctx.selectComponent('#van-dialog')) {
    return Dialog({ context: ctx, title: opts.title, message: opts.message, confirmButtonText: opts.confirmText ?? '知道了' }).then(
      () => undefined,
      () => undefined,
    );
  }
  return new Promise((resolve) => {
    wx.showModal({ title: opts.title ?? '', content: opts.message, showCancel: false, confirmText: opts.confirmText ?? '知道了', complete: () => resolve() });
  });
}
