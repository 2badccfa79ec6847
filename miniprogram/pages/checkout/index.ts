/// <reference path="../../../typings/miniprogram/wechatpay-amount-control.d.ts" />
/**
 * Checkout: an amount → `pay.create` → cashier → result page. The amount comes from the official
 * amount control `<wechatpay-payment>` where this client supports it (its `onPayTouch` hands us
 * yuan and waits for `orderCompleteCallback`, see services/amount-control.ts), otherwise from our
 * `amount-keypad` (fen) and `wx.requestPayment`. One idempotency key per attempt, reused by
 * "retry", so a create whose answer was lost returns the same order instead of a second one. A
 * cancelled keypad payment keeps its order and payment parameters: "pay again" reopens the cashier
 * without creating anything until it expires.
 */
import type { ApiError, ClientPaymentParams, OrderView, PayCreateRequest } from '../../../typings/api';
import { call } from '../../services/api';
import {
  answerPayTouch,
  detectAmountControl,
  loadAmountControlSdk,
  ORDER_TIMEOUT_RETCODE,
  type CreateForControl,
  type PayTouch,
} from '../../services/amount-control';
import { checkoutChannel, env } from '../../services/env';
import { requestPayment } from '../../services/payment';
import { isRetryable, messageForCode } from '../../utils/error-messages';
import { newIdempotencyKey } from '../../utils/idempotency';
import { formatFen } from '../../utils/money';
import { formatDateTime } from '../../utils/order-view';
import { componentWithFields } from '../../utils/component';

type Phase = 'input' | 'creating' | 'paying' | 'cancelled' | 'failed' | 'error';
/** Where the amount comes from: the official control, our keypad, or not decided yet. */
type InputMode = 'detecting' | 'control' | 'keypad';

/** One checkout attempt: an amount and the key that makes its create idempotent. */
interface Attempt {
  amount: number;
  idempotencyKey: string;
  order?: OrderView;
  payment?: ClientPaymentParams;
  /** The cashier reported a failure: the gateway may have marked the order failed, so never reuse it. */
  failed?: boolean;
}

interface CheckoutFields {
  attempt?: Attempt;
  payeeCode?: string;
  inFlight?: boolean;
  /** The amount control's pay-touch we are answering or whose payment is open. */
  touch?: PayTouch<OrderView>;
}

const RESULT_PAGE = '/pages/result/index';

