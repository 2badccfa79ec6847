/**
 * The merchant console pages (pages/admin/*) against a CONTRACT DOUBLE of the admin function:
 * every state of each page (loading, ready, empty, error + retry, forbidden, not found), filters
 * and paging, refund and close behind their confirmation dialogs, alert acknowledgement.
 * Real HTTP through the pages' own transport.
 */
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { openPage, simulate, tap, textOf, waitFor, type SimComponent, type SimNode } from '../helpers/simulate';
import { ADMIN_USER, startAdminDouble, type AdminDouble } from './admin.contract-double';

jest.setTimeout(30_000);

let double: AdminDouble;
let wxb: WxBridge;

beforeEach(async () => {
  double = await startAdminDouble();
  wxb = installWx({ user: ADMIN_USER, hostUrl: double.url, sandboxUrl: double.url });
});
afterEach(async () => {
  wxb.uninstall();
  await double.close();
});

const asUser = (user: string) => {
  wxb.uninstall();
  wxb = installWx({ user, hostUrl: double.url, sandboxUrl: double.url });
};

/** The Vant dialog once shown: its message, and a way to answer it. */
async function dialogOf(page: SimComponent): Promise<{ title: string; message: string; answer(choice: 'confirm' | 'cancel'): void }> {
  const dialog = await waitFor(() => {
    const node = page.querySelector('#van-dialog');
    return node && node.data.show ? node : undefined;
  }, { what: 'confirmation dialog' });
  return {
    title: String(dialog.data.title ?? ''),
    message: String(dialog.data.message ?? ''),
    answer: (choice) => (choice === 'confirm' ? dialog.instance.onConfirm() : dialog.instance.onCancel()),
  };
}

/** Type into a Vant field as a person would: the field emits `change` with the text. */
function typeInto(page: SimComponent, selector: string, text: string): void {
  const field = page.querySelector(selector) as SimNode;
  field.dispatchEvent('change', { detail: text });
}

const BASE = Date.parse('2026-11-30T16:30:00Z'); // 2026-12-01 00:30 China time

describe('admin home', () => {
  it('shows a loader, then today\'s and this month\'s totals and the entries', async () => {
    double.totals.today = { ...double.totals.today, payments: { count: 3, amount: 1234 }, refunds: { count: 1, amount: 34 }, net: 1200 };
    double.totals.month = { ...double.totals.month, payments: { count: 40, amount: 990_000 }, refunds: { count: 2, amount: 10_000 }, net: 980_000 };
    const held = double.hold('admin.totals');
    const page = openPage('pages/admin/index/index');
    await waitFor(() => page.querySelector('#loading'), { what: 'loader' });
    held.release();
    await waitFor(() => textOf(page, '#today-net'), { what: 'totals' });
    expect(textOf(page, '#today-net')).toBe('¥12.00');
    expect(textOf(page, '#today-payments')).toBe('¥12.34');
    expect(textOf(page, '#today-refunds')).toBe('¥0.34');
    expect(textOf(page, '#month-net')).toBe('¥9800.00');
    expect(textOf(page, '#today')).toContain('北京时间');
    expect(page.querySelector('#entry-orders')).toBeDefined();
    expect(page.querySelector('#entry-alerts')).toBeDefined();
  });

  it('a non-admin sees "no access", not numbers', async () => {
    asUser('alice');
    const page = openPage('pages/admin/index/index');
    await waitFor(() => page.querySelector('#forbidden'), { what: 'forbidden' });
    expect(textOf(page, '#forbidden')).toBe('仅商户管理员可使用商户后台');
    expect(page.querySelector('#today')).toBeUndefined();
  });

  it('an error offers retry, which loads', async () => {
    double.failNext('admin.totals', { code: 'INTERNAL', message: 'db down', retryable: true });
    const page = openPage('pages/admin/index/index');
    await waitFor(() => textOf(page, '#error'));
    expect(textOf(page, '#error')).toContain('系统繁忙，请稍后重试');
    tap(page, '#retry');
    await waitFor(() => textOf(page, '#today-net'), { what: 'totals after retry' });
  });
});

