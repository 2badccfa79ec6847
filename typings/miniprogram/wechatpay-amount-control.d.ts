/**
 * The official WeChat Pay amount control (金额控件) as a mini-program plugin — typed from what seed 004
 * says, since its reference is not public:
 *
 * - the merchant's page shows the control; the user types an amount and taps 付款 (pay-touch);
 * - the control hands the merchant the amount (fen) and WAITS for the data that opens the cashier;
 * - it gives up after about 30 s;
 * - old clients do not have it and must fall back to plain mini-program payment.
 *
 * The event and callback names below are our adapter's assumption of that shape
 * (`miniprogram/services/amount-control.ts` is the only code that touches them, so a differing real
 * shape is a change in one file). Merchants enable it by declaring the plugin in app.json `plugins`
 * under the alias `WECHATPAY_AMOUNT_CONTROL_ALIAS` and placing its component in checkout.
 */
declare namespace WechatPayAmountControl {
  /** What opens the cashier: the same fields as `wx.requestPayment` (v3: signType RSA). */
  interface CashierParams {
    timeStamp: string;
    nonceStr: string;
    package: string;
    signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
    paySign: string;
  }

  /** The merchant's answer to one pay-touch; the control accepts one answer per touch. */
  type PayTouchAnswer = { ok: true; params: CashierParams } | { ok: false; message: string };

  /** `detail` of the control's pay-touch event. */
  interface PayTouchDetail {
    /** What the user typed, integer fen. A request only: the server validates it. */
    amount: number;
    /** Hand back the cashier data (or a refusal). Ignored by the control after its ~30 s wait. */
    respond(answer: PayTouchAnswer): void;
  }

  interface PayTouchEvent {
    detail: PayTouchDetail;
  }

  /** The plugin's JS module as returned by `requirePlugin(alias)`. */
  interface PluginModule {
    /** Plugin version string, when exposed. */
    version?: string;
    /** Whether this client can show the control; absent means "yes if the plugin loaded". */
    isSupported?(): boolean;
  }
}