componentWithFields<CheckoutFields>()({
  data: {
    merchantName: '',
    description: '',
    payeeName: '',
    payeeError: '',
    maxAmount: 0,
    phase: 'input' as Phase,
    message: '',
    retryable: false,
    busy: false,
    amountText: '',
    payText: '付款',
    inputMode: 'detecting' as InputMode,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.payeeCode = query.payeeCode ? decodeURIComponent(query.payeeCode) : undefined;
      this.setData({
        merchantName: env.merchantName,
        description: env.defaultDescription,
        maxAmount: env.maxAmountFen,
        // The control belongs to 扫码支付 (WeChat Pay JSAPI orders, seed 004); payments to a payee
        // (combine) and through Huifu (its pay_info is not an order the control is published to take) keep the keypad.
        inputMode: this.payeeCode || checkoutChannel() === 'huifu' ? 'keypad' : 'detecting',
      });
      if (this.payeeCode) void this.loadPayee(this.payeeCode);
      else if (checkoutChannel() !== 'huifu') void this.chooseAmountInput();
    },

    /** The control where `isSupportScanPosPay()` says yes (published feature check), the keypad otherwise. */
    async chooseAmountInput() {
      const support = await detectAmountControl(loadAmountControlSdk());
      this.setData({ inputMode: support.available ? 'control' : 'keypad' });
    },

    async loadPayee(shareCode: string) {
      const res = await call('payee.card', { shareCode });
      if (!res.ok) {
        this.setData({ payeeError: messageForCode(res.code) });
        return;
      }
      this.setData({
        payeeName: res.data.displayName,
        payeeError: res.data.canReceive ? '' : `${res.data.displayName} 暂不能收款`,
      });
    },

    onKeypadChange() {
      // A new amount is a new attempt; a previous error or cancellation no longer applies.
      if (this.data.phase === 'error' || this.data.phase === 'cancelled' || this.data.phase === 'failed') {
        this.setData({ phase: 'input', message: '' });
      }
    },

    onKeypadPay(event: WechatMiniprogram.CustomEvent<{ amount: number }>) {
      void this.checkout(event.detail.amount);
    },

    /** Pay `amount` (fen) from the keypad. */
    async checkout(amount: number) {
      if (this.inFlight || this.data.payeeError) return;
      this.attempt = this.attemptFor(amount);
      await this.createAndPay();
    },

    /** Same amount as a pending attempt reuses its order (same key); a new amount or a failed attempt starts anew. */
    attemptFor(amount: number): Attempt {
      const attempt = this.attempt;
      if (attempt && attempt.amount === amount && !attempt.failed) return attempt;
      return { amount, idempotencyKey: newIdempotencyKey() };
    },

    onRetry() {
      void this.createAndPay();
    },

    onPayAgain() {
      const attempt = this.attempt;
      if (!attempt || this.inFlight) return;
      if (!attempt.failed && attempt.payment && attempt.order && Date.parse(attempt.order.expiresAt) > Date.now()) {
        void this.pay(attempt);
        return;
      }
      // Expired or failed: the old order can no longer be paid; a fresh key creates a new one.
      this.attempt = { amount: attempt.amount, idempotencyKey: newIdempotencyKey() };
      void this.createAndPay();
    },

    onViewOrder() {
      const order = this.attempt?.order;
      if (order) wx.navigateTo({ url: `${RESULT_PAGE}?outTradeNo=${encodeURIComponent(order.outTradeNo)}` });
    },

    async createAndPay() {
      const attempt = this.attempt;
      if (!attempt || this.inFlight) return;
      const created = await this.create(attempt);
      if (!created) return;
      if (created.order.state === 'PAID') {
        this.goToResult(created.order); // a retried create of an order already paid
        return;
      }
      if (!created.payment) {
        this.showError({ ok: false, code: 'INVALID_STATE', message: 'order cannot be paid', retryable: false }, '订单已失效，请重新输入金额');
        this.attempt = undefined;
        return;
      }
      await this.pay(attempt);
    },

    /** `pay.create` for the attempt; stores the order on it. Undefined (error shown) on failure. */
    async create(attempt: Attempt): Promise<{ order: OrderView; payment?: ClientPaymentParams } | undefined> {
      this.inFlight = true;
      this.setData({ phase: 'creating', busy: true, message: '', amountText: formatFen(attempt.amount) });
      const request: PayCreateRequest = this.payeeCode
        ? { channel: 'combine', amount: attempt.amount, idempotencyKey: attempt.idempotencyKey, payeeCode: this.payeeCode }
        : { channel: checkoutChannel(), amount: attempt.amount, idempotencyKey: attempt.idempotencyKey };
      const description = this.data.description;
      if (description) request.description = description;
      const res = await call('pay.create', request);
      this.inFlight = false;
      if (!res.ok) {
        this.showError(res);
        return undefined;
      }
      attempt.order = res.data.order;
      attempt.payment = res.data.payment;
      return res.data;
    },

    async pay(attempt: Attempt) {
      if (!attempt.payment || !attempt.order) return;
      this.inFlight = true;
      this.setData({ phase: 'paying', busy: true, message: '' });
      const outcome = await requestPayment(attempt.payment);
      this.inFlight = false;
      if (outcome.kind === 'paid') {
        // Only a hint: the result page asks the server whether the money arrived.
        this.goToResult(attempt.order);
        return;
      }
      if (outcome.kind === 'failed') attempt.failed = true;
      const until = formatDateTime(attempt.order.expiresAt).slice(11);
      this.setData({
        busy: false,
        phase: outcome.kind === 'cancelled' ? 'cancelled' : 'failed',
        message:
          outcome.kind === 'cancelled'
            ? `已取消支付，订单保留至 ${until}，可再次支付`
            : `支付未成功：${outcome.reason}`,
      });
    },

    goToResult(order: OrderView) {
      this.setData({ busy: false });
      wx.redirectTo({ url: `${RESULT_PAGE}?outTradeNo=${encodeURIComponent(order.outTradeNo)}` });
    },

    showError(error: ApiError, text?: string) {
      this.setData({
        phase: 'error',
        busy: false,
        message: text ?? messageForCode(error.code),
        retryable: isRetryable(error),
      });
    },

    /**
     * The control's 点击付款 (`bind:onPayTouch`): `detail.amount` is yuan. Refuse a bad amount before
     * anything is created, else create the order and hand its info to `orderCompleteCallback`.
     * There is no refusal path: on a refused amount or a failed create we show why, and the control
     * ends the touch itself with OrderTimeout (shown by onPayFailed, which keeps our reason).
     */
    async onPayTouch(event: WechatPayMiniProgram.Event<WechatPayMiniProgram.PayTouchDetail>) {
      if (this.inFlight || this.touch) return; // one touch at a time: the control waits for its answer
      const touch = answerPayTouch<OrderView>(event.detail, {
        maxFen: env.maxAmountFen,
        appId: wx.getAccountInfoSync().miniProgram.appId,
        create: (fen) => this.createForControl(fen),
      });
      this.touch = touch;
      const outcome = await touch.outcome;
      if (outcome.kind === 'answered') {
        // The control opens the cashier; onPaySuccess / onPayFailed tell how it ended.
        this.setData({ phase: 'paying', busy: true, message: '' });
        return;
      }
      if (this.touch === touch) this.touch = undefined;
      if (outcome.kind === 'invalid') {
        this.setData({ phase: 'error', busy: false, retryable: false, message: outcome.refusal.message });
      }
      // refused: create() already shows the error; control-failed: onPayFailed already said so.
    },

    /** `pay.create` for a control's touch, as the adapter wants it. */
    async createForControl(fen: number): Promise<CreateForControl<OrderView>> {
      const attempt = this.attemptFor(fen);
      this.attempt = attempt;
      const created = await this.create(attempt);
      if (!created) return { ok: false, message: this.data.message };
      if (created.order.state === 'PAID') {
        this.goToResult(created.order); // a retried create of an order already paid
        return { ok: false, message: '订单已支付' };
      }
      if (!created.payment) {
        this.attempt = undefined;
        this.setData({ phase: 'error', busy: false, retryable: false, message: '订单已失效，请重新输入金额' });
        return { ok: false, message: this.data.message };
      }
      return { ok: true, order: created.order, payment: created.payment };
    },

    /** The control's 支付成功事件: the result page asks the server whether the money arrived. */
    onPaySuccess() {
      this.touch = undefined;
      if (this.attempt?.order) this.goToResult(this.attempt.order);
    },

    /** The control's 支付失败事件: OrderTimeout (we did not answer in 30 s) or the cashier did not complete. */
    onPayFailed(event: WechatPayMiniProgram.Event<WechatPayMiniProgram.PayFailedDetail>) {
      const retcode = String(event.detail?.retcode ?? '');
      const touch = this.touch;
      this.touch = undefined;
      touch?.controlFailed(retcode); // a create still running is never handed to the control
      if (this.data.phase === 'error') {
        this.setData({ busy: false }); // our own refusal already says why the touch ended
        return;
      }
      if (retcode === ORDER_TIMEOUT_RETCODE) {
        this.setData({ phase: 'error', busy: false, retryable: false, message: '下单超时，请重新付款' });
        return;
      }
      // Only OrderTimeout is published; any other failure may have reached the cashier, so the next
      // touch starts a new order rather than reusing this one.
      if (this.attempt) this.attempt.failed = true;
      this.setData({ phase: 'failed', busy: false, message: `支付未成功（${retcode || '未知原因'}），可重新付款` });
    },
  },
});
