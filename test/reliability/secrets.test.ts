/**
 * Secrets never leave the server: after a full run (login, payments, a refund, refused inputs,
 * forged notifications, reconcile), no private key, APIv3 / APIv2 key, app secret or Huifu key
 * appears in any built mini-program file, any log line (the function host's and every console
 * line of the functions), any error message an API answered, or any dashboard page (the WeChat
 * and Huifu sandboxes' `/sandbox/` pages and the pages they link to). Each artifact is a case.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testOpenid } from '../../sandbox/gateway/login';
import { startStack, type Stack } from '../helpers/stack';
import { prepayIdOf, waitFor } from '../helpers/e2e-utils';
import { finish, Tally } from './report';
import { v3Event, v3Transaction } from './fuzz/notify-targets';

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
