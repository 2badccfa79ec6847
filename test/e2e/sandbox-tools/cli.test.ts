/**
 * `npm run sandbox -- <command>` against a real stack (gateway + function host over HTTP): each
 * command's effect on the sandbox and what it prints. The CLI runs in-process (runCli), as the
 * `sandbox/cli/main.ts` entry runs it.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { testOpenid } from '../../../sandbox/gateway/login';
import { runCli, type CliIo } from '../../../sandbox/cli/commands';
import { CliError } from '../../../sandbox/cli/client';
import { startStack, type Stack } from '../../helpers/stack';
import { cashier, idemKey, login, waitFor, waitForState, type User } from '../pay/harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 1000 } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

async function cli(argv: string[], answer = false): Promise<string[]> {
  const lines: string[] = [];
  const io: CliIo = { out: (l) => lines.push(l), confirm: async () => answer };
  await runCli(argv, { gatewayUrl: stack.gatewayUrl, hostUrl: stack.hostUrl }, io);
  return lines;
}

const newOrder = async (amount = 321) => (await alice.ok('pay.create', { channel: 'jsapi', amount, idempotencyKey: idemKey() })).order.outTradeNo;
const gatewayState = async (no: string) => (await stack.gateway.admin.order(no)) as { kind: 'order'; order: { tradeState: string } };

it('orders: lists each order with the gateway state beside the merchant store state', async () => {
  const no = await newOrder(1234);
  const out = (await cli(['orders'])).join('\n');
  expect(out).toMatch(new RegExp(`v3\\s+${no}\\s+¥12\\.34\\s+NOTPAY\\s+PAYING\\s+pay,cancel,fail`));
  expect(JSON.parse((await cli(['orders', '--json'])).join('\n')).map((o: { outTradeNo: string }) => o.outTradeNo)).toContain(no);
});

it('pay <order>: the cashier pays; the merchant store follows through the notification', async () => {
  const no = await newOrder();
  expect(await cli(['pay', no])).toEqual([`pay ${no}: NOTPAY → SUCCESS`]);
  await waitForState(stack, no, 'PAID');
  expect((await cli(['orders'])).find((l) => l.includes(no))).toMatch(/SUCCESS\s+PAID\s*$/);
});

it('fail <order>: PAYERROR at the gateway; a second pay is refused with the reason in one line', async () => {
  const no = await newOrder();
  expect(await cli(['fail', no])).toEqual([`fail ${no}: NOTPAY → PAYERROR`]);
  expect((await gatewayState(no)).order.tradeState).toBe('PAYERROR');
  await expect(cli(['pay', no])).rejects.toThrow(new CliError(`v3 order ${no} is PAYERROR: cannot pay (actions now: none)`));
});

it('trigger payment.success, refund.success (now, not after its delay) and notification.replay', async () => {
  const no = await newOrder(800);
  await cli(['trigger', 'payment.success', no]);
  await waitForState(stack, no, 'PAID');
  // A slow gateway (timeScale 1 here would be 3 s): the refund is PROCESSING until triggered.
  await stack.gateway.admin.fault({ kind: 'refund', effect: 'ABNORMAL' });
  const refund = await admin.ok('pay.refund', { outTradeNo: no, amount: 300, idempotencyKey: idemKey() });
  const outRefundNo = refund.refund.outRefundNo;
  await waitFor('the refund ABNORMAL', async () => (await stack.gateway.admin.orders()).refunds.some((r) => r.outRefundNo === outRefundNo && r.status === 'ABNORMAL'));
  expect(await cli(['trigger', 'refund.success', outRefundNo])).toEqual([`refund ${outRefundNo}: ABNORMAL → SUCCESS`]);

  const before = (await stack.gateway.admin.notifications()).filter((n) => n.subject === no);
  const [line] = await cli(['trigger', 'notification.replay', no]);
  expect(line).toMatch(new RegExp(`^replayed TRANSACTION.SUCCESS about ${no}`));
  const after = await waitFor('the replay delivered', async () => {
    const list = (await stack.gateway.admin.notifications()).filter((n) => n.subject === no);
    return list.length === before.length + 1 && list.at(-1)!.status === 'delivered' ? list : undefined;
  });
  expect(after.at(-1)!.body).toBe(before[0]!.body);
  await expect(cli(['trigger', 'nonsense', no])).rejects.toThrow(/unknown event nonsense: one of payment.success, refund.success, payscore.confirm, payscore.collect, notification.replay/);
});

it('faults set | list | clear arm and disarm the gateway switches', async () => {
  expect(await cli(['faults', 'list'])).toEqual(['no faults armed']);
  const [armed] = await cli(['faults', 'set', 'endpoint', 'SYSTEM_ERROR', '--path', '/v3/pay/transactions/jsapi', '--count', '2']);
  expect(armed).toMatch(/^armed: \w{8} endpoint SYSTEM_ERROR \/v3\/pay\/transactions\/jsapi ×2$/);
  await cli(['faults', 'set', 'notification', 'corrupt', '--corruption', 'serial']);
  expect(await stack.gateway.admin.faults()).toEqual([
    expect.objectContaining({ kind: 'endpoint', effect: 'SYSTEM_ERROR', remaining: 2 }),
    expect.objectContaining({ kind: 'notification', effect: 'corrupt', corruption: 'serial' }),
  ]);
  expect(await cli(['faults', 'list'])).toHaveLength(2);
  await expect(cli(['faults', 'set', 'endpoint', 'BOGUS', '--path', '/x'])).rejects.toThrow(/400 PARAM_ERROR effect must be one of/);
  expect(await cli(['faults', 'clear'])).toEqual(['faults cleared']);
  expect(await stack.gateway.admin.faults()).toEqual([]);
});

it('notifications --follow prints each delivery attempt as it happens, until stopped', async () => {
  const lines: string[] = [];
  const controller = new AbortController();
  const following = runCli(['notifications', '--follow'], { gatewayUrl: stack.gatewayUrl, hostUrl: stack.hostUrl }, { out: (l) => lines.push(l), confirm: async () => false, signal: controller.signal });
  await waitFor('following', () => lines.includes('following (Ctrl-C to stop)…'));
  const no = await newOrder();
  await cli(['pay', no]);
  await waitFor('the attempt printed', () => lines.some((l) => new RegExp(`TRANSACTION.SUCCESS ${no} #1 → 20[04]`).test(l)));
  controller.abort();
  await following;
});

it('users: the login codes, openids and which one is the merchant admin', async () => {
  const out = await cli(['users']);
  const appid = stack.gateway.keys.appid;
  expect(out[0]).toContain('user:<name>');
  expect(out.find((l) => l.startsWith('admin '))).toMatch(new RegExp(`admin\\s+user:admin\\s+${testOpenid(appid, 'admin')}\\s+yes`));
  expect(out.find((l) => l.startsWith('tester '))).toMatch(new RegExp(`${testOpenid(appid, 'tester')}\\s+no`));
});

it('reset: asks first (no = nothing wiped); --yes wipes orders and notifications, keeps the keys', async () => {
  await newOrder();
  const keysBefore = await stack.gateway.admin.info();
  expect(await cli(['reset'], false)).toEqual(['nothing wiped']);
  expect((await stack.gateway.admin.orders()).orders.length).toBeGreaterThan(0);
  expect(await cli(['reset', '--yes'])).toEqual(['sandbox state wiped (keys kept); the merchant store is not touched']);
  expect(await stack.gateway.admin.orders()).toEqual({ orders: [], combines: [], refunds: [] });
  expect(await stack.gateway.admin.notifications()).toEqual([]);
  expect(await stack.gateway.admin.info()).toEqual(keysBefore);
  // The stack goes on working after a reset.
  const no = await newOrder();
  await cli(['pay', no]);
  await waitForState(stack, no, 'PAID');
});

it('a stack that is not running is one line naming the URL and what to do, from the real entry point', async () => {
  const run = promisify(execFile);
  const root = resolve(__dirname, '../../..');
  // A port nobody listens on: taken, then freed.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const url = `http://127.0.0.1:${port}`;
  const failed = await run(process.execPath, ['-r', 'esbuild-register', 'sandbox/cli/main.ts', 'orders'], { cwd: root, env: { ...process.env, SANDBOX_URL: url } }).catch((e: { code: number; stderr: string }) => e);
  expect(failed).toMatchObject({ code: 1 });
  expect((failed as { stderr: string }).stderr.trim()).toBe(`sandbox: the sandbox gateway is not running at ${url} (ECONNREFUSED): start the stack with \`npm start\`, or point SANDBOX_URL at it`);
});
