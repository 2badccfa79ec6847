/**
 * Amount keypad: digits, decimal point, delete (long-press clears), a pay button. Emits integer fen:
 * `change` { amount, text } after every accepted edit and `pay` { amount } on a valid tap.
 * All typing rules live in keypad-reducer.ts; this file renders and forwards.
 */
import { fenToYuan } from '../../utils/money';
import {
  canSubmit,
  initialKeypadState,
  keypadReducer,
  type KeypadAction,
  type KeypadKey,
  type KeypadState,
  type RejectReason,
} from './keypad-reducer';
import { componentWithFields } from '../../utils/component';

interface KeyView {
  id: string;
  key: KeypadKey;
  text: string;
  label: string;
}

const KEYS: KeyView[] = [
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => ({ id: d, key: d as KeypadKey, text: d, label: d })),
  { id: 'dot', key: '.', text: '.', label: '小数点' },
  { id: '0', key: '0', text: '0', label: '0' },
  { id: 'delete', key: 'delete', text: '⌫', label: '删除' },
];

/** If the parent never turns `busy` on after a pay, accept taps again after this long. */
const PAY_LOCK_FALLBACK_MS = 1500;

function hintFor(reason: RejectReason | undefined, maxFen: number): string {
  switch (reason) {
    case 'OVER_MAX':
      return `单笔最多 ¥${fenToYuan(maxFen)}`;
    case 'TOO_MANY_DECIMALS':
      return '最多两位小数';
    case 'TOO_MANY_DIGITS':
      return '金额过大';
    case 'NOT_AN_AMOUNT':
      return '不是有效金额';
    default:
      return '';
  }
}

componentWithFields<KeypadInstance>()({
  options: { addGlobalClass: false },
  properties: {
    /** Largest amount in fen; 0 means no limit beyond 9 integer digits. */
    max: { type: Number, value: 0 },
    /** A payment request is in flight: the pay button is disabled and shows a spinner. */
    busy: { type: Boolean, value: false },
    payText: { type: String, value: '付款' },
  },
  data: {
    keys: KEYS,
    text: '',
    amount: 0,
    canPay: false,
    hint: '',
    rejected: false,
    displayLabel: '金额 0 元',
    payLabel: '付款，请输入金额',
  },
  observers: {
    max(max: number) {
      this.state = { ...this.currentState(), maxFen: max };
      this.render();
    },
    busy(busy: boolean) {
      if (busy) this.busySeen = true;
      else if (this.busySeen) this.unlock(); // the request the parent started has finished
    },
  },
  lifetimes: {
    detached() {
      this.unlock();
    },
  },
  methods: {
    currentState(): KeypadState {
      return this.state ?? initialKeypadState(this.data.max);
    },
    dispatch(action: KeypadAction) {
      const before = this.currentState();
      this.state = keypadReducer(before, action);
      this.render();
      if (this.state.text !== before.text) {
        this.triggerEvent('change', { amount: this.state.amount, text: this.state.text });
      }
    },
    render() {
      const state = this.currentState();
      const canPay = canSubmit(state);
      const yuan = fenToYuan(state.amount);
      this.setData({
        text: state.text,
        amount: state.amount,
        canPay,
        hint: hintFor(state.rejected, state.maxFen),
        rejected: state.rejected !== undefined,
        displayLabel: `金额 ${yuan} 元`,
        payLabel: canPay ? `付款 ${yuan} 元` : '付款，请输入金额',
      });
    },
    onKey(event: WechatMiniprogram.TouchEvent) {
      const key = event.currentTarget.dataset.key as KeypadKey | undefined;
      if (key) this.dispatch({ type: 'key', key });
    },
    onClear() {
      this.dispatch({ type: 'key', key: 'clear' });
    },
    /** Paste from outside: accepted whole or refused with a hint (e.g. '12.345', 'abc'). */
    paste(text: string) {
      this.dispatch({ type: 'paste', text });
    },
    onPasteRequest() {
      wx.getClipboardData({
        success: (res) => this.paste(res.data),
      });
    },
    onPay() {
      const state = this.currentState();
      if (this.data.busy || this.locked || !canSubmit(state)) return;
      this.locked = true;
      this.busySeen = false;
      // Fallback for parents that do not drive `busy`; otherwise the busy→false edge unlocks.
      this.lockTimer = setTimeout(() => {
        if (!this.busySeen) this.unlock();
      }, PAY_LOCK_FALLBACK_MS);
      this.triggerEvent('pay', { amount: state.amount });
    },
    unlock() {
      this.locked = false;
      if (this.lockTimer !== undefined) clearTimeout(this.lockTimer);
      this.lockTimer = undefined;
    },
  },
});

/** Instance fields kept off `data` (not rendered). */
interface KeypadInstance {
  state?: KeypadState;
  locked?: boolean;
  busySeen?: boolean;
  lockTimer?: ReturnType<typeof setTimeout>;
  currentState(): KeypadState;
  render(): void;
  unlock(): void;
}
