/**
 * A cloud build of the mini-program services (PAY_TRANSPORT=cloud), loaded as built: calls go
 * through wx.cloud.callFunction with the contract's function/action mapping, and platform
 * failures come back as typed results. (WeChat cloud itself cannot run here, so `wx.cloud` is a
 * recording double; the code under test is the built output.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMiniprogram, payEnvFrom } from '../../../gulpfile';

type CallFunction = (opts: { name: string; data: Record<string, unknown> }) => Promise<{ result?: unknown }>;

let out: string;
let calls: Array<{ name: string; data: Record<string, unknown> }>;
let behaviour: CallFunction;
let api: { call: (name: string, data: Record<string, unknown>) => Promise<unknown> };

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'cloud-build-'));
  await buildMiniprogram({ outDir: out, env: payEnvFrom({ PAY_TRANSPORT: 'cloud', PAY_CLOUD_ENV: 'prod-123' }) });
  (globalThis as unknown as { wx: unknown }).wx = {
    cloud: {
      callFunction: (opts: { name: string; data: Record<string, unknown> }) => {
        calls.push(opts);
        return behaviour(opts);
      },
    },
    // A cloud build must not touch the local session or URLs.
    getStorageSync: () => {
      throw new Error('storage used by a cloud build');
    },
    request: () => {
      throw new Error('wx.request used by a cloud build');
    },
  };
  api = require(join(out, 'services/api.js'));
});
afterAll(() => {
  delete (globalThis as unknown as { wx?: unknown }).wx;
  rmSync(out, { recursive: true, force: true });
});
beforeEach(() => {
  calls = [];
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

it('sends pay.create to function pay with the action in the event, and returns its result', async () => {
  behaviour = async () => ({ result: { ok: true, data: { order: { outTradeNo: 'T1' } } } });
  const result = await api.call('pay.create', { channel: 'jsapi', amount: 1, idempotencyKey: 'k-12345678' });
  expect(calls).toEqual([{ name: 'pay', data: { channel: 'jsapi', amount: 1, idempotencyKey: 'k-12345678', action: 'create' } }]);
  expect(result).toEqual({ ok: true, data: { order: { outTradeNo: 'T1' } } });
});

it('sends login to function login without an action', async () => {
  behaviour = async () => ({ result: { ok: true, data: { openid: 'o1', appid: 'wx1' } } });
  await api.call('login', {});
  expect(calls).toEqual([{ name: 'login', data: {} }]);
});

it('passes a function error result through unchanged', async () => {
  behaviour = async () => ({ result: { ok: false, code: 'AMOUNT_OUT_OF_RANGE', message: 'too much', retryable: false } });
  expect(await api.call('pay.create', { channel: 'jsapi', amount: 1e9, idempotencyKey: 'k-12345678' })).toEqual({ ok: false, code: 'AMOUNT_OUT_OF_RANGE', message: 'too much', retryable: false });
});

it('turns a platform failure into a retryable TRANSPORT_ERROR', async () => {
  behaviour = async () => Promise.reject({ errMsg: 'cloud.callFunction:fail -504002 functions execute fail' });
  expect(await api.call('pay.query', { outTradeNo: 'T1' })).toEqual({
    ok: false,
    code: 'TRANSPORT_ERROR',
    message: expect.stringContaining('-504002'),
    retryable: true,
  });
});

it('refuses an answer that is not an ApiResult', async () => {
  behaviour = async () => ({ result: 'hello' });
  expect(await api.call('pay.query', { outTradeNo: 'T1' })).toMatchObject({ ok: false, code: 'INTERNAL' });
});