describe('admin orders', () => {
  const seed = (count: number) => {
    for (let i = 1; i <= count; i++) {
      double.seedOrder({
        outTradeNo: `A${String(i).padStart(2, '0')}`,
        amount: i * 100,
        state: i % 4 === 0 ? 'CLOSED' : 'PAID',
        channel: i % 3 === 0 ? 'combine' : 'jsapi',
        // One order a day going back from 2026-12-01 (China time).
        createdAt: new Date(BASE - (count - i) * 24 * 3600_000).toISOString(),
      });
    }
  };
  const ids = (page: SimComponent) => (page.instance.data.orders as Array<{ outTradeNo: string }>).map((o) => o.outTradeNo);

  it('lists every payer\'s orders a page at a time and stops at the last', async () => {
    seed(25);
    const page = openPage('pages/admin/orders/index');
    await waitFor(() => ids(page).length === 20, { what: 'first page' });
    expect(ids(page)[0]).toBe('A25');
    page.instance.onReachBottom();
    await waitFor(() => ids(page).length === 25, { what: 'second page' });
    await waitFor(() => textOf(page, '#end'));
    const lists = double.callsOf('admin.orders');
    expect(lists.map((c) => c.data)).toEqual([{ pageSize: 20 }, { pageSize: 20, cursor: expect.any(String) }]);
  });

  it('filters by state, channel and China-time dates; each change reloads from the top with the filters', async () => {
    seed(8);
    const page = openPage('pages/admin/orders/index');
    await waitFor(() => ids(page).length === 8);
    const paidIndex = (page.instance.data.stateLabels as string[]).indexOf('已支付');
    page.querySelector('#filter-state')!.dispatchEvent('change', { detail: { value: String(paidIndex) } });
    await waitFor(() => double.callsOf('admin.orders').length === 2);
    await waitFor(() => ids(page).length === 6, { what: 'paid only' });
    page.querySelector('#filter-channel')!.dispatchEvent('change', { detail: { value: '2' } }); // 个人收款(合单)
    await waitFor(() => ids(page).join() === 'A06,A03', { what: 'paid combine' });
    // A06 was created 2026-11-29 00:30 China time (2026-11-28 16:30 UTC), A03 three days before.
    page.querySelector('#filter-from')!.dispatchEvent('change', { detail: { value: '2026-11-29' } });
    page.querySelector('#filter-to')!.dispatchEvent('change', { detail: { value: '2026-11-30' } });
    await waitFor(() => double.callsOf('admin.orders').length === 5);
    await waitFor(() => ids(page).join() === 'A06', { what: 'one day in range' });
    expect(double.callsOf('admin.orders')[4].data).toEqual({ pageSize: 20, state: 'PAID', channel: 'combine', createdFrom: '2026-11-29', createdTo: '2026-11-30' });
    tap(page, '#clear-dates');
    await waitFor(() => ids(page).join() === 'A06,A03', { what: 'dates cleared' });
  });

  it('empty, error with retry, forbidden; a tap opens the order', async () => {
    const empty = openPage('pages/admin/orders/index');
    await waitFor(() => textOf(empty, '#empty'));
    expect(textOf(empty, '#empty')).toBe('没有符合条件的订单');

    seed(2);
    double.failNext('admin.orders', { code: 'GATEWAY_UNAVAILABLE', message: 'x', retryable: true });
    const failing = openPage('pages/admin/orders/index');
    await waitFor(() => textOf(failing, '#error'));
    tap(failing, '#retry');
    await waitFor(() => ids(failing).length === 2, { what: 'list after retry' });
    failing.querySelector('#order-1')!.querySelector('#card')!.dispatchEvent('tap');
    await waitFor(() => wxb.callsOf('navigateTo').length === 1);
    expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/admin/order/index?outTradeNo=A01');

    asUser('alice');
    const forbidden = openPage('pages/admin/orders/index');
    await waitFor(() => textOf(forbidden, '#error'));
    expect(textOf(forbidden, '#error')).toBe('仅商户管理员可查看全部订单');
    expect(forbidden.querySelector('#retry')).toBeUndefined();
  });
});

