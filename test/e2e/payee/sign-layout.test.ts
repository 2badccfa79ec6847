/**
 * The signing-page layout over the whole local stack (function host + sandbox gateway, real HTTP,
 * the merchant config written by sandbox/local-config.ts): `payee.signParams` signs in the
 * merchant's `payee.signLayout`, the mini-program's sign adapter (local mode) hands the
 * parameters to the sandbox signing page, which verifies the layout it was started with.
 * Matching layouts sign the payee up; a mismatch is refused and the gateway, asked again by
 * `payee.confirm`, still says UNAUTHORIZED. (Published on both sides: flow.test.ts and pages.test.ts.)
 */
import { createVerify } from 'node:crypto';
import type { PayeeSignParams } from '../../../typings/api';
import { createSignAdapter } from '../../../miniprogram/services/individual-contracts';
import { login, startRemoteStack, type RemoteStack, type RemoteStackOptions } from './remote-stack';

jest.setTimeout(90_000);

type Layout = 'published' | 'seed';
const stacks = new Map<string, RemoteStack>();
const setups: Array<{ merchant: Layout; sandbox: Layout }> = [
  { merchant: 'seed', sandbox: 'seed' },
  { merchant: 'seed', sandbox: 'published' },
  { merchant: 'published', sandbox: 'seed' },
];
const key = (s: { merchant: Layout; sandbox: Layout }) => `${s.merchant}/${s.sandbox}`;

beforeAll(async () => {
  await Promise.all(
    setups.map(async (s) => {
      const options: RemoteStackOptions = { payeeSignLayout: s.merchant, gateway: { signLayout: s.sandbox } };
      stacks.set(key(s), await startRemoteStack({}, options));
    }),
  );
});
afterAll(async () => {
  await Promise.all([...stacks.values()].map((s) => s.close()));
});

/** The mini-program's adapter in local mode, with the tester agreeing and Node's fetch as wx.request. */
function signingPage(stack: RemoteStack) {
  return createSignAdapter({
    transport: 'local',
    sandboxUrl: stack.gatewayUrl,
    loadOfficial: () => undefined,
    showModal: async () => ({ confirm: true }),
    post: async (url, body) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { statusCode: res.status, data: await res.json() };
    },
  });
}

const LINES: Record<Layout, (p: PayeeSignParams, openid: string) => string[]> = {
  published: (p) => [p.appid, p.timeStamp, p.nonceStr, p.package],
  seed: (p, openid) => [p.appid, p.timeStamp, p.nonceStr, p.mchid, openid],
};
/** Checked with node:crypto against the merchant certificate, independently of both sides. */
const signedOver = (stack: RemoteStack, p: PayeeSignParams, openid: string, layout: Layout) =>
  createVerify('RSA-SHA256').update(LINES[layout](p, openid).map((l) => `${l}\n`).join('')).verify(stack.keys.merchant.certificatePem, p.signature, 'base64');

const openidIn = (p: PayeeSignParams) => new URLSearchParams(p.package).get('openid')!;

it('seed merchant, seed sandbox: signParams signs the seed lines with certSerialNo; the signing page accepts; confirm says AUTHORIZED', async () => {
  const stack = stacks.get('seed/seed')!;
  const user = await login(stack, 'sally');
  const params = await user.ok('payee.signParams', {});
  expect(params.certSerialNo).toBe(stack.keys.merchant.serialNo);
  expect(signedOver(stack, params, openidIn(params), 'seed')).toBe(true);
  expect(signedOver(stack, params, openidIn(params), 'published')).toBe(false);
  expect(await signingPage(stack).requestSign(params)).toEqual({ kind: 'returned' });
  expect(await user.ok('payee.confirm', {})).toMatchObject({ authorized: true, authState: 'AUTHORIZED' });
});

it.each([
  ['seed', 'published'],
  ['published', 'seed'],
] as const)('%s merchant, %s sandbox: the signing page refuses; confirm still says UNAUTHORIZED', async (merchant, sandbox) => {
  const stack = stacks.get(`${merchant}/${sandbox}`)!;
  const user = await login(stack, 'mona');
  const params = await user.ok('payee.signParams', {});
  expect(params.certSerialNo).toBe(stack.keys.merchant.serialNo);
  expect(signedOver(stack, params, openidIn(params), merchant)).toBe(true);
  const outcome = await signingPage(stack).requestSign(params);
  expect(outcome).toEqual({ kind: 'failed', code: 'SANDBOX_SIGNATURE_INVALID', message: expect.stringContaining(`按 ${merchant} 布局计算`) });
  expect(await user.ok('payee.confirm', {})).toMatchObject({ authorized: false, authState: 'UNAUTHORIZED' });
  expect((await stack.admin.info()).signLayout).toBe(sandbox);
});
