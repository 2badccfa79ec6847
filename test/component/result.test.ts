/**
 * pages/result against a CONTRACT DOUBLE of the pay function: the page polls `pay.query` over real
 * HTTP and shows only what the server says. A short schedule (property) keeps the deadline test fast;
 * the production schedule itself is unit-tested in test/unit/miniprogram/polling.test.ts.
 */
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { render, simulate, tap, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { attemptTimes, type BackoffSchedule } from '../../miniprogram/services/polling';
import { openidOf, startPayContractDouble, type PayContractDouble } from './checkout.pay-contract-double';

const FAST: BackoffSchedule = { initialMs: 40, factor: 2, maxDelayMs: 160, deadlineMs: 1000 };

let double: PayContractDouble;
let wxb: WxBridge;

beforeEach(async () => {
  double = await startPayContractDouble();
  wxb = installWx({ user: 'alice', hostUrl: double.url, sandboxUrl: double.url });
});

afterEach(async () => {
  wxb.uninstall();
  await double.close();
});

const pages: SimComponent[] = [];
afterEach(() => {
  for (const p of pages.splice(0)) p.instance.onUnload?.();
});

function openResult(outTradeNo: string, schedule: Partial<BackoffSchedule> = FAST): SimComponent {
  const page = render('pages/result/index', { schedule });
  pages.push(page);
  page.instance.onLoad({ outTradeNo });
  return page;
}

const title = (page: SimComponent) => textOf(page, '#title');
const queries = () => double.callsOf('pay.query').length;

describe('result page (contract double of pay)', () => {
  it('says "paid" only once pay.query says PAID', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T1', state: 'PAYING', amount: 1234 });
    const page = openResult('T1', { ...FAST, deadlineMs: 10_000 });
    await waitFor(() => queries() >= 3, { what: 'three queries' });
    expect(title(page)).toBe('支付确认中');
    expect(textOf(page, '#amount')).toBe('¥12.34');
    expect(page.querySelector('#refresh')).toBeUndefined();

    double.settle('T1', 'PAID');
    await waitFor(() => title(page) === '支付成功', { what: 'paid' });
    const atPaid = queries();
    await simulate.sleep(400);
    expect(queries()).toBe(atPaid); // polling stopped at the final state
    expect(double.callsOf('pay.query').every((c) => c.data.outTradeNo === 'T1')).toBe(true);
  });

  it('stops polling at the deadline and offers a manual refresh that resumes it', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T2', state: 'PAYING' });
    const started = Date.now();
    const page = openResult('T2');
    await waitFor(() => title(page) === '仍在确认中', { what: 'still confirming', timeoutMs: 3000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(FAST.deadlineMs - 200);
    const atDeadline = queries();
    // Never more attempts than the schedule allows; at least the first few happened.
    expect(atDeadline).toBeLessThanOrEqual(attemptTimes(FAST).length);
    expect(atDeadline).toBeGreaterThanOrEqual(4);
    await simulate.sleep(500);
    expect(queries()).toBe(atDeadline);
    expect(page.querySelector('#refresh')).toBeDefined();

    double.settle('T2', 'PAID');
    tap(page, '#refresh');
    await waitFor(() => title(page) === '支付成功', { what: 'paid after refresh' });
    expect(queries()).toBe(atDeadline + 1);
  });

  it('shows a closed order with its reason, after one query', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T3', state: 'CLOSED', reason: '超时未支付' });
    const page = openResult('T3');
    await waitFor(() => title(page) === '订单已关闭');
    expect(textOf(page, '#subtitle')).toBe('超时未支付');
    await simulate.sleep(200);
    expect(queries()).toBe(1);
  });

  it('someone else\'s order: a final error, not endless polling', async () => {
    double.seed(openidOf('mallory'), { outTradeNo: 'T4', state: 'PAYING' });
    const page = openResult('T4');
    await waitFor(() => title(page) === '查询失败');
    expect(textOf(page, '#subtitle')).toBe('无权查看或操作此订单');
    await simulate.sleep(200);
    expect(queries()).toBe(1);
  });

  it('a transient error is waited out', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T5', state: 'PAID' });
    double.failNext('pay.query', { code: 'GATEWAY_UNAVAILABLE', message: 'busy', retryable: true }, 2);
    const page = openResult('T5');
    await waitFor(() => title(page) === '支付成功');
    expect(queries()).toBe(3);
  });

  it('leaving the page stops the polling', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T6', state: 'PAYING' });
    const page = openResult('T6', { ...FAST, deadlineMs: 10_000 });
    await waitFor(() => queries() >= 2);
    page.instance.onUnload();
    const atUnload = queries();
    await simulate.sleep(500);
    expect(queries()).toBeLessThanOrEqual(atUnload + 1); // at most the one already in flight
  });

  it('opens the order list', async () => {
    double.seed(openidOf('alice'), { outTradeNo: 'T7', state: 'PAID' });
    const page = openResult('T7');
    await waitFor(() => title(page) === '支付成功');
    tap(page, '#orders');
    await waitFor(() => wxb.callsOf('navigateTo').length > 0, { what: 'navigateTo' });
    expect(wxb.callsOf('navigateTo').map((o) => o.url)).toEqual(['/pages/orders/index']);
  });
});
