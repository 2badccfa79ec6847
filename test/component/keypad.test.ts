/**
 * amount-keypad in miniprogram-simulate, loaded from the built dist/miniprogram: what a user types
 * → what the display shows and which fen the events carry.
 */
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIPROGRAM_DIST, render, simulate, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';

const KEY_IDS: Record<string, string> = { '.': 'dot', '<': 'delete' };

function press(keypad: SimComponent, keys: string): void {
  for (const ch of keys) {
    const target = keypad.querySelector(`#key-${KEY_IDS[ch] ?? ch}`);
    if (!target) throw new Error(`no key ${ch}`);
    target.dispatchEvent('tap');
  }
}

/** Render a keypad and record the events it emits to its parent. */
function mount(properties: Record<string, unknown> = {}) {
  const keypad = render('components/amount-keypad/index', properties);
  const events: { pay: number[]; change: Array<{ amount: number; text: string }> } = { pay: [], change: [] };
  keypad.addEventListener('pay', (e: { detail: { amount: number } }) => events.pay.push(e.detail.amount));
  keypad.addEventListener('change', (e: { detail: { amount: number; text: string } }) => events.change.push(e.detail));
  return { keypad, events };
}

function shown(keypad: SimComponent): string | undefined {
  return textOf(keypad, '#amount-text');
}

function payDisabled(keypad: SimComponent): boolean {
  return keypad.querySelector('#pay')!.querySelector('.van-button')!.dom.className.includes('disabled');
}

let wxb: WxBridge;
beforeEach(() => {
  wxb = installWx();
});
afterEach(() => wxb.uninstall());

describe('amount-keypad (component, built)', () => {
  it.each([
    ['12.34', '12.34', 1234],
    ['0.', '0.', 0],
    ['00', '0', 0],
    ['.5', '0.5', 50],
    ['007', '7', 700],
    ['12.345', '12.34', 1234],
    ['9.9<<', '9', 900],
    ['1..5', '1.5', 150],
  ])('typing %p shows %p and reports %p fen', async (keys, text, fen) => {
    const { keypad, events } = mount();
    press(keypad, keys);
    await simulate.sleep(0);
    expect(shown(keypad)).toBe(text);
    expect(events.change[events.change.length - 1]?.amount ?? 0).toBe(fen);
  });

  it('shows a placeholder and disables pay while nothing (or zero) is typed', async () => {
    const { keypad } = mount();
    expect(shown(keypad)).toBe('0.00');
    expect(payDisabled(keypad)).toBe(true);
    press(keypad, '0.0');
    await simulate.sleep(0);
    expect(payDisabled(keypad)).toBe(true);
    press(keypad, '1');
    await simulate.sleep(0);
    expect(payDisabled(keypad)).toBe(false);
  });

  it('emits pay with integer fen when the pay button is tapped', async () => {
    const { keypad, events } = mount();
    press(keypad, '19.99');
    await simulate.sleep(0);
    tap(keypad, '#pay');
    await simulate.sleep(0);
    expect(events.pay).toEqual([1999]);
    expect(Number.isInteger(events.pay[0])).toBe(true);
  });

  it('a tap on the disabled button emits nothing', async () => {
    const { keypad, events } = mount();
    tap(keypad, '#pay');
    await simulate.sleep(0);
    expect(events.pay).toEqual([]);
  });

  it('refuses digits past the maximum and says so', async () => {
    const { keypad } = mount({ max: 50_000 });
    press(keypad, '5001');
    await simulate.sleep(0);
    expect(shown(keypad)).toBe('500');
    expect(textOf(keypad, '#hint')).toBe('单笔最多 ¥500.00');
    press(keypad, '<');
    await simulate.sleep(0);
    expect(keypad.querySelector('#hint')).toBeUndefined();
  });

  it('a double tap makes one pay event; busy disables the button until the request ends', async () => {
    const { keypad, events } = mount();
    press(keypad, '8');
    await simulate.sleep(0);
    tap(keypad, '#pay');
    tap(keypad, '#pay');
    await simulate.sleep(0);
    expect(events.pay).toEqual([800]);
    keypad.setData({ busy: true });
    await simulate.sleep(0);
    expect(payDisabled(keypad)).toBe(true);
    tap(keypad, '#pay');
    keypad.setData({ busy: false });
    await simulate.sleep(0);
    expect(payDisabled(keypad)).toBe(false);
    tap(keypad, '#pay');
    await simulate.sleep(0);
    expect(events.pay).toEqual([800, 800]);
  });

  it.each([
    ['12.345', '7', '最多两位小数'],
    ['abc', '7', '不是有效金额'],
    ['¥ 12.30', '12.30', ''],
  ])('pasting %p leaves %p (hint %p)', async (clip, text, hint) => {
    const { keypad, events } = mount();
    press(keypad, '7');
    await simulate.sleep(0);
    (globalThis as unknown as { wx: Record<string, unknown> }).wx.getClipboardData = (o: { success(r: { data: string }): void }) =>
      setTimeout(() => o.success({ data: clip }), 0);
    const before = events.change.length;
    keypad.querySelector('#display')!.dispatchEvent('longpress');
    await waitFor(() => keypad.instance.data.hint !== '' || events.change.length > before, { what: 'the paste to apply' });
    await simulate.sleep(0);
    expect(shown(keypad)).toBe(text);
    expect(textOf(keypad, '#hint') ?? '').toBe(hint);
    expect(events.change[events.change.length - 1].text).toBe(text);
  });

  it('long-press on delete clears', async () => {
    const { keypad, events } = mount();
    press(keypad, '42.5');
    await simulate.sleep(0);
    keypad.querySelector('#key-delete')!.dispatchEvent('longpress');
    await simulate.sleep(0);
    expect(shown(keypad)).toBe('0.00');
    expect(events.change[events.change.length - 1]).toEqual({ amount: 0, text: '' });
  });

  it('labels every key, the amount and the pay button for screen readers', async () => {
    // j-component does not render aria-* into the DOM, so check the bound values and the template's bindings.
    const { keypad } = mount();
    const data = keypad.instance.data as { keys: Array<{ label: string }>; displayLabel: string; payLabel: string };
    expect(keypad.querySelectorAll('.key')).toHaveLength(12);
    expect(data.keys.map((k) => k.label)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '小数点', '0', '删除']);
    expect(data.payLabel).toBe('付款，请输入金额');
    press(keypad, '3.5');
    await simulate.sleep(0);
    expect(keypad.instance.data.displayLabel).toBe('金额 3.50 元');
    expect(keypad.instance.data.payLabel).toBe('付款 3.50 元');
    const wxml = readFileSync(join(MINIPROGRAM_DIST, 'components/amount-keypad/index.wxml'), 'utf8');
    expect(wxml).toContain('aria-label="{{ item.label }}"');
    expect(wxml).toContain('aria-role="button"');
    expect(wxml).toContain('aria-label="{{ displayLabel }}"');
    expect(wxml).toContain('aria-label="{{ payLabel }}"');
  });
});
