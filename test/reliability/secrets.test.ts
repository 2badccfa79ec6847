/**
 * Secrets never leave the server: after a full run of every product (login; v3, APIv2 and Huifu
 * payments and refunds; a PayScore order created, confirmed and completed; the merchant console's
 * reads and an alert acknowledged; the statement; refused inputs; forged notifications at every
 * endpoint; reconcile and statement timers), no private key, APIv3 / APIv2 key, APIv2 client
 * certificate key, app secret or Huifu key appears in any built mini-program file (the merchant
 * console pages included), any log line (the function host's and every console line of the
 * functions), any error message an API answered, or any dashboard page (the WeChat and Huifu
 * sandboxes' `/sandbox/` pages, the pages they link to, and the live console's order data and
 * timelines). Each artifact is a case.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { join, resolve } from 'node:path';
import { testOpenid } from '../../sandbox/gateway/login';
import { startStack, type Stack } from '../helpers/stack';
import { prepayIdOf, waitFor } from '../helpers/e2e-utils';
import { finish, Tally } from './report';
import { createPayScoreAdmin } from '../../sandbox/gateway';
import { createV2Admin } from '../../sandbox/gateway/v2/admin';
import { huifuCashier } from '../e2e/huifu/harness';
import { notifyDriver } from './fuzz/notify-driver';
import { NOTIFICATION_TARGETS, v3Event, v3Transaction } from './fuzz/notify-targets';

jest.setTimeout(300_000);

const DIST_MINIPROGRAM = resolve(__dirname, '../../dist/miniprogram');

let stack: Stack;
const logs: string[] = [];
const answers: string[] = [];
const spies: jest.SpyInstance[] = [];

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void logs.push(args.map((a) => (a instanceof Error ? `${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '))));
  }
  stack = await startStack({ huifu: {}, log: (line) => logs.push(line) });
});
afterAll(async () => {
  await stack?.close();
  for (const spy of spies) spy.mockRestore();
});

/** The secret material of this run, as the texts a leak would contain. */
function secrets(): Array<{ name: string; text: string }> {
  const { keys } = stack.gateway;
  const out = [
    { name: 'APIv3 key', text: keys.apiV3Key },
    { name: 'APIv2 key', text: keys.apiV2Key },
    { name: 'app secret', text: keys.appSecret },
  ];
  const pems: Array<[string, string]> = [
    ['APIv2 client certificate private key', stack.gateway.v2.keys.client.privateKeyPem],
    ['merchant private key', keys.merchant.privateKeyPem],
    ['platform certificate private key', keys.platformCert.privateKeyPem],
    ['platform public-key-mode private key', keys.platformPublicKey.privateKeyPem],
  ];
  const huifu = stack.huifu?.keys;
  if (huifu) pems.push(['Huifu merchant private key', huifu.merchant.privateKeyPem], ['Huifu platform private key', huifu.huifu.privateKeyPem], ['Huifu pay-sign private key', huifu.paySign.privateKeyPem]);
  for (const [name, pem] of pems) {
    // Any full line of the key's body: a key pasted whole, in part, or without its PEM armour.
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    body.slice(0, -1).forEach((line, i) => out.push({ name: `${name} (line ${i + 1})`, text: line }));
    out.push({ name: `${name} (unwrapped)`, text: body.join('').slice(40, 120) });
  }
  out.push({ name: 'a PEM private key', text: 'PRIVATE KEY-----' });
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function fullRun(): Promise<void> {
  const { appid } = stack.gateway.keys;
  const alice = { openid: testOpenid(appid, 'alice'), appid };
  const admin = { openid: testOpenid(appid, 'admin'), appid };
  const call = async (fn: string, event: unknown, who?: { openid: string; appid: string }) => {
    const r = await stack.host.invoke(fn, event, who);
    answers.push(JSON.stringify(r));
    return r as { ok: boolean; data: Record<string, unknown> };
  };
  await call('login', {}, alice);
  const created = await call('pay', { action: 'create', channel: 'jsapi', amount: 2000, idempotencyKey: `secrets-${process.pid}` }, alice);
  const order = created.data.order as { outTradeNo: string };
  await stack.gateway.admin.pay(prepayIdOf(created.data.payment as never));
  await waitFor('paid', async () => ((await call('pay', { action: 'query', outTradeNo: order.outTradeNo }, alice)).data?.order as { state: string })?.state === 'PAID');
  await call('pay', { action: 'refund', outTradeNo: order.outTradeNo, amount: 500, idempotencyKey: `secrets-refund-${process.pid}` }, admin);
  // Refusals of every kind, each with its message.
  await call('pay', { action: 'refund', outTradeNo: order.outTradeNo, amount: 1, idempotencyKey: 'not-admin-1' }, alice);
  await call('pay', { action: 'create', channel: 'jsapi', amount: 1.5, idempotencyKey: 'x' }, alice);
  await call('pay', { action: 'create', channel: 'combine', amount: 100, idempotencyKey: `secrets-c-${process.pid}`, payeeCode: 'ABCDEFGHJK' }, alice);
  await call('payee', { action: 'signParams' }, alice);
  await call('pay', { action: 'nope' }, alice);
  await call('reconcile', { Type: 'Timer', TriggerName: 'forged', Time: 'now' }, alice);
  // Forged, stale and inconsistent notifications (the endpoint logs why it refused them).
  const { keys } = stack.gateway;
  const paid = { outTradeNo: order.outTradeNo, amount: 2000, payerOpenid: alice.openid };
  for (const event of [
    v3Event(keys, { resource: v3Transaction(keys, paid), signature: 'forged' }, Date.now()),
    v3Event(keys, { resource: v3Transaction(keys, paid), timestamp: Date.now() - 3_600_000 }, Date.now()),
    v3Event(keys, { resource: v3Transaction(keys, paid), apiV3Key: 'k'.repeat(32) }, Date.now()),
    v3Event(keys, { resource: v3Transaction(keys, paid, { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } }) }, Date.now()),
  ]) {
    answers.push(JSON.stringify(await stack.host.invoke('payNotify', event)));
  }
  answers.push(JSON.stringify(await stack.host.runTimer('reconcile')));
  await otherProducts(call, alice, admin);
}

