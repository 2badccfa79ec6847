/**
 * createHandler / callerIdentity, with the function host's local wx-server-sdk standing in for the
 * platform (the same module the host gives bundles), so identity really comes from context.
 */
jest.mock('wx-server-sdk', () => jest.requireActual('../../../../sandbox/host/wx-server-sdk-local'));

import * as v from 'valibot';
import { runAs } from '../../../../sandbox/host/wx-server-sdk-local';
import { AppError } from '../../../../cloudfunctions/core/kernel/errors';
import { createHandler, action } from '../../../../cloudfunctions/core/kernel/platform/handler';
import { callerIdentity } from '../../../../cloudfunctions/core/kernel/platform/identity';
import { findIllFormedText } from '../../../../cloudfunctions/core/kernel/platform/well-formed';
import { main as loginMain } from '../../../../cloudfunctions/login/index';

const alice = { openid: 'oAlice000000000000000000000a', appid: 'wx0000000000000001' };

const seen: unknown[] = [];
const main = createHandler({
  actions: {
    echo: action(v.looseObject({ amount: v.pipe(v.number(), v.integer(), v.gtValue(0)), note: v.optional(v.pipe(v.string(), v.maxLength(4))) }), async (request, caller) => {
      seen.push(request);
      return { request, caller };
    }),
    fail: action(v.object({ retry: v.boolean() }), async ({ retry }) => {
      throw new AppError('GATEWAY_UNAVAILABLE', 'gateway down', retry);
    }),
    crash: action(v.object({}), async () => {
      throw new Error('secret detail at /srv/app.js:12');
    }),
  },
});

let errorSpy: jest.SpyInstance;
beforeEach(() => {
  seen.length = 0;
  errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => errorSpy.mockRestore());

describe('createHandler', () => {
  it('runs the action with the validated request and the platform caller', async () => {
    const result = await runAs(alice, () => main({ action: 'echo', amount: 100 }));
    expect(result).toEqual({ ok: true, data: { request: { amount: 100 }, caller: alice } });
  });

  it('strips openid and userInfo from the event before validation, even for a permissive schema', async () => {
    const result = await runAs(alice, () => main({ action: 'echo', amount: 1, openid: 'oMallory', userInfo: { openId: 'oMallory' }, OPENID: 'x' }));
    expect(result.ok).toBe(true);
    expect(seen).toEqual([{ amount: 1 }]);
    expect(JSON.stringify(result)).not.toContain('oMallory');
  });

  it('answers UNKNOWN_ACTION for an action the function does not have, and for a missing one', async () => {
    expect(await runAs(alice, () => main({ action: 'drop' }))).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION', message: 'unknown action "drop"' });
    expect(await runAs(alice, () => main({ amount: 1 }))).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
    // Inherited object keys are not actions.
    expect(await runAs(alice, () => main({ action: 'toString' }))).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
  });

  it('answers INVALID_ARGUMENT naming the failing field, and does not run the action', async () => {
    const fractional = await runAs(alice, () => main({ action: 'echo', amount: 1.5 }));
    expect(fractional).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', retryable: false });
    expect(fractional.ok === false && fractional.message).toMatch(/^amount: /);
    const twoBad = await runAs(alice, () => main({ action: 'echo', amount: -1, note: 'too long' }));
    expect(twoBad.ok === false && twoBad.message).toMatch(/amount: .*; note: /);
    expect(await runAs(alice, () => main({ action: 42 }))).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', message: 'action: expected a string' });
    expect(seen).toEqual([]);
  });

  it('answers UNAUTHENTICATED when the platform gives no caller', async () => {
    expect(await main({ action: 'echo', amount: 1 })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(seen).toEqual([]);
  });

  it('maps AppError to its code, message and retryable flag', async () => {
    expect(await runAs(alice, () => main({ action: 'fail', retry: true }))).toEqual({ ok: false, code: 'GATEWAY_UNAVAILABLE', message: 'gateway down', retryable: true });
    expect(await runAs(alice, () => main({ action: 'fail', retry: false }))).toEqual({ ok: false, code: 'GATEWAY_UNAVAILABLE', message: 'gateway down', retryable: false });
  });

  it('logs an unexpected error and answers INTERNAL without leaking it', async () => {
    const result = await runAs(alice, () => main({ action: 'crash' }));
    expect(result).toEqual({ ok: false, code: 'INTERNAL', message: 'internal error', retryable: false });
    expect(JSON.stringify(result)).not.toContain('secret detail');
    expect(errorSpy).toHaveBeenCalledWith('[handler] unexpected error', expect.objectContaining({ message: 'secret detail at /srv/app.js:12' }));
  });

  it('treats a non-object event as an empty request', async () => {
    expect(await runAs(alice, () => main(null))).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
    expect(await runAs(alice, () => loginMain('garbage'))).toEqual({ ok: true, data: alice });
  });
});

describe('createHandler: ill-formed text (lone UTF-16 surrogates)', () => {
  it.each([
    ['a schema field', { action: 'echo', amount: 1, note: 'a\ud800' }, /^note: must be well-formed Unicode text \(a lone surrogate at index 1\)$/],
    ['a field the schema passes through', { action: 'echo', amount: 1, memo: '\udc00' }, /^memo: must be well-formed/],
    ['a nested array element', { action: 'echo', amount: 1, items: [{ name: 'ok' }, { name: 'x\udbff' }] }, /^items\.1\.name: must be well-formed/],
    ['the action name', { action: 'echo\ud800', amount: 1 }, /^action: must be well-formed/],
    ['a field name', { action: 'echo', amount: 1, ['k\ud800']: 1 }, /^k\uFFFD: the field name must be well-formed/],
  ])('refuses %s with INVALID_ARGUMENT naming it, before validation and without running the action', async (_name, event, message) => {
    expect(await runAs(alice, () => main(event))).toEqual({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(message), retryable: false });
    expect(seen).toEqual([]);
  });

  it('accepts surrogate pairs (emoji, CJK extension B) and ignores what the platform strips (userInfo)', async () => {
    expect(await runAs(alice, () => main({ action: 'echo', amount: 1, note: '😀𠀀' }))).toMatchObject({ ok: true });
    expect(await runAs(alice, () => main({ action: 'echo', amount: 1, userInfo: { openId: '\ud800' } }))).toMatchObject({ ok: true });
  });

  it('refuses it in the login function too (a function without fields)', async () => {
    expect(await runAs(alice, () => loginMain({ note: '\ud800' }))).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^note: /) });
  });
});

