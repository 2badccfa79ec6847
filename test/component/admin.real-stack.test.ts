/**
 * The merchant console against the REAL local stack (admin and pay functions on the function host,
 * sandbox gateway, signed v3 calls, encrypted notifications), in-process: a payer pays; the admin
 * (the sandbox user `admin`, in the local merchant config's `admins`) finds the order in the
 * console, refunds part of it from the order page through the confirmation dialog, and sees the
 * refund succeed with its notification and audit trail. A payer opening the same pages is refused
 * by the server.
 */
import { join } from 'node:path';
import { openStore } from '../../cloudfunctions/core/store';
import { startStack, type Stack } from '../helpers/stack';
import { openPage, simulate, tap, textOf, waitFor, type SimComponent, type SimNode } from '../helpers/simulate';
import { installWx, type WxBridge } from '../helpers/wx-bridge';
import { cashier, idemKey, login, waitFor as waitUntil, waitForState } from '../e2e/pay/harness';

jest.setTimeout(90_000);

let stack: Stack;
let wxb: WxBridge | undefined;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  wxb?.uninstall();
  await stack?.close();
});

async function confirmDialog(page: SimComponent): Promise<string> {
  const dialog = await waitFor(() => {
    const node = page.querySelector('#van-dialog');
    return node && node.data.show ? node : undefined;
  }, { what: 'confirmation dialog' });
  const message = String(dialog.data.message);
  dialog.instance.onConfirm();
  return message;
}

it('admin refunds part of a paid order from the console; the refund succeeds at the gateway and the page shows it', async () => {
  // A payer pays 10.00 through the real cashier.
  const carol = await login(stack, 'carol');
  const created = await carol.ok('pay.create', { channel: 'jsapi', amount: 1000, description: '咖啡豆', idempotencyKey: idemKey() });
  await cashier(stack, 'pay', created.payment);
  const { outTradeNo } = created.order;
  await waitForState(stack, outTradeNo, 'PAID');

  // The admin finds it among every payer's orders, filtered to paid ones.
  wxb = installWx({ user: 'admin', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const list = openPage('pages/admin/orders/index');
  await waitFor(() => (list.instance.data.orders as unknown[]).length > 0, { what: 'orders', timeoutMs: 20_000 });
  list.querySelector('#filter-state')!.dispatchEvent('change', { detail: { value: String((list.instance.data.stateLabels as string[]).indexOf('已支付')) } });
  await waitFor(() => (list.instance.data.orders as Array<{ outTradeNo: string; state: string }>).some((o) => o.outTradeNo === outTradeNo), { what: 'the paid order listed', timeoutMs: 20_000 });
  expect((list.instance.data.orders as Array<{ state: string }>).every((o) => o.state === 'PAID')).toBe(true);

  const page = openPage('pages/admin/order/index', { outTradeNo });
  await waitFor(() => page.querySelector('#refund'), { what: 'detail', timeoutMs: 20_000 });
  expect(textOf(page, '#amount')).toBe('¥10.00');
  expect(textOf(page, '#refundable')).toContain('¥10.00');
  expect(textOf(page, '#notification-0')).toContain('payment');
  expect(page.instance.data.order.audit.map((a: { event: string }) => a.event)).toEqual(['ORDER_CREATED', 'PREPAY_CREATED', 'PAID']);

  // Partial refund with a reason, confirmed in the dialog.
  (page.querySelector('#refund-amount') as SimNode).dispatchEvent('change', { detail: '4' });
  (page.querySelector('#refund-reason') as SimNode).dispatchEvent('change', { detail: '缺货' });
  await simulate.sleep(0);
  tap(page, '#refund');
  expect(await confirmDialog(page)).toContain('¥4.00');
  await waitFor(() => textOf(page, '#refund-0'), { what: 'refund listed', timeoutMs: 20_000 });

  // The gateway took one refund of 4.00 and reports it done (REFUND.SUCCESS notification).
  const gatewayRefunds = async () => (await stack.gateway.admin.orders()).refunds.filter((r) => r.outTradeNo === outTradeNo);
  await waitUntil('refund success at the gateway', async () => (await gatewayRefunds()).some((r) => r.status === 'SUCCESS'), 30_000);
  expect(await gatewayRefunds()).toEqual([expect.objectContaining({ refund: 400, status: 'SUCCESS' })]);
  const store = openStore({ kind: 'sqlite', file: join(stack.dataDir, 'store.sqlite') });
  try {
    await waitUntil('refund recorded', async () => (await store.getOrder(outTradeNo))?.refundedAmount === 400, 30_000);
    expect(await store.listRefunds(outTradeNo)).toEqual([expect.objectContaining({ amount: 400, state: 'SUCCESS', reason: '缺货' })]);
    expect((await store.listAudit(outTradeNo)).filter((a) => a.event === 'REFUND_STARTED').map((a) => a.actor)).toEqual(['admin']);
  } finally {
    await store.close();
  }

  // Reloaded, the page shows what is left and the refund's notification.
  await page.instance.load();
  await waitFor(() => textOf(page, '#refund-0')?.includes('退款成功'), { what: 'refund succeeded on the page', timeoutMs: 20_000 });
  expect(textOf(page, '#refunded')).toContain('¥4.00');
  expect(textOf(page, '#refundable')).toContain('¥6.00');
  expect((page.instance.data.order.notifications as Array<{ eventType: string }>).map((n) => n.eventType)).toEqual(['payment', 'refund']);
});

it('the server refuses a payer in the console, whatever the page shows', async () => {
  wxb?.uninstall();
  wxb = installWx({ user: 'carol', hostUrl: stack.hostUrl, sandboxUrl: stack.gatewayUrl });
  const home = openPage('pages/admin/index/index');
  await waitFor(() => home.querySelector('#forbidden'), { what: 'forbidden', timeoutMs: 20_000 });
  const carol = await login(stack, 'carol');
  for (const [name, request] of [
    ['admin.orders', {}],
    ['admin.order', { outTradeNo: 'X1' }],
    ['admin.totals', {}],
    ['admin.acknowledgeAlert', { id: `A${'0'.repeat(31)}` }],
    ['pay.refund', { outTradeNo: 'X1', amount: 1, idempotencyKey: idemKey() }],
  ] as const) {
    expect(await carol.call(name, request)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  }
  expect(await carol.call('admin.status', {})).toEqual({ ok: true, data: { admin: false } });
});