describe('admin order detail', () => {
  const paidOrder = () =>
    double.seedOrder(
      { outTradeNo: 'P1', amount: 1000, state: 'PAID', paidAt: new Date(BASE + 60_000).toISOString(), transactionId: '4200000001', createdAt: new Date(BASE).toISOString() },
      { notifications: [{ id: 'n-1', eventType: 'payment', receivedAt: new Date(BASE + 61_000).toISOString() }] },
    );

  it('shows the order, its audit trail and notifications in China time, and a full refund of what is left by default', async () => {
    paidOrder();
    const page = openPage('pages/admin/order/index', { outTradeNo: 'P1' });
    await waitFor(() => textOf(page, '#amount'), { what: 'detail' });
    expect(textOf(page, '#amount')).toBe('¥10.00');
    expect(textOf(page, '#state')).toBe('已支付');
    expect(textOf(page, '#refundable')).toContain('¥10.00');
    expect(textOf(page, '#audit-0')).toContain('ORDER_CREATED');
    expect(textOf(page, '#audit-0')).toContain('2026-12-01 00:30:00');
    expect(textOf(page, '#notification-0')).toContain('n-1');
    expect(page.instance.data.refundYuan).toBe('10.00');
    expect(page.querySelector('#close')).toBeUndefined();
  });

  it('partial refund with a reason: confirm dialog names amount and reason, then pay.refund once with a key; the page reloads', async () => {
    paidOrder();
    const page = openPage('pages/admin/order/index', { outTradeNo: 'P1' });
    await waitFor(() => page.querySelector('#refund'));
    typeInto(page, '#refund-amount', '3.5');
    typeInto(page, '#refund-reason', '少发一件');
    await simulate.sleep(0);
    tap(page, '#refund');
    const dialog = await dialogOf(page);
    expect(dialog.title).toBe('确认部分退款');
    expect(dialog.message).toContain('¥3.50');
    expect(dialog.message).toContain('少发一件');
    expect(double.callsOf('pay.refund')).toHaveLength(0); // nothing before the confirmation
    dialog.answer('confirm');
    await waitFor(() => double.callsOf('pay.refund').length === 1, { what: 'refund call' });
    expect(double.callsOf('pay.refund')[0].data).toEqual({ outTradeNo: 'P1', amount: 350, reason: '少发一件', idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/) });
    await waitFor(() => textOf(page, '#refund-0'), { what: 'refund listed' });
    expect(textOf(page, '#refund-0')).toContain('¥3.50');
    expect(textOf(page, '#refundable')).toContain('¥6.50');
    expect(textOf(page, '#state')).toBe('退款中');
  });

  it('cancelling the dialog sends nothing; an amount above what is left is refused before any dialog', async () => {
    paidOrder();
    const page = openPage('pages/admin/order/index', { outTradeNo: 'P1' });
    await waitFor(() => page.querySelector('#refund'));
    tap(page, '#refund');
    const dialog = await dialogOf(page);
    expect(dialog.title).toBe('确认全额退款');
    dialog.answer('cancel');
    await simulate.sleep(50);
    typeInto(page, '#refund-amount', '10.01');
    await simulate.sleep(0);
    tap(page, '#refund');
    await waitFor(() => textOf(page, '#form-error'));
    expect(textOf(page, '#form-error')).toBe('退款金额不能超过可退金额 ¥10.00');
    typeInto(page, '#refund-amount', '1.234');
    await simulate.sleep(0);
    tap(page, '#refund');
    await waitFor(() => textOf(page, '#form-error')?.startsWith('请输入退款金额'));
    expect(double.callsOf('pay.refund')).toHaveLength(0);
  });

  it('a refund whose answer was lost is retried with the same idempotency key (the server resumes it, never a second refund)', async () => {
    paidOrder();
    double.failNext('pay.refund', { code: 'TRANSPORT_ERROR', message: 'timeout', retryable: true });
    const page = openPage('pages/admin/order/index', { outTradeNo: 'P1' });
    await waitFor(() => page.querySelector('#refund'));
    tap(page, '#refund');
    (await dialogOf(page)).answer('confirm');
    await waitFor(() => textOf(page, '#form-error'), { what: 'error shown' });
    expect(textOf(page, '#form-error')).toBe('网络不可用，请检查网络后重试');
    await waitFor(() => !page.querySelector('#van-dialog')!.data.show);
    tap(page, '#refund');
    (await dialogOf(page)).answer('confirm');
    await waitFor(() => double.callsOf('pay.refund').length === 2);
    const [first, second] = double.callsOf('pay.refund');
    expect(second.data.idempotencyKey).toBe(first.data.idempotencyKey);
    await waitFor(() => textOf(page, '#refund-0'), { what: 'refund listed' });
  });

  it('close: confirm, pay.close, the page shows it closed; refused close shows why', async () => {
    double.seedOrder({ outTradeNo: 'C1', state: 'PAYING', amount: 500 });
    double.seedOrder({ outTradeNo: 'C2', state: 'PAYING', amount: 600 });
    double.failNext('pay.close', { code: 'CLOSE_TOO_EARLY', message: 'wait', retryable: true });
    const early = openPage('pages/admin/order/index', { outTradeNo: 'C2' });
    await waitFor(() => early.querySelector('#close'));
    tap(early, '#close');
    (await dialogOf(early)).answer('confirm');
    await waitFor(() => textOf(early, '#form-error'));
    expect(textOf(early, '#form-error')).toBe('订单创建不足 5 分钟，暂不能关闭');

    const page = openPage('pages/admin/order/index', { outTradeNo: 'C1' });
    await waitFor(() => page.querySelector('#close'));
    expect(page.querySelector('#refund')).toBeUndefined();
    tap(page, '#close');
    const dialog = await dialogOf(page);
    expect(dialog.message).toContain('C1');
    dialog.answer('confirm');
    await waitFor(() => textOf(page, '#state') === '已关闭', { what: 'closed' });
    expect(double.callsOf('pay.close').map((c) => c.data)).toEqual([{ outTradeNo: 'C2' }, { outTradeNo: 'C1' }]);
    expect(page.querySelector('#close')).toBeUndefined();
  });

  it('not found, forbidden and error states', async () => {
    const missing = openPage('pages/admin/order/index', { outTradeNo: 'NOPE' });
    await waitFor(() => missing.querySelector('#not-found'));
    double.seedOrder({ outTradeNo: 'E1' });
    double.failNext('admin.order', { code: 'INTERNAL', message: 'x' });
    const failing = openPage('pages/admin/order/index', { outTradeNo: 'E1' });
    await waitFor(() => failing.querySelector('#error'));
    tap(failing, '#retry');
    await waitFor(() => textOf(failing, '#amount'));
    asUser('alice');
    const forbidden = openPage('pages/admin/order/index', { outTradeNo: 'E1' });
    await waitFor(() => forbidden.querySelector('#forbidden'));
    expect(forbidden.querySelector('#refund')).toBeUndefined();
  });
});

