/**
 * `npm run sandbox -- orders | order | pay | fail` on the other gateways the sandbox emulates: Huifu
 * trades (the Huifu sandbox linked into the console by the local stack) and APIv2 orders (JSAPI
 * and APP), and PayScore service orders with the merchant store's side, against a real stack
 * (gateway, Huifu sandbox and function host over HTTP).
 */
import { runCli, type CliIo } from '../../../sandbox/cli/commands';
import { CliError } from '../../../sandbox/cli/client';
import { startStack, type Stack } from '../../helpers/stack';
import { idemKey, login, waitFor, waitForState, type User } from '../pay/harness';
import { createRequest } from '../payscore/harness';

jest.setTimeout(60_000);

let stack: Stack;
let alice: User;
let admin: User;

beforeAll(async () => {
  stack = await startStack({ gateway: { timeScale: 1000 }, huifu: { timeScale: 1000 } });
  [alice, admin] = await Promise.all([login(stack, 'alice'), login(stack, 'admin')]);
});
afterAll(async () => {
  await stack?.close();
});

async function cli(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const io: CliIo = { out: (l) => lines.push(l), confirm: async () => false };
  await runCli(argv, { gatewayUrl: stack.gatewayUrl, hostUrl: stack.hostUrl }, io);
  return lines;
}

const newOrder = async (channel: 'huifu' | 'v2' | 'v2app', amount = 321) => (await alice.ok('pay.create', { channel, amount, idempotencyKey: idemKey() })).order.outTradeNo;
const huifuTrade = async (no: string) => (await stack.huifu!.admin.trades()).trades.find((t) => t.reqSeqId === no)!;

it('orders lists Huifu trades (trans_stat beside the merchant store) and APIv2 orders, APP ones as v2app; --channel huifu narrows', async () => {
  const [h, v, a] = [await newOrder('huifu', 1234), await newOrder('v2', 560), await newOrder('v2app', 780)];
  const out = (await cli(['orders'])).join('\n');
  expect(out).toMatch(new RegExp(`huifu\\s+${h}\\s+¥12\\.34\\s+P\\s+PAYING\\s+pay,cancel,fail`));
  expect(out).toMatch(new RegExp(`v2\\s+${v}\\s+¥5\\.60\\s+NOTPAY\\s+PAYING\\s+pay,cancel,fail`));
  expect(out).toMatch(new RegExp(`v2app\\s+${a}\\s+¥7\\.80\\s+NOTPAY\\s+PAYING\\s+pay,cancel,fail`));
  const huifuOnly = await cli(['orders', '--channel', 'huifu']);
  expect(huifuOnly.slice(1).every((l) => /^\S+ \S+\s+huifu\s/.test(l))).toBe(true);
  expect(huifuOnly.join('\n')).toContain(h);
});