type Call = (fn: string, event: unknown, who?: { openid: string; appid: string }) => Promise<{ ok: boolean; data: Record<string, unknown> }>;

/** APIv2, Huifu, PayScore and the merchant console, each paid / refunded / refused once, and forged notifications at every endpoint. */
async function otherProducts(call: Call, alice: { openid: string; appid: string }, admin: { openid: string; appid: string }): Promise<void> {
  const v2 = await call('pay', { action: 'create', channel: 'v2', amount: 1200, idempotencyKey: `secrets-v2-${process.pid}` }, alice);
  const payment = v2.data.payment as Record<string, string> & { kind: string };
  const { kind: _kind, ...params } = payment;
  await createV2Admin(stack.gatewayUrl).cashier(prepayIdOf(params.package), 'pay', params);
  const huifu = await call('pay', { action: 'create', channel: 'huifu', amount: 1300, idempotencyKey: `secrets-hf-${process.pid}` }, alice);
  await huifuCashier(stack, 'pay', huifu.data.payment as never);
  for (const created of [v2, huifu]) {
    const no = (created.data.order as { outTradeNo: string }).outTradeNo;
    await waitFor(`${no} paid`, async () => ((await call('pay', { action: 'query', outTradeNo: no }, alice)).data?.order as { state: string })?.state === 'PAID');
  }
  await call('pay', { action: 'refund', outTradeNo: (v2.data.order as { outTradeNo: string }).outTradeNo, amount: 100, idempotencyKey: `secrets-v2r-${process.pid}` }, admin);
  await call('pay', { action: 'create', channel: 'v2app', amount: 0, idempotencyKey: `secrets-v2a-${process.pid}` }, alice);
  // PayScore: created, confirmed by the user, completed, a deduction registered; refusals.
  const outOrderNo = `PSSECRET${process.pid}`;
  await call('payscore', { action: 'create', outOrderNo, serviceIntroduction: '充电宝租借', postPayments: [{ name: '租借费用', amount: 2500 }], riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000 } }, alice);
  await createPayScoreAdmin(stack.gatewayUrl).confirm(outOrderNo);
  await waitFor('PayScore confirmed', async () => ((await call('payscore', { action: 'query', outOrderNo }, alice)).data?.order as { state: string })?.state === 'DOING');
  await call('payscore', { action: 'complete', outOrderNo, postPayments: [{ name: '租借费用', amount: 2000 }], totalAmount: 2000 }, admin);
  await call('payscore', { action: 'registerDeduction', outOrderNo, outTradeNo: `DT${process.pid}` }, admin);
  await call('payscore', { action: 'registerDeduction', outOrderNo, outTradeNo: `DU${process.pid}` }, admin);
  await call('payscore', { action: 'complete', outOrderNo, postPayments: [{ name: 'x', amount: 1 }], totalAmount: 1 }, alice);
  await call('payscore', { action: 'create', outOrderNo: 'bad no', serviceIntroduction: '', postPayments: [], riskFund: {} }, alice);
  // The merchant console and the statement.
  for (const action of ['status', 'orders', 'totals']) await call('admin', { action }, admin);
  await call('admin', { action: 'orders' }, alice);
  const alerts = (await call('pay', { action: 'alerts', pageSize: 100 }, admin)).data?.alerts as Array<{ id: string }> | undefined;
  if (alerts?.length) await call('admin', { action: 'acknowledgeAlert', id: alerts[0].id }, admin);
  await call('admin', { action: 'order', outTradeNo: (huifu.data.order as { outTradeNo: string }).outTradeNo }, admin);
  await call('pay', { action: 'statement' }, admin);
  answers.push(JSON.stringify(await stack.host.runTimer('statement')));
  // Forged notifications at every endpoint (each logs why it refused them).
  const driver = await notifyDriver(stack);
  const order = { outTradeNo: (huifu.data.order as { outTradeNo: string }).outTradeNo, amount: 1300, payerOpenid: alice.openid, facts: {} };
  for (const target of NOTIFICATION_TARGETS) {
    for (const mutation of fc.sample(target.mutations, { numRuns: 12, seed: 1 })) answers.push(JSON.stringify(await stack.host.invoke(target.fn, mutation.make(driver.keys, order, Date.now()))));
  }
}

