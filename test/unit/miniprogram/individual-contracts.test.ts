/**
 * The requestSign adapter (miniprogram/services/individual-contracts.ts), from its TS source with
 * injected deps: which signing page it opens in each mode and how outcomes map.
 */
import type { PayeeSignParams } from '../../../typings/api';
import { createSignAdapter, loadOfficialModule, type SignDeps } from '../../../miniprogram/services/individual-contracts';

const params: PayeeSignParams = {
  mchid: '1900009191',
  appid: 'wx1234567890abcdef',
  timeStamp: '1767240000',
  nonceStr: 'NONCE',
  package: 'openid=oAlice&permissionType=INDIVIDUAL_PAYEE',
  signType: 'RSA',
  certSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  signature: 'c2lnbmF0dXJl',
};

function deps(overrides: Partial<SignDeps>): SignDeps & { posts: Array<{ url: string; body: unknown }>; modals: number } {
  const record = {
    posts: [] as Array<{ url: string; body: unknown }>,
    modals: 0,
  };
  return Object.assign(record, {
    transport: 'cloud' as const,
    sandboxUrl: 'http://127.0.0.1:9400/',
    loadOfficial: () => undefined,
    showModal: async () => {
      record.modals++;
      return { confirm: true };
    },
    post: async (url: string, body: unknown) => {
      record.posts.push({ url, body });
      return { statusCode: 200, data: {} };
    },
    ...overrides,
  });
}

describe('cloud mode (official package)', () => {
  it('without the package installed: a clear SDK_MISSING failure, no crash', async () => {
    expect(loadOfficialModule()).toBeUndefined();
    expect(await createSignAdapter(deps({})).requestSign(params)).toMatchObject({ kind: 'failed', code: 'SDK_MISSING' });
  });

  it('passes the server-signed fields through unchanged and maps success to an unconfirmed "returned"', async () => {
    const seen: unknown[] = [];
    const official = {
      requestSign(options: WechatPayIndividualContracts.RequestSignOptions) {
        seen.push({ ...options, success: undefined, fail: undefined, complete: undefined });
        options.success?.({ auth_state: 'AUTHORIZED', individual_auth_id: 'CLAIMED' });
      },
    };
    const d = deps({ loadOfficial: () => official });
    expect(await createSignAdapter(d).requestSign(params)).toEqual({ kind: 'returned' });
    expect(seen[0]).toMatchObject(params);
    expect(d.posts).toHaveLength(0);
  });

  it("gives requestSign exactly the published page's fields, certSerialNo included, and nothing else", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const official = {
      requestSign(options: WechatPayIndividualContracts.RequestSignOptions) {
        const { success, fail, complete, ...fields } = options;
        seen.push(fields);
        expect([typeof success, typeof fail, complete]).toEqual(['function', 'function', undefined]);
        success?.({});
      },
    };
    const extra = { ...params, openid: 'oAlice', secret: 'x' } as PayeeSignParams;
    await createSignAdapter(deps({ loadOfficial: () => official })).requestSign(extra);
    expect(seen).toEqual([params]);
    expect(seen[0]!.certSerialNo).toBe('5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
  });

  it.each([
    [{ code: 'USER_CANCEL', message: 'user cancel' }, { kind: 'cancelled' }],
    [{ errMsg: 'requestSign:fail cancel' }, { kind: 'cancelled' }],
    [{ code: 'SIGN_ERROR', message: '签名错误' }, { kind: 'failed', code: 'SIGN_ERROR', message: '签名错误' }],
  ])('fail(%j) → %j', async (err, outcome) => {
    const official = { requestSign: (o: WechatPayIndividualContracts.RequestSignOptions) => o.fail?.(err) };
    expect(await createSignAdapter(deps({ loadOfficial: () => official })).requestSign(params)).toEqual(outcome);
  });

  it('a throwing package is a failure, not an exception', async () => {
    const official = {
      requestSign: () => {
        throw new Error('boom');
      },
    };
    expect(await createSignAdapter(deps({ loadOfficial: () => official })).requestSign(params)).toEqual({ kind: 'failed', code: 'SDK_ERROR', message: 'boom' });
  });
});

describe('local mode (sandbox signing page)', () => {
  it('asks the tester, then posts the signed fields to the sandbox', async () => {
    const d = deps({ transport: 'local', loadOfficial: () => ({ requestSign: () => Promise.reject(new Error('must not be used locally')) as never }) });
    expect(await createSignAdapter(d).requestSign(params)).toEqual({ kind: 'returned' });
    expect(d.modals).toBe(1);
    expect(d.posts).toEqual([{ url: 'http://127.0.0.1:9400/sandbox/sign', body: params }]);
  });

  it('the sandbox signing page gets the same fields, certSerialNo included', async () => {
    const d = deps({ transport: 'local' });
    await createSignAdapter(d).requestSign({ ...params, openid: 'oAlice' } as PayeeSignParams);
    expect(d.posts.map((p) => p.body)).toEqual([params]);
    expect((d.posts[0]!.body as PayeeSignParams).certSerialNo).toBe(params.certSerialNo);
  });

  it('cancel in the modal posts nothing', async () => {
    const d = deps({ transport: 'local', showModal: async () => ({ confirm: false }) });
    expect(await createSignAdapter(d).requestSign(params)).toEqual({ kind: 'cancelled' });
    expect(d.posts).toHaveLength(0);
  });

  it('a refused signature reports the gateway code', async () => {
    const d = deps({ transport: 'local', post: async () => ({ statusCode: 401, data: { code: 'SIGN_ERROR', message: 'signature mismatch' } }) });
    expect(await createSignAdapter(d).requestSign(params)).toEqual({ kind: 'failed', code: 'SIGN_ERROR', message: 'signature mismatch' });
  });

  it('an unreachable sandbox is a failure', async () => {
    const d = deps({
      transport: 'local',
      post: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    expect(await createSignAdapter(d).requestSign(params)).toMatchObject({ kind: 'failed', code: 'SANDBOX_UNREACHABLE' });
  });
});
