/**
 * createTimerHandler with the function host's local wx-server-sdk standing in for the platform:
 * `runAs(identity)` is a mini-program call (OPENID, SOURCE wx_client), `runAsTimer` a timer run
 * (no caller, SOURCE wx_trigger). Only the latter, with the published timer event, runs the job.
 */
jest.mock('wx-server-sdk', () => jest.requireActual('../../../../sandbox/host/wx-server-sdk-local'));
// reconcile's job, observed: the runtime (store, gateway client) is never built for a refused run.
const reconcileJob = jest.fn(async () => ({ checked: 0, paid: 0, closed: 0, failed: 0, refunds: 0, errors: 0 }));
const runtimeBuilt = jest.fn();
jest.mock('../../../../cloudfunctions/core/runtime', () => ({
  runtime: () => {
    runtimeBuilt();
    return { orders: { reconcile: reconcileJob } };
  },
}));

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAs, runAsTimer } from '../../../../sandbox/host/wx-server-sdk-local';
import { createTimerHandler, timerTriggerNames } from '../../../../cloudfunctions/core/kernel/platform/timer';
import { main as reconcileMain } from '../../../../cloudfunctions/reconcile/index';

const alice = { openid: 'oAlice000000000000000000000a', appid: 'wx0000000000000001' };
/** The published shape (https://cloud.tencent.com/document/product/583/31927). */
const timerEvent = { Type: 'Timer', TriggerName: 'everyMinute', Time: '2019-02-21T11:49:00Z' };

let runs: unknown[];
const main = createTimerHandler({
  triggers: ['everyMinute'],
  run: async (event) => {
    runs.push(event);
    return { checked: 1 };
  },
});

let warn: jest.SpyInstance;
beforeEach(() => {
  runs = [];
  reconcileJob.mockClear();
  runtimeBuilt.mockClear();
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('createTimerHandler', () => {
  it('runs the job for its own timer trigger and answers its result', async () => {
    expect(await runAsTimer(() => main(timerEvent))).toEqual({ checked: 1 });
    expect(await runAsTimer(() => main({ ...timerEvent, Time: '2026-01-01T00:00:00.000Z', Message: '' }))).toEqual({ checked: 1 });
    expect(runs).toEqual([timerEvent, { ...timerEvent, Time: '2026-01-01T00:00:00.000Z', Message: '' }]);
  });

  it('refuses a mini-program caller (wx.cloud.callFunction / the host), even with a perfect timer event', async () => {
    expect(await runAs(alice, () => main(timerEvent))).toEqual({ ok: false, code: 'FORBIDDEN', message: expect.stringMatching(/OPENID/), retryable: false });
    expect(await runAs(alice, () => main({ action: 'reconcile' }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(runs).toEqual([]);
  });

  it.each([
    ['an event with userInfo (what WeChat adds to a mini-program call)', { ...timerEvent, userInfo: { appId: alice.appid, openId: alice.openid } }, /userInfo/],
    ['an event with an openid', { ...timerEvent, openid: alice.openid }, /openid/],
    ['an empty event', {}, /not a timer event/],
    ['a business call', { action: 'create', amount: 1 }, /not a timer event/],
    ['another event type', { ...timerEvent, Type: 'COS' }, /Type/],
    ['no trigger name', { Type: 'Timer', Time: timerEvent.Time }, /TriggerName/],
    ['a time that is not ISO 8601', { ...timerEvent, Time: 'yesterday' }, /Time/],
    ['a trigger this function does not have', { ...timerEvent, TriggerName: 'everySecond' }, /everySecond/],
    ['not an object', 'Timer', /not a timer event/],
    ['null', null, /not a timer event/],
    ['an array', [timerEvent], /not a timer event/],
  ])('refuses %s with FORBIDDEN, without running the job', async (_name, event, reason) => {
    const answer = await runAsTimer(() => main(event));
    expect(answer).toEqual({ ok: false, code: 'FORBIDDEN', message: expect.stringMatching(reason), retryable: false });
    expect(runs).toEqual([]);
  });

  it('refuses a run whose platform SOURCE is not the timer (a devtools or HTTP API call, a chained function)', async () => {
    // Outside a timer run the local SDK reports SOURCE local-host, as WeChat reports wx_http, scf, …
    expect(await main(timerEvent)).toMatchObject({ ok: false, code: 'FORBIDDEN', message: expect.stringMatching(/local-host/) });
    expect(runs).toEqual([]);
  });

  it('lets the job fail loudly: the platform records a failed timer run', async () => {
    const failing = createTimerHandler({ triggers: ['everyMinute'], run: async () => Promise.reject(new Error('store down')) });
    await expect(runAsTimer(() => failing(timerEvent))).rejects.toThrow('store down');
  });
});

describe('the reconcile function', () => {
  it('refuses a logged-in user without building the runtime (no store read, no gateway call)', async () => {
    expect(await runAs(alice, () => reconcileMain({}))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await runAs(alice, () => reconcileMain(timerEvent))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await runAsTimer(() => reconcileMain({ action: 'reconcile' }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(runtimeBuilt).not.toHaveBeenCalled();
    expect(reconcileJob).not.toHaveBeenCalled();
  });

  it('reconciles when its timer fires', async () => {
    jest.spyOn(console, 'log').mockImplementationOnce(() => undefined);
    expect(await runAsTimer(() => reconcileMain(timerEvent))).toEqual({ checked: 0, paid: 0, closed: 0, failed: 0, refunds: 0, errors: 0 });
    expect(reconcileJob).toHaveBeenCalledTimes(1);
  });
});

describe('timerTriggerNames', () => {
  it("reads the timer trigger names of reconcile's and statement's config.json", () => {
    const configOf = (fn: string) => JSON.parse(readFileSync(join(__dirname, `../../../../cloudfunctions/${fn}/config.json`), 'utf8'));
    expect(timerTriggerNames(configOf('reconcile'))).toEqual(['everyMinute']);
    expect(timerTriggerNames(configOf('statement'))).toEqual(['daily']);
    expect(timerTriggerNames({})).toEqual([]);
    expect(timerTriggerNames({ triggers: [{ name: 'x', type: 'http' }] })).toEqual([]);
  });
});