async function dashboardPages(): Promise<Array<{ name: string; text: string }>> {
  const pages: Array<{ name: string; text: string }> = [];
  for (const base of [stack.gatewayUrl, stack.huifu!.url]) {
    const root = await (await fetch(`${base}/sandbox/`)).text();
    pages.push({ name: `${base}/sandbox/`, text: root });
    const links = [...new Set([...root.matchAll(/href="(\/sandbox\/[^"#?]*)"/g)].map((m) => m[1]))].filter((l) => l !== '/sandbox/');
    for (const link of links) {
      const res = await fetch(`${base}${link}`);
      pages.push({ name: `${base}${link} (${res.status})`, text: await res.text() });
    }
  }
  // The live console's data: its order list (with the merchant store beside it) and every order's timeline (API bodies).
  const list = await (await fetch(`${stack.gatewayUrl}/sandbox/console/orders?pageSize=100`)).text();
  pages.push({ name: '/sandbox/console/orders', text: list });
  const numbers = [...new Set([...list.matchAll(/"outTradeNo":"([^"]+)"/g)].map((m) => m[1]))];
  for (const no of numbers) {
    const res = await fetch(`${stack.gatewayUrl}/sandbox/console/orders/${encodeURIComponent(no)}`);
    pages.push({ name: `/sandbox/console/orders/${no} (${res.status})`, text: await res.text() });
  }
  if (numbers.length < 3) pages.push({ name: 'the console listed too few orders', text: 'PRIVATE KEY-----' });
  return pages;
}

it('secrets scan: no key or secret in any built mini-program file, log line, error message or dashboard page after a full run', async () => {
  await fullRun();
  const tally = new Tally('secrets scan (artifacts)');
  const artifacts: Array<{ name: string; text: string }> = [
    ...filesUnder(DIST_MINIPROGRAM).map((file) => ({ name: file, text: readFileSync(file).toString('latin1') + readFileSync(file, 'utf8') })),
    ...logs.map((text, i) => ({ name: `log line ${i + 1}`, text })),
    ...answers.map((text, i) => ({ name: `answer ${i + 1}`, text })),
    ...(await dashboardPages()),
  ];
  const checks = secrets();
  if (logs.length < 5 || answers.length < 10) tally.unexpected(`the run produced too little to scan (${logs.length} log lines, ${answers.length} answers)`);
  for (const artifact of artifacts) {
    const leaked = checks.filter((s) => s.text && artifact.text.includes(s.text));
    if (leaked.length) tally.unexpected(`${artifact.name} contains the ${leaked.map((s) => s.name).join(', ')}`);
    else tally.accepted();
  }
  finish(tally);
});
