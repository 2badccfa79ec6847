/**
 * LOCAL SANDBOX STAND-IN for `<wechatpay-payment>`, the official amount control's open tag
 * (小程序金额控件介绍:
 * https://pay.weixin.qq.com/docs/partner/products/partner-scannedpos-payment/development/guide-for-scannedpos-miniprogram-sdk-api.html).
 * It behaves as that page says, so the checkout page meets the same contract locally:
 *
 * - the user types an amount and taps 付款 → `onPayTouch` `{ amount, orderCompleteCallback }` with
 *   `amount` the typed text as a Number in YUAN ('12.34' → 12.34), exactly as typed;
 * - `orderCompleteCallback(orderInfo)` opens the cashier — here the local sandbox cashier, the
 *   same one `wx.requestPayment` gets in local builds — then `onPaySuccess` `{ orderInfo }`;
 * - no `orderCompleteCallback` within 30 s (`orderTimeoutMs`, see settings.ts) → `onPayFailed`
 *   `{ retcode: 'OrderTimeout' }`, and a later call is ignored.
 *
 * The page publishes no other retcode, so the cashier's own outcomes come back as
 * `SANDBOX_CASHIER_CANCELLED` / `SANDBOX_CASHIER_FAILED` / `SANDBOX_INVALID_ORDER_INFO`: names of
 * this stand-in only, which a page must not depend on. The typing rules of the real keyboard are
 * not published either: this one takes digits and one point and hands over whatever was typed, so
 * the page's own checks (two decimals, maximum) are what protects the amount.
 */
import { localCashier } from '../../miniprogram/services/payment';
import { standInSettings } from './settings';

type Key = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '.' | 'delete';

const KEYS: Array<{ id: string; key: Key; text: string }> = [
  ...(['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const).map((d) => ({ id: d, key: d, text: d })),
  { id: 'dot', key: '.', text: '.' },
  { id: '0', key: '0', text: '0' },
  { id: 'delete', key: 'delete', text: '⌫' },
];

const ORDER_INFO_FIELDS = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;

/** One pay-touch: settled once the control has said success or failure. */
interface Touch {
  settled: boolean;
  answered: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

interface StandInFields {
  touch?: Touch;
}

function typed(text: string, key: Key): string {
  if (key === 'delete') return text.slice(0, -1);
  if (key === '.') return text.includes('.') ? text : `${text || '0'}.`;
  return text + key;
}

Component({
  properties: {
    // The published attributes of the tag (样式参数); the stand-in applies them to its display.
    fontFamily: { type: String, value: 'WeChat Sans SS' },
    fontWeight: { type: String, value: '500' },
    fontSize: { type: String, value: '56px' },
    fontColor: { type: String, value: 'rgba(0, 0, 0, 0.9)' },
    inputCurWidth: { type: String, value: '2px' },
    inputCurHeight: { type: String, value: '48px' },
    inputCurColor: { type: String, value: '#07C160' },
    inputFocus: { type: Boolean, value: false },
  },
  data: {
    keys: KEYS,
    text: '',
    waiting: false,
  },
  lifetimes: {
    detached() {
      const touch = (this as unknown as StandInFields).touch;
      if (touch?.timer !== undefined) clearTimeout(touch.timer);
    },
  },
  methods: {
    onKey(event: WechatMiniprogram.TouchEvent) {
      const key = event.currentTarget.dataset.key as Key | undefined;
      if (!key || this.data.waiting) return;
      this.setData({ text: typed(this.data.text, key) });
    },

    onPay() {
      const self = this as unknown as StandInFields;
      if (self.touch || !this.data.text) return;
      const touch: Touch = { settled: false, answered: false };
      self.touch = touch;
      touch.timer = setTimeout(() => this.finish(touch, 'onPayFailed', { retcode: 'OrderTimeout' }), standInSettings().orderTimeoutMs);
      const orderCompleteCallback = (orderInfo: WechatPayMiniProgram.OrderInfo) => {
        if (touch.settled || touch.answered) return; // after OrderTimeout the touch is over
        touch.answered = true;
        if (touch.timer !== undefined) clearTimeout(touch.timer);
        void this.openCashier(touch, orderInfo);
      };
      this.setData({ waiting: true });
      const detail: WechatPayMiniProgram.PayTouchDetail = { amount: Number(this.data.text), orderCompleteCallback };
      this.triggerEvent('onPayTouch', detail);
    },

    async openCashier(touch: Touch, orderInfo: WechatPayMiniProgram.OrderInfo) {
      const given = (orderInfo ?? {}) as unknown as Record<string, unknown>;
      const missing = ORDER_INFO_FIELDS.filter((f) => typeof given[f] !== 'string' || !given[f]);
      if (missing.length > 0) {
        this.finish(touch, 'onPayFailed', { retcode: 'SANDBOX_INVALID_ORDER_INFO', errMsg: `orderInfo 缺少 ${missing.join(', ')}` });
        return;
      }
      const outcome = await localCashier({
        timeStamp: orderInfo.timeStamp,
        nonceStr: orderInfo.nonceStr,
        package: orderInfo.package,
        signType: orderInfo.signType,
        paySign: orderInfo.paySign,
      });
      if (outcome.kind === 'paid') {
        this.setData({ text: '' });
        this.finish(touch, 'onPaySuccess', { orderInfo });
      } else if (outcome.kind === 'cancelled') {
        this.finish(touch, 'onPayFailed', { retcode: 'SANDBOX_CASHIER_CANCELLED', errMsg: '用户取消支付' });
      } else {
        this.finish(touch, 'onPayFailed', { retcode: 'SANDBOX_CASHIER_FAILED', errMsg: outcome.reason });
      }
    },

    finish(touch: Touch, event: 'onPaySuccess' | 'onPayFailed', detail: WechatPayMiniProgram.PaySuccessDetail | WechatPayMiniProgram.PayFailedDetail) {
      if (touch.settled) return;
      touch.settled = true;
      if (touch.timer !== undefined) clearTimeout(touch.timer);
      const self = this as unknown as StandInFields;
      if (self.touch === touch) self.touch = undefined;
      this.setData({ waiting: false });
      this.triggerEvent(event, detail);
    },
  },
});
