/**
 * pages/orders against a CONTRACT DOUBLE of the pay function: `pay.list` paging by `nextCursor`,
 * pull-to-refresh, status tags, tap → result page. Real HTTP through the page's own transport.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { MINIPROGRAM_DIST, openPage, simulate, textOf, waitFor, type SimComponent } from '../helpers/simulate';
import { openidOf, startPayContractDouble, type PayContractDouble } from './checkout.pay-contract-double';

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

const BASE = Date.parse('2026-11-20T08:00:00Z');

/** `count` orders for alice, one minute apart; O01 is the oldest. */
function seedOrders(count: number, from = 1): void {
  for (let i = from; i < from + count; i++) {
    const id = `O${String(i).padStart(2, '0')}`;
    double.seed(openidOf('alice'), {
      outTradeNo: id,
      amount: i * 100 + 1,
      description: `商品${i}`,
      state: i % 5 === 0 ? 'CLOSED' : 'PAID',
      createdAt: new Date(BASE + i * 60_000).toISOString(),
    });
  }
}

const shownIds = (page: SimComponent): string[] => (page.instance.data.orders as Array<{ outTradeNo: string }>).map((o) => o.outTradeNo);
const cards = (page: SimComponent) => page.querySelectorAll('.order');

describe('orders page (contract double of pay)', () => {
  it('shows the first page newest first, only the caller\'s orders, with amounts and status tags', async () => {
    seedOrders(12);
    double.seed(openidOf('bob'), { outTradeNo: 'BOB1', createdAt: new Date(BASE + 99 * 60_000).toISOString() });
    const page = openPage('pages/orders/index');
    await waitFor(() => cards(page).length === 10, { what: 'first page' });
    expect(shownIds(page)).toEqual(['O12', 'O11', 'O10', 'O09', 'O08', 'O07', 'O06', 'O05', 'O04', 'O03']);
    expect(double.callsOf('pay.list')[0].data).toEqual({ pageSize: 10 });
    const first = page.querySelector('#order-0')!;
    expect(textOf(first as SimComponent, '.amount')).toBe('¥12.01');
    expect(textOf(first as SimComponent, '#state')).toBe('已支付');
    expect(textOf(page.querySelector('#order-2') as SimComponent, '#state')).toBe('已关闭'); // O10
  });

  it('loads the next page on reach-bottom with nextCursor, and stops at the last page', async () => {
    seedOrders(23);
    const page = openPage('pages/orders/index');
    await waitFor(() => cards(page).length === 10);
    page.instance.onReachBottom();
    page.instance.onReachBottom(); // a second scroll event while loading: no duplicate request
    await waitFor(() => cards(page).length === 20, { what: 'second page' });
    page.instance.onReachBottom();
    await waitFor(() => cards(page).length === 23, { what: 'last page' });
    await waitFor(() => textOf(page, '#end'));
    expect(textOf(page, '#end')).toBe('没有更多了');
    page.instance.onReachBottom();
    await simulate.sleep(100);

    const lists = double.callsOf('pay.list');
    expect(lists).toHaveLength(3);
    expect(lists[0].data.cursor).toBeUndefined();
    expect(typeof lists[1].data.cursor).toBe('string');
    expect(lists[2].data.cursor).not.toBe(lists[1].data.cursor);
    const ids = shownIds(page);
    expect(new Set(ids).size).toBe(23);
    expect(ids[0]).toBe('O23');
    expect(ids[22]).toBe('O01');
  });

  it('pull-to-refresh reloads from the top and stops the refresh animation', async () => {
    seedOrders(15);
    const page = openPage('pages/orders/index');
    await waitFor(() => cards(page).length === 10);
    page.instance.onReachBottom();
    await waitFor(() => cards(page).length === 15);

    seedOrders(1, 16);
    await page.instance.onPullDownRefresh();
    await simulate.sleep(0);
    expect(shownIds(page).slice(0, 2)).toEqual(['O16', 'O15']);
    expect(cards(page)).toHaveLength(10);
    expect(double.callsOf('pay.list')[2].data).toEqual({ pageSize: 10 });
    expect(wxb.callsOf('stopPullDownRefresh')).toHaveLength(1);
    const json = JSON.parse(readFileSync(join(MINIPROGRAM_DIST, 'pages/orders/index.json'), 'utf8')) as { enablePullDownRefresh?: boolean };
    expect(json.enablePullDownRefresh).toBe(true);
  });

  it('tapping an order opens its result page', async () => {
    seedOrders(3);
    const page = openPage('pages/orders/index');
    await waitFor(() => cards(page).length === 3);
    page.querySelector('#order-1')!.querySelector('#card')!.dispatchEvent('tap');
    await waitFor(() => wxb.callsOf('navigateTo').length === 1);
    expect(wxb.callsOf('navigateTo')[0].url).toBe('/pages/result/index?outTradeNo=O02');
  });

  it('no orders: says so', async () => {
    const page = openPage('pages/orders/index');
    await waitFor(() => textOf(page, '#empty'));
    expect(textOf(page, '#empty')).toBe('还没有订单');
  });

  it('an error shows a message and a retry that loads', async () => {
    seedOrders(2);
    double.failNext('pay.list', { code: 'INTERNAL', message: 'db down', retryable: true });
    const page = openPage('pages/orders/index');
    await waitFor(() => textOf(page, '#error'));
    expect(textOf(page, '#error')).toContain('系统繁忙，请稍后重试');
    page.querySelector('#retry')!.querySelector('.van-button')!.dispatchEvent('tap');
    await waitFor(() => cards(page).length === 2, { what: 'list after retry' });
    expect(page.querySelector('#error')).toBeUndefined();
  });
});
