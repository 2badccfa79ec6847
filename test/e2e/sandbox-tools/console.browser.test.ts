/**
 * The sandbox console (`GET /sandbox/console`) in a real headless Chromium against a real stack: live
 * updates without reload, a payment clicked through, a notification fault that leaves the
 * merchant store behind (highlighted), and a replay from the order's timeline that brings it
 * level. Screenshots: artifacts/console/.
 */
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, openSandboxConsole } from '../../helpers/browser';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, type User } from '../pay/harness';

jest.setTimeout(90_000);

let stack: Stack;
let browser: Browser;
let page: Page;
let alice: User;
const errors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ gateway: { timeScale: 1000 } }), launchChromium()]);
  alice = await login(stack, 'alice');
  page = await openSandboxConsole(browser, stack.gatewayUrl, errors);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const row = (no: string) => page.locator(`#orders tr[data-order="${no}"]`);
const newOrder = async (amount: number) => (await alice.ok('pay.create', { channel: 'jsapi', amount, idempotencyKey: idemKey(), description: '拿铁' })).order.outTradeNo;
const chinaTime = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

it('shows a new order without reload (China time, both views), and the pay button pays it', async () => {
  expect(await page.title()).toBe('WeChat Pay sandbox console');
  expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/sandbox/favicon.svg');
  expect((await fetch(`${stack.gatewayUrl}/sandbox/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');

  const no = await newOrder(1288);
  await row(no).waitFor();
  const created = (await stack.gateway.admin.order(no)) as { kind: 'order'; order: { createdAt: number } };
  await expect(row(no).locator('td').first().textContent()).resolves.toBe(chinaTime(created.order.createdAt));
  expect(await row(no).locator('td.gateway').textContent()).toBe('NOTPAY');
  expect(await row(no).locator('td.merchant').textContent()).toBe('PAYING');
  expect(await row(no).textContent()).toContain('¥12.88');

  await row(no).locator('button[data-action=pay]').click();
  await row(no).locator('td.merchant', { hasText: 'PAID' }).waitFor();
  expect(await row(no).locator('td.gateway').textContent()).toBe('SUCCESS');
  expect(await row(no).getAttribute('class')).not.toContain('mismatch');
  expect(await page.locator('#msg').textContent()).toBe(`支付 ${no}: done`);
  await page.screenshot({ path: artifactPath('console', '1-paid'), fullPage: true });
});

it('a dropped notification leaves the merchant store behind, highlighted; a replay from the timeline brings it level', async () => {
  await page.locator('button[data-fault-effect=drop]').click();
  await page.locator('#faults li', { hasText: 'notification drop' }).waitFor();

  const no = await newOrder(500);
  await row(no).locator('button[data-action=pay]').click();
  await row(no).locator('td.gateway', { hasText: 'SUCCESS' }).waitFor();
  await page.locator(`#orders tr.mismatch[data-order="${no}"]`).waitFor();
  expect(await row(no).locator('td.merchant').textContent()).toBe('PAYING≠ state: merchant PAYING, gateway SUCCESS');
  await page.locator('#faults li', { hasText: 'none armed' }).waitFor();
  await page.locator('#f-mismatch').check();
  await page.locator('#orders tbody tr').first().waitFor();
  expect(await page.locator('#orders tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-order')))).toEqual([no]);
  await page.screenshot({ path: artifactPath('console', '2-mismatch'), fullPage: true });

  await row(no).click();
  await page.locator('#timeline li[data-kind=notification]', { hasText: 'TRANSACTION.SUCCESS dropped' }).waitFor();
  expect(await page.locator('#timeline li[data-kind=request]').allTextContents()).toEqual(
    expect.arrayContaining([expect.stringContaining('POST /v3/pay/transactions/jsapi → 200'), expect.stringContaining(`/pay → 200`)]),
  );
  await page.locator('#timeline li[data-kind=notification] button[data-replay]').first().click();

  await page.locator('#orders tbody tr td', { hasText: 'none yet' }).waitFor(); // no mismatch left
  await page.locator('#f-mismatch').uncheck();
  await row(no).locator('td.merchant', { hasText: 'PAID' }).waitFor();
  await page.locator('#timeline li[data-kind=notification]', { hasText: 'TRANSACTION.SUCCESS delivered (replay)' }).waitFor();
  await page.locator('#timeline li[data-kind=attempt]', { hasText: /attempt #1 → 20[04]/ }).waitFor();
  await page.locator('#timeline li[data-kind=merchant]', { hasText: 'PAYING → PAID' }).waitFor();
  await page.screenshot({ path: artifactPath('console', '3-replayed'), fullPage: true });
});

it('filters and pages: state filter, text search, next page', async () => {
  const nos = [];
  for (let i = 0; i < 20; i++) nos.push(await newOrder(100 + i));
  await row(nos.at(-1)!).waitFor();
  expect(await page.locator('#pageinfo').textContent()).toMatch(/^page 1 \/ 2 · 2[0-9] orders$/);
  await page.locator('#next').click();
  await page.locator('#pageinfo', { hasText: /^page 2 \/ 2/ }).waitFor();
  await page.locator('#f-state').selectOption('SUCCESS');
  await page.locator('#pageinfo', { hasText: 'page 1 / 1 · 2 orders' }).waitFor();
  await page.locator('#f-state').selectOption('');
  await page.locator('#f-q').fill(nos[3]!);
  await page.locator('#pageinfo', { hasText: 'page 1 / 1 · 1 orders' }).waitFor();
  expect(errors).toEqual([]);
});
