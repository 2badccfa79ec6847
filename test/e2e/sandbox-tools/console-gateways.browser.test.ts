/**
 * The sandbox console (`GET /sandbox/console`) in a real headless Chromium for the gateways beside
 * WeChat APIv3: a Huifu payment clicked through (the Huifu sandbox linked into the console by the
 * local stack: trans_stat beside the merchant store, a dropped notification highlighted, the trade's
 * timeline with the Huifu calls and every notification attempt) and an APIv2 order paid from the
 * console and refunded through /secapi (mutual TLS), the refund call on its timeline.
 * Screenshots: artifacts/console/.
 */
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, openSandboxConsole } from '../../helpers/browser';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, waitForState, type User } from '../pay/harness';

jest.setTimeout(90_000);

let stack: Stack;
let browser: Browser;
let page: Page;
let alice: User;
let admin: User;
const errors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ gateway: { timeScale: 1000 }, huifu: { timeScale: 1000 } }), launchChromium()]);
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
  page = await openSandboxConsole(browser, stack.gatewayUrl, errors);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const row = (no: string) => page.locator(`#orders tr[data-order="${no}"]`);
const newOrder = async (channel: 'huifu' | 'v2', amount: number) => (await alice.ok('pay.create', { channel, amount, idempotencyKey: idemKey(), description: '拿铁' })).order.outTradeNo;

it('a Huifu payment clicked through: P beside PAYING, the pay button pays in the Huifu sandbox, S beside PAID; its timeline has the Huifu calls and notifications', async () => {
  await page.locator('#info', { hasText: `Huifu sandbox ${stack.huifu!.url}` }).waitFor();
  const no = await newOrder('huifu', 1288);
  await row(no).waitFor();
  expect(await row(no).locator('td').nth(1).textContent()).toBe('huifu');
  expect(await row(no).locator('td.gateway').textContent()).toBe('P');
  expect(await row(no).locator('td.merchant').textContent()).toBe('PAYING');
  expect(await row(no).textContent()).toContain('¥12.88');

  await row(no).locator('button[data-action=pay]').click();
  await row(no).locator('td.merchant', { hasText: 'PAID' }).waitFor();
  expect(await row(no).locator('td.gateway').textContent()).toBe('S');
  expect(await row(no).getAttribute('class')).not.toContain('mismatch');
  expect(await page.locator('#msg').textContent()).toBe(`支付 ${no}: done`);
  expect((await stack.huifu!.admin.trades()).trades.find((t) => t.reqSeqId === no)?.transStat).toBe('S');

  await row(no).click();
  await page.locator('#timeline li[data-kind=attempt]', { hasText: 'huifu acct attempt #1 → 200' }).waitFor();
  expect(await page.locator('#timeline li[data-kind=request]').allTextContents()).toEqual([
    expect.stringContaining('huifu POST /v2/trade/payment/jspay → 200 00000100'),
    expect.stringMatching(/huifu POST \/sandbox\/cashier\/\S+\/pay → 200/),
  ]);
  expect(await page.locator('#timeline li[data-kind=notification]').allTextContents()).toEqual([
    expect.stringContaining('huifu trade notification delivered'),
    expect.stringContaining('huifu acct notification delivered'),
  ]);
  // Huifu has no replay: no replay button on its notifications.
  expect(await page.locator('#timeline button[data-replay]').count()).toBe(0);
  await page.locator('#timeline li[data-kind=merchant]', { hasText: 'PAYING → PAID' }).waitFor();
  await page.screenshot({ path: artifactPath('console', '4-huifu-paid'), fullPage: true });
});

it("the Huifu sandbox's fault switches from the console: dropped notifications leave the merchant store behind, highlighted", async () => {
  for (const kind of ['trade', 'acct']) {
    await page.locator('#hf-fault-event').selectOption(kind);
    await page.locator('#huifu-faults button[data-hf-fault=drop]').click();
    await page.locator('#hf-faults li', { hasText: `notification drop ${kind} ×1` }).waitFor();
  }
  expect((await stack.huifu!.admin.fault({ kind: 'notification', effect: 'delay', eventType: 'refund' })).kind).toBe('notification');
  await page.locator('#hf-faults li', { hasText: 'notification delay refund' }).waitFor();
  await page.locator('#hf-fault-clear').click();
  await page.locator('#hf-faults li', { hasText: 'none armed' }).waitFor();
  for (const kind of ['trade', 'acct']) {
    await page.locator('#hf-fault-event').selectOption(kind);
    await page.locator('#huifu-faults button[data-hf-fault=drop]').click();
    await page.locator('#hf-faults li', { hasText: `notification drop ${kind} ×1` }).waitFor();
  }
  const no = await newOrder('huifu', 500);
  await row(no).locator('button[data-action=pay]').click();
  await page.locator(`#orders tr.mismatch[data-order="${no}"]`).waitFor();
  expect(await row(no).locator('td.merchant').textContent()).toBe('PAYING≠ state: merchant PAYING, gateway S');
  await row(no).click();
  await page.locator('#timeline li[data-kind=notification]', { hasText: 'huifu trade notification dropped' }).waitFor();
  await page.locator('#hf-faults li', { hasText: 'none armed' }).waitFor();
  await page.screenshot({ path: artifactPath('console', '5-huifu-mismatch'), fullPage: true });
});

it('an APIv2 order paid from the console and refunded: the /secapi refund call (mutual TLS) is on its timeline', async () => {
  const no = await newOrder('v2', 900);
  await row(no).locator('button[data-action=pay]').click();
  await row(no).locator('td.merchant', { hasText: 'PAID' }).waitFor();
  expect(await row(no).locator('td.gateway').textContent()).toBe('SUCCESS');
  await waitForState(stack, no, 'PAID');
  await admin.ok('pay.refund', { outTradeNo: no, amount: 300, reason: '缺货', idempotencyKey: idemKey() });

  await row(no).click();
  const refundCall = page.locator('#timeline li[data-kind=request]', { hasText: 'POST /secapi/pay/refund → 200' });
  await refundCall.waitFor();
  await refundCall.locator('summary').click();
  const detail = JSON.parse((await refundCall.locator('pre').textContent())!) as { request: Record<string, string>; response: Record<string, string> };
  expect(detail.request).toMatchObject({ out_trade_no: no, refund_fee: '300', total_fee: '900' });
  expect(detail.response).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: no });
  expect(await page.locator('#timeline li[data-kind=request]').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('POST /pay/unifiedorder → 200')]));
  await page.locator('#timeline li[data-kind=notification]', { hasText: 'delivered' }).first().waitFor();
  await page.screenshot({ path: artifactPath('console', '6-v2-refund'), fullPage: true });
  expect(errors).toEqual([]);
});
