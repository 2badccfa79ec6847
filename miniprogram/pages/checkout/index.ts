/**
 * Checkout: the keypad (or the official amount control where available) → `pay.create` → cashier
 * → result page. One idempotency key per attempt, reused by "retry", so a create whose answer was
 * lost returns the same order instead of a second one. A cancelled payment keeps its order and
 * payment parameters: "pay again" reopens the cashier without creating anything until it expires.
 */
import type { ApiError, OrderView, PayCreateRequest, RequestPaymentParams } from '../../../typings/api';
import { call } from '../../services/api';
import { answerPayTouch, detectAmountControl, type PayTouchOutcome } from '../../services/amount-control';
import { env } from '../../services/env';
import { requestPayment } from '../../services/payment';
import { isRetryable, messageForCode } from '../../utils/error-messages';
import { newIdempotencyKey } from '../../utils/idempotency';
import { formatFen } from '../../utils/money';
import { formatDateTime } from '../../utils/order-view';

type Phase = 'input' | 'creating' | 'paying' | 'cancelled' | 'failed' | 'error';

/** One checkout attempt: an amount and the key that makes its create idempotent. */
interface Attempt {
  amount: number;
  idempotencyKey: string;
  order?: OrderView;
  payment?: RequestPaymentParams;
  /** The cashier reported a failure: the gateway may have marked the order failed, so never reuse it. */
  failed?: boolean;
}

interface CheckoutFields {
  attempt?: Attempt;
  payeeCode?: string;
  inFlight?: boolean;
}

const RESULT_PAGE = '/pages/result/index';

Component({
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
    useAmountControl: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const self = this as unknown as CheckoutFields;
      self.payeeCode = query.payeeCode ? decodeURIComponent(query.payeeCode) : undefined;
      const support = detectAmountControl({
        // Declaring the plugin in app.json is what turns it on; requirePlugin throws otherwise.
        enabled: true,
        canIUse: typeof wx.canIUse === 'function' ? (schema) => wx.canIUse(schema) : undefined,
        requirePlugin: typeof requirePlugin === 'function' ? (alias) => requirePlugin(alias) : undefined,
      });
      this.setData({
        merchantName: env.merchantName,
        description: env.defaultDescription,
        maxAmount: env.maxAmountFen,
        useAmountControl: support.available && !self.payeeCode,
      });
      if (self.payeeCode) void this.loadPayee(self.payeeCode);
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

    /** Pay `amount`: same amount as a pending attempt reuses its order, a new amount starts a new attempt. */
    async checkout(amount: number) {
      const self = this as unknown as CheckoutFields;
      if (self.inFlight || this.data.payeeError) return;
      if (!self.attempt || self.attempt.amount !== amount || self.attempt.failed) {
        self.attempt = { amount, idempotencyKey: newIdempotencyKey() };
      }
      await this.createAndPay();
    },

    onRetry() {
      void this.createAndPay();
    },

    onPayAgain() {
      const self = this as unknown as CheckoutFields;
      const attempt = self.attempt;
      if (!attempt || self.inFlight) return;
      if (!attempt.failed && attempt.payment && attempt.order && Date.parse(attempt.order.expiresAt) > Date.now()) {
        void this.pay(attempt);
        return;
      }
      // Expired or failed: the old order can no longer be paid; a fresh key creates a new one.
      self.attempt = { amount: attempt.amount, idempotencyKey: newIdempotencyKey() };
      void this.createAndPay();
    },

    onViewOrder() {
      const order = (this as unknown as CheckoutFields).attempt?.order;
      if (order) wx.navigateTo({ url: `${RESULT_PAGE}?outTradeNo=${encodeURIComponent(order.outTradeNo)}` });
    },

    async createAndPay() {
      const self = this as unknown as CheckoutFields;
      const attempt = self.attempt;
      if (!attempt || self.inFlight) return;
      const created = await this.create(attempt);
      if (!created) return;
      if (created.order.state === 'PAID') {
        this.goToResult(created.order); // a retried create of an order already paid
        return;
      }
      if (!created.payment) {
        this.showError({ ok: false, code: 'INVALID_STATE', message: 'order cannot be paid', retryable: false }, '订单已失效，请重新输入金额');
        self.attempt = undefined;
        return;
      }
      await this.pay(attempt);
    },

    /** `pay.create` for the attempt; stores the order on it. Undefined (error shown) on failure. */
    async create(attempt: Attempt): Promise<{ order: OrderView; payment?: RequestPaymentParams } | undefined> {
      const self = this as unknown as CheckoutFields;
      self.inFlight = true;
      this.setData({ phase: 'creating', busy: true, message: '', amountText: formatFen(attempt.amount) });
      const request: PayCreateRequest = self.payeeCode
        ? { channel: 'combine', amount: attempt.amount, idempotencyKey: attempt.idempotencyKey, payeeCode: self.payeeCode }
        : { channel: 'jsapi', amount: attempt.amount, idempotencyKey: attempt.idempotencyKey };
      const description = this.data.description;
      if (description) request.description = description;
      const res = await call('pay.create', request);
      self.inFlight = false;
      if (!res.ok) {
        this.showError(res);
        return undefined;
      }
      attempt.order = res.data.order;
      attempt.payment = res.data.payment;
      return res.data;
    },

    async pay(attempt: Attempt) {
      const self = this as unknown as CheckoutFields;
      if (!attempt.payment || !attempt.order) return;
      self.inFlight = true;
      this.setData({ phase: 'paying', busy: true, message: '' });
      const outcome = await requestPayment(attempt.payment);
      self.inFlight = false;
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
     * Handler for the official amount control's pay-touch (bind it when `useAmountControl`):
     * creates the order for the typed amount and answers the control before its 30 s wait ends.
     */
    async onAmountControlPayTouch(event: WechatPayAmountControl.PayTouchEvent) {
      const self = this as unknown as CheckoutFields;
      self.attempt = { amount: event.detail.amount, idempotencyKey: newIdempotencyKey() };
      const attempt = self.attempt;
      const outcome: PayTouchOutcome<OrderView> = await answerPayTouch(event.detail, async () => {
        const created = await this.create(attempt);
        if (!created) return { ok: false, message: this.data.message };
        if (!created.payment) return { ok: false, message: '订单已失效' };
        return { ok: true, order: created.order, params: created.payment };
      });
      if (outcome.kind === 'answered') {
        // The control opens the cashier; the result page confirms with the server.
        this.goToResult(outcome.order);
      } else if (outcome.kind === 'timeout') {
        this.setData({ busy: false, phase: 'error', retryable: false, message: '下单超时，请重新付款' });
      }
    },
  },
});