describe('findIllFormedText', () => {
  it('finds lone halves anywhere, and only those', () => {
    expect(findIllFormedText('plain')).toBeUndefined();
    expect(findIllFormedText('\ud83d\ude00')).toBeUndefined();
    expect(findIllFormedText(['\ud83d\ude00\ud83d'])).toEqual({ path: '0', index: 2, inKey: false });
    expect(findIllFormedText('\ude00\ud83d')).toEqual({ path: '', index: 0, inKey: false });
    expect(findIllFormedText({ a: { b: [1, true, null, 'x\udfff'] } })).toEqual({ path: 'a.b.3', index: 1, inKey: false });
    expect(findIllFormedText({ 'k\ud800': 'v' })).toEqual({ path: 'k\uFFFD', index: 1, inKey: true });
  });

  it('walks deep nesting without overflowing the stack', () => {
    let deep: unknown = '\ud800';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(findIllFormedText(deep)?.path.split('.')).toHaveLength(20_000);
  });
});

describe('callerIdentity', () => {
  it('reads openid/appid/unionid from the platform context', () => {
    expect(runAs({ ...alice, unionid: 'oUnion' }, () => callerIdentity())).toEqual({ ...alice, unionid: 'oUnion' });
  });
  it('passes the client IP the platform reports (CLIENTIP) on to the caller', () => {
    expect(runAs({ ...alice, clientIp: '203.0.113.7' }, () => callerIdentity())).toEqual({ ...alice, clientIp: '203.0.113.7' });
  });
  it('throws the UNAUTHENTICATED app error outside a call', () => {
    expect(() => callerIdentity()).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
  it('keeps concurrent callers apart across awaits', async () => {
    const who = (openid: string) =>
      runAs({ openid, appid: alice.appid }, async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        const first = callerIdentity().openid;
        await new Promise((r) => setImmediate(r));
        return [first, callerIdentity().openid];
      });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => who(`o${i}`)));
    results.forEach((pair, i) => expect(pair).toEqual([`o${i}`, `o${i}`]));
  });
});

describe('login function', () => {
  it('has one default action answering the caller', async () => {
    expect(await runAs(alice, () => loginMain({}))).toEqual({ ok: true, data: alice });
    expect(await runAs(alice, () => loginMain({ openid: 'oMallory' }))).toEqual({ ok: true, data: alice });
    expect(await runAs(alice, () => loginMain({ action: 'default' }))).toEqual({ ok: true, data: alice });
  });
});
