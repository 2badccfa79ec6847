/**
 * Fuzzing the notification endpoints (notify-targets.ts) through the real bundles: a generated
 * sound notification for a paying order is applied once (204; its replays 204 and change nothing);
 * every generated bad one — wrong signature, stale or future timestamp, unknown serial, tampered
 * ciphertext or body, truncated or reordered body, missing headers, garbage, another amount or
 * merchant — gets a 4xx FAIL and writes nothing (a verified but inconsistent one may only log and
 * raise an alert). Counted in the report table.
 */
import fc from 'fast-check';
import { testOpenid } from '../../../sandbox/gateway/login';
import { startStack, type Stack } from '../../helpers/stack';
import { finish, Tally } from '../report';
import { FUZZ_SEED, SIZE } from '../size';
import { changedTables, snapshotStore } from '../store-snapshot';
import { NOTIFICATION_TARGETS, type NotificationTarget, type PaidOrder } from './notify-targets';

jest.setTimeout(600_000);

let stack: Stack;
let payer: { openid: string; appid: string };
let n = 0;

beforeAll(async () => {
  stack = await startStack();
  payer = { openid: testOpenid(stack.gateway.keys.appid, 'alice'), appid: stack.gateway.keys.appid };
});
afterAll(async () => {
  await stack?.close();
});

async function payingOrder(amount: number): Promise<PaidOrder> {
  const r = (await stack.host.invoke('pay', { action: 'create', channel: 'jsapi', amount, idempotencyKey: `notify-fuzz-${process.pid}-${++n}` }, payer)) as { ok: boolean; data: { order: { outTradeNo: string } } };
  if (!r.ok) throw new Error(`create: ${JSON.stringify(r)}`);
  return { outTradeNo: r.data.order.outTradeNo, amount, payerOpenid: payer.openid };
}

type Reply = { statusCode: number; body: string };
const post = async (target: NotificationTarget, event: unknown): Promise<Reply | string> => {
  try {
    const r = (await stack.host.invoke(target.fn, event)) as { statusCode?: number; body?: string };
    return { statusCode: r?.statusCode ?? 200, body: r?.body ?? '' };
  } catch (e) {
    return `threw ${(e as Error).stack}`;
  }
};

it.each(NOTIFICATION_TARGETS.map((t) => [t.name, t] as const))('fuzz %s notifications: sound ones applied once, every corrupted one refused with nothing written', async (name, target) => {
  const tally = new Tally(`fuzz notify ${name}`);
  const order = await payingOrder(4321);
  const { keys } = stack.gateway;
  // Bad ones first, against a PAYING order (a bad one must not pay it).
  const mutations = fc.sample(target.mutations, { numRuns: SIZE.notifyFuzzRuns, seed: FUZZ_SEED });
  for (const mutation of mutations) {
    const before = snapshotStore(stack.dataDir);
    const reply = await post(target, mutation.make(keys, order, Date.now()));
    const changed = changedTables(before, snapshotStore(stack.dataDir)).filter((t) => !(mutation.mayWrite ?? []).includes(t));
    if (typeof reply === 'string') tally.unexpected(`${mutation.describe}: ${reply}`);
    else if (!target.refused(reply)) tally.unexpected(`${mutation.describe}: answered ${reply.statusCode} ${reply.body.slice(0, 120)}`);
    else if (changed.length) tally.unexpected(`${mutation.describe}: wrote ${changed.join(', ')}`);
    else tally.refused();
  }
  // Sound ones: generated amounts, each on its own order, applied once; a replay changes nothing.
  const amounts = fc.sample(fc.integer({ min: 1, max: 5_000_000 }), { numRuns: Math.max(5, Math.floor(SIZE.notifyFuzzRuns / 8)), seed: FUZZ_SEED });
  for (const amount of amounts) {
    const paying = await payingOrder(amount);
    const sound = target.sound(keys, paying, Date.now());
    const first = await post(target, sound);
    if (typeof first === 'string' || !target.applied(first)) {
      tally.unexpected(`sound notification for ${amount}: ${typeof first === 'string' ? first : `${first.statusCode} ${first.body}`}`);
      continue;
    }
    tally.accepted();
    const state = (await stack.host.invoke('pay', { action: 'query', outTradeNo: paying.outTradeNo }, payer)) as { data: { order: { state: string } } };
    if (state.data.order.state !== 'PAID') tally.lost(`${paying.outTradeNo} answered 204 but is ${state.data.order.state}`);
    const { notifications: _n, ...before } = snapshotStore(stack.dataDir);
    const replay = await post(target, sound);
    const { notifications: _m, ...after } = snapshotStore(stack.dataDir);
    const changed = changedTables(before, after);
    if (typeof replay === 'string' || !target.applied(replay) || changed.length) tally.unexpected(`replay of a sound notification: ${typeof replay === 'string' ? replay : replay.statusCode} wrote ${changed.join(', ')}`);
    else tally.accepted();
  }
  const still = (await stack.host.invoke('pay', { action: 'query', outTradeNo: order.outTradeNo }, payer)) as { data: { order: { state: string } } };
  if (still.data.order.state !== 'PAYING') tally.unexpected(`the order the bad notifications named is ${still.data.order.state}`);
  finish(tally);
});
