/**
 * Fuzzing the notification endpoints (notify-targets.ts: v3 JSON, PayScore, APIv2 XML, Huifu form)
 * through the real bundles: a generated sound notification for a waiting order is applied once
 * (its replays answered as applied and changing nothing), in each of its sound forms; every
 * generated bad one — wrong signature, stale or future timestamp, unknown serial, tampered
 * ciphertext or body, truncated or reordered body, DOCTYPE, oversized, ill-formed Unicode, missing
 * headers, garbage, another amount, merchant or order — gets the endpoint's refusal and writes
 * nothing (a verified but inconsistent one may only log and raise an alert). Counted in the report.
 */
import fc from 'fast-check';
import { startStack, type Stack } from '../../helpers/stack';
import { finish, Tally } from '../report';
import { FUZZ_SEED, SIZE } from '../size';
import { changedTables, snapshotStore } from '../store-snapshot';
import { notifyDriver } from './notify-driver';
import { NOTIFICATION_TARGETS, type NotificationTarget, type NotifyDriver } from './notify-targets';

jest.setTimeout(600_000);

let stack: Stack;
let driver: NotifyDriver;

beforeAll(async () => {
  stack = await startStack({ huifu: {} });
  driver = await notifyDriver(stack);
});
afterAll(async () => {
  await stack?.close();
});

type Reply = { statusCode: number; body: string };
const post = async (target: NotificationTarget, event: unknown): Promise<Reply | string> => {
  try {
    const r = (await stack.host.invoke(target.fn, event)) as { statusCode?: number; body?: string };
    return { statusCode: r?.statusCode ?? 200, body: r?.body ?? '' };
  } catch (e) {
    return `threw ${(e as Error).stack}`;
  }
};
const shown = (r: Reply | string) => (typeof r === 'string' ? r : `${r.statusCode} ${r.body.slice(0, 160)}`);

it.each(NOTIFICATION_TARGETS.map((t) => [t.name, t] as const))('fuzz %s notifications: sound ones applied once, every corrupted one refused with nothing written', async (name, target) => {
  const tally = new Tally(`fuzz notify ${name}`);
  const order = await target.subject(driver, 4321);
  const { keys } = driver;
  // Bad ones first, against a waiting order (a bad one must not move it).
  const mutations = fc.sample(target.mutations, { numRuns: SIZE.notifyFuzzRuns, seed: FUZZ_SEED });
  for (const mutation of mutations) {
    const before = snapshotStore(stack.dataDir);
    const reply = await post(target, mutation.make(keys, order, Date.now()));
    const changed = changedTables(before, snapshotStore(stack.dataDir)).filter((t) => !(mutation.mayWrite ?? []).includes(t));
    if (typeof reply === 'string') tally.unexpected(`${mutation.describe}: ${reply}`);
    else if (!target.refused(reply)) tally.unexpected(`${mutation.describe}: answered ${shown(reply)}`);
    else if (changed.length) tally.unexpected(`${mutation.describe}: wrote ${changed.join(', ')}`);
    else tally.refused();
  }
  // Sound ones: generated amounts and forms, each on its own order, applied once; a replay changes nothing.
  const sounds = fc.sample(fc.tuple(fc.integer({ min: 1, max: 5_000_000 }), target.soundVariants ?? fc.constant({ describe: 'sound', make: target.sound })), { numRuns: Math.max(5, Math.floor(SIZE.notifyFuzzRuns / 8)), seed: FUZZ_SEED });
  for (const [amount, variant] of sounds) {
    const waiting = await target.subject(driver, amount);
    const sound = variant.make(keys, waiting, Date.now());
    const first = await post(target, sound);
    if (typeof first === 'string' || !target.applied(first)) {
      tally.unexpected(`sound notification (${variant.describe}) for ${amount}: ${shown(first)}`);
      continue;
    }
    tally.accepted();
    const state = target.stateOf(driver, waiting);
    if (state !== target.states.done) tally.lost(`${waiting.outTradeNo} (${variant.describe}) answered as applied but is ${state}`);
    const { notifications: _n, ...before } = snapshotStore(stack.dataDir);
    const replay = await post(target, sound);
    const { notifications: _m, ...after } = snapshotStore(stack.dataDir);
    const changed = changedTables(before, after);
    if (typeof replay === 'string' || !target.applied(replay) || changed.length) tally.unexpected(`replay of a sound notification (${variant.describe}): ${shown(replay)} wrote ${changed.join(', ')}`);
    else tally.accepted();
  }
  const still = target.stateOf(driver, order);
  if (still !== target.states.waiting) tally.unexpected(`the order the bad notifications named is ${still}`);
  finish(tally);
});