describe('admin alerts', () => {
  const alert = (i: number, extra: Record<string, unknown> = {}) => ({
    id: `A${String(i).padStart(31, '0')}`,
    kind: 'PAID_AFTER_CLOSE' as const,
    createdAt: new Date(BASE - i * 60_000).toISOString(),
    outTradeNo: `O${i}`,
    amount: 100 * i,
    message: `payment on closed order O${i} refunded`,
    ...extra,
  });

  it('lists alerts, acknowledges one (its stamp shown), and shows ones acknowledged before', async () => {
    double.alerts.push(alert(1), alert(2, { acknowledgedAt: new Date(BASE).toISOString(), kind: 'REFUND_ABNORMAL' }));
    const page = openPage('pages/admin/alerts/index');
    await waitFor(() => page.querySelector('#alert-1'));
    expect(textOf(page, '#kind-0')).toBe('关单后到账（已自动退款）');
    expect(textOf(page, '#kind-1')).toBe('退款异常');
    expect(textOf(page, '#acknowledged-1')).toBe('已处理 2026-12-01 00:30:00');
    expect(page.querySelector('#acknowledge-1')).toBeUndefined();
    tap(page, '#acknowledge-0');
    await waitFor(() => textOf(page, '#acknowledged-0'), { what: 'acknowledged' });
    expect(page.querySelector('#acknowledge-0')).toBeUndefined();
    expect(double.callsOf('admin.acknowledgeAlert').map((c) => c.data)).toEqual([{ id: alert(1).id }]);
    page.querySelector('#head-0')!.dispatchEvent('tap');
    await waitFor(() => wxb.callsOf('navigateTo').length === 1);
    expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/admin/order/index?outTradeNo=O1');
  });

  it('pages with the cursor; empty; forbidden', async () => {
    for (let i = 1; i <= 23; i++) double.alerts.push(alert(i));
    const page = openPage('pages/admin/alerts/index');
    await waitFor(() => (page.instance.data.alerts as unknown[]).length === 20);
    page.instance.onReachBottom();
    await waitFor(() => (page.instance.data.alerts as unknown[]).length === 23);
    await waitFor(() => textOf(page, '#end'));
    double.alerts.length = 0;
    const empty = openPage('pages/admin/alerts/index');
    await waitFor(() => textOf(empty, '#empty'));
    asUser('alice');
    const forbidden = openPage('pages/admin/alerts/index');
    await waitFor(() => textOf(forbidden, '#error'));
    expect(textOf(forbidden, '#error')).toBe('仅商户管理员可查看告警');
  });
});