it('pay <huifu order>: the Huifu cashier pays (P → S); its notifications bring the merchant store to PAID; order shows the Huifu calls', async () => {
  const no = await newOrder('huifu');
  expect(await cli(['pay', no])).toEqual([`pay ${no}: P → S`]);
  expect((await huifuTrade(no)).transStat).toBe('S');
  await waitForState(stack, no, 'PAID');
  const timeline = (await cli(['order', no])).join('\n');
  expect(timeline).toMatch(new RegExp(`^huifu ${no} ¥3\\.21 gateway S · merchant PAID`));
  expect(timeline).toContain('huifu POST /v2/trade/payment/jspay → 200 00000100');
  expect(timeline).toMatch(/huifu POST \/sandbox\/cashier\/[^ ]+\/pay → 200/);
  await waitFor('the attempt on the timeline', async () => /huifu trade attempt #1 → 200/.test((await cli(['order', no])).join('\n')));
});

it('fail <huifu order>: trans_stat F; a second pay is refused in one line', async () => {
  const no = await newOrder('huifu');
  expect(await cli(['fail', no])).toEqual([`fail ${no}: P → F`]);
  expect((await huifuTrade(no)).transStat).toBe('F');
  await expect(cli(['pay', no])).rejects.toThrow(new CliError(`huifu order ${no} is F: cannot pay (actions now: none)`));
});

it('pay <v2 order> and <v2app order>: paid at the gateway, PAID in the merchant store; the /secapi refund shows on the order', async () => {
  const v = await newOrder('v2');
  const a = await newOrder('v2app');
  expect(await cli(['pay', v])).toEqual([`pay ${v}: NOTPAY → SUCCESS`]);
  expect(await cli(['fail', a])).toEqual([`fail ${a}: NOTPAY → PAYERROR`]);
  await waitForState(stack, v, 'PAID');
  await admin.ok('pay.refund', { outTradeNo: v, amount: 100, idempotencyKey: idemKey() });
  const timeline = (await cli(['order', v])).join('\n');
  expect(timeline).toContain('POST /pay/unifiedorder → 200');
  expect(timeline).toContain('POST /secapi/pay/refund → 200');
  // The XML notification of the payment, with its attempt (the order's timeline used to fail on XML bodies).
  expect(timeline).toMatch(/notification +\S+ delivered/);
  expect(timeline).toMatch(/attempt +\S+ attempt #1 → 200/);
});

it("PayScore service orders carry the merchant store's side too (their own table); a confirm brings both to DOING/USER_CONFIRM", async () => {
  const { order } = await alice.ok('payscore.create', createRequest());
  const no = order.outOrderNo;
  expect((await cli(['orders', '--channel', 'payscore'])).find((l) => l.includes(no))).toMatch(new RegExp(`payscore\\s+${no}\\s+—\\s+CREATED\\s+CREATED\\s+confirm,refuse$`));
  await cli(['trigger', 'payscore.confirm', no]);
  await waitFor('the merchant store confirmed', async () => (await cli(['orders', '--channel', 'payscore'])).find((l) => l.includes(no) && /DOING\/USER_CONFIRM\s+DOING\/USER_CONFIRM\s*$/.test(l)));
  const timeline = (await cli(['order', no])).join('\n');
  expect(timeline).toContain(`gateway DOING/USER_CONFIRM · merchant DOING/USER_CONFIRM`);
  expect(timeline).toMatch(/merchant +merchant user: \S+ ∅ → CREATED/);
  expect(timeline).toMatch(/merchant +merchant notify: \S+ CREATED → DOING\/USER_CONFIRM/);
});

it('reset --yes wipes the linked Huifu sandbox with the WeChat one: trades, notifications and faults gone, keys kept, new trades go on', async () => {
  const paid = await newOrder('huifu');
  await cli(['pay', paid]);
  await waitForState(stack, paid, 'PAID');
  await stack.huifu!.admin.fault({ kind: 'endpoint', path: '/v2/trade/payment/scanpay/*', effect: 'SYSTEM_ERROR', count: 5 });
  const huifuFaults = async () => (await (await fetch(`${stack.huifu!.url}/sandbox/admin/faults`)).json()) as { faults: unknown[] };
  expect((await huifuFaults()).faults).toHaveLength(1);
  const infoBefore = await stack.huifu!.admin.info();
  expect((await stack.huifu!.admin.trades()).trades.length).toBeGreaterThan(0);

  const lines: string[] = [];
  await runCli(['reset', '--yes'], { gatewayUrl: stack.gatewayUrl, hostUrl: stack.hostUrl }, { out: (l) => lines.push(l), confirm: async () => true });
  expect(lines).toEqual(['sandbox state wiped (keys kept); the merchant store is not touched']);
  expect(await stack.huifu!.admin.trades()).toEqual({ trades: [], refunds: [] });
  expect(await stack.huifu!.admin.notifications()).toEqual([]);
  expect((await huifuFaults()).faults).toEqual([]);
  expect(await stack.huifu!.admin.info()).toEqual(infoBefore);

  const again = await newOrder('huifu');
  await cli(['pay', again]);
  await waitForState(stack, again, 'PAID');
});
