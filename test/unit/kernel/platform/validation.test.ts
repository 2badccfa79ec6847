/**
 * Validation messages: valibot's default words are generic ("Invalid type: Expected …"), so
 * kernel/validation.ts words them — the field's path and what was expected — for the pay
 * function's own schemas, the timer event and the merchant config.
 */
jest.mock('wx-server-sdk', () => jest.requireActual('../../../../sandbox/host/wx-server-sdk-local'));

import * as v from 'valibot';
import { runAs } from '../../../../sandbox/host/wx-server-sdk-local';
import { describeIssues, httpUrl, validate } from '../../../../cloudfunctions/core/kernel/validation';
import { main as payMain } from '../../../../cloudfunctions/pay/index';

const alice = { openid: 'oAlice000000000000000000000a', appid: 'wx0000000000000001' };
const pay = (event: Record<string, unknown>) => runAs(alice, () => payMain(event));
const messageOf = async (event: Record<string, unknown>) => {
  const answer = await pay(event);
  expect(answer).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  return answer.ok ? '' : answer.message;
};

describe('pay: every refusal names the field and what it must be', () => {
  it.each([
    ['fractional fen', { amount: 1.5 }, 'amount: must be an integer number of fen'],
    ['fen as a string', { amount: '100' }, 'amount: must be an integer number of fen'],
    ['zero fen', { amount: 0 }, 'amount: must be positive'],
    ['no amount', { amount: undefined }, 'amount: is required'],
    ['unknown channel', { channel: 'alipay' }, 'channel: must be one of jsapi, combine, v2, v2app, huifu'],
    ['short idempotency key', { idempotencyKey: 'abc' }, 'idempotencyKey: must be 8–64 characters of [A-Za-z0-9_-]'],
    ['description of 128 characters', { description: 'a'.repeat(128) }, 'description: must be at most 127 characters'],
    ['empty payee code', { channel: 'combine', payeeCode: '' }, 'payeeCode: must not be empty'],
  ])('create: %s', async (_name, fields, message) => {
    expect(await messageOf({ action: 'create', channel: 'jsapi', amount: 100, idempotencyKey: 'key_0000001', ...fields })).toBe(message);
  });

  it('lists several failing fields in one answer', async () => {
    expect(await messageOf({ action: 'create', channel: 'alipay', amount: -1, idempotencyKey: 'key_0000001' })).toBe(
      'channel: must be one of jsapi, combine, v2, v2app, huifu; amount: must be positive',
    );
  });

  it.each([
    ['pageSize 0', { pageSize: 0 }, 'pageSize: must be at least 1'],
    ['pageSize 1000', { pageSize: 1000 }, 'pageSize: must be at most 100'],
    ['role', { role: 'admin' }, 'role: must be one of payer, payee'],
    ['cursor of a number', { cursor: 5 }, 'cursor: must be a string'],
  ])('list: %s', async (_name, fields, message) => {
    expect(await messageOf({ action: 'list', ...fields })).toBe(message);
  });
});

describe('describeIssues', () => {
  it('names an unknown field by its own path, a nested field by its dotted path, the root by name', () => {
    const schema = v.strictObject({ http: v.strictObject({ timeoutMs: v.pipe(v.number(), v.integer(), v.minValue(100)) }), url: httpUrl() });
    const result = validate(schema, { http: { timeoutMs: 5, extra: 1 }, url: 'ftp://x', mchId: '1' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(describeIssues(result.issues, { limit: Infinity })).toBe(
      'http.timeoutMs: must be at least 100; http.extra: unknown field; url: must be an http(s) URL; mchId: unknown field',
    );
    const root = validate(schema, 'text');
    expect(!root.success && describeIssues(root.issues, { root: '(config)' })).toBe('(config): must be an object');
  });

  it('keeps a message the schema gives itself', () => {
    const result = validate(v.object({ code: v.pipe(v.string(), v.regex(/^[A-Z]{8}$/, 'not a share code')) }), { code: 'x' });
    expect(!result.success && describeIssues(result.issues)).toBe('code: not a share code');
  });
});
