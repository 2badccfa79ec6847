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

Component({
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
      const self = this as unknown as KeypadInstance;
      self.state = { ...self.currentState(), maxFen: max };
      self.render();
    },
    busy(busy: boolean) {
      const self = this as unknown as KeypadInstance;
      if (busy) self.busySeen = true;
      else if (self.busySeen) self.unlock(); // the request the parent started has finished
    },
  },
  lifetimes: {
    detached() {
      (this as unknown as KeypadInstance).unlock();
    },
  },
  methods: {
    currentState(): KeypadState {
      const self = this as unknown as KeypadInstance;
      return self.state ?? initialKeypadState(this.data.max);
    },
    dispatch(action: KeypadAction) {
      const self = this as unknown as KeypadInstance;
      const before = self.currentState();
      self.state = keypadReducer(before, action);
      self.render();
      if (self.state.text !== before.text) {
        this.triggerEvent('change', { amount: self.state.amount, text: self.state.text });
      }
    },
    render() {
      const self = this as unknown as KeypadInstance;
      const state = self.currentState();
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
      const self = this as unknown as KeypadInstance;
      const state = self.currentState();
      if (this.data.busy || self.locked || !canSubmit(state)) return;
      self.locked = true;
      self.busySeen = false;
      // Fallback for parents that do not drive `busy`; otherwise the busy→false edge unlocks.
      self.lockTimer = setTimeout(() => {
        if (!self.busySeen) self.unlock();
      }, PAY_LOCK_FALLBACK_MS);
      this.triggerEvent('pay', { amount: state.amount });
    },
    unlock() {
      const self = this as unknown as KeypadInstance;
      self.locked = false;
      if (self.lockTimer !== undefined) clearTimeout(self.lockTimer);
      self.lockTimer = undefined;
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
