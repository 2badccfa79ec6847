/**
 * Payee service over a real SQLite store (temp file) and a real RSA key. The gateway is replaced
 * at the requester seam by `ContractDesk`, an in-test double of the one endpoint this service
 * calls (GET individual-contracts); the end-to-end suite runs the same flows against the sandbox.
 */
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../../cloudfunctions/core/kernel/errors';
import { createPayeeService, normalizeDisplayName, resolvePayeeForPayment, type PayeeDeps } from '../../../../cloudfunctions/core/domain/payees/service';
import { createV3IndividualContracts } from '../../../../cloudfunctions/core/channels/wechatpay-contracts/individual-contracts';
import { isShareCode, newShareCode, SHARE_CODE_LENGTH } from '../../../../cloudfunctions/core/domain/payees/share-code';
import { openSqliteStore } from '../../../../cloudfunctions/core/store/sqlite/store';
import type { Store } from '../../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../../cloudfunctions/core/gateways/wechatpay/errors';
import { signerFromPem } from '../../../../cloudfunctions/core/gateways/wechatpay/auth/signers/sha256-rsa';

const APPID = 'wx1234567890abcdef';
const MCHID = '1900009191';
const MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

/** Answers GET /v3/ecommerce/individual-contracts/{openid}?appid=…&permission_type=INDIVIDUAL_PAYEE like the gateway. */
class ContractDesk {
  readonly calls: string[] = [];
  private readonly authorized = new Map<string, string>();
  failWith?: WechatPayError;
  authorize(openid: string) {
    this.authorized.set(openid, `AUTH${this.authorized.size + 1}${openid.slice(-4)}`);
  }
  revoke(openid: string) {
    this.authorized.delete(openid);
  }
  async request(method: 'GET' | 'POST', path: string): Promise<{ status: number; data?: unknown }> {
    this.calls.push(`${method} ${path}`);
    if (this.failWith) throw this.failWith;
    const match = /^\/v3\/ecommerce\/individual-contracts\/([^?]+)\?appid=([^&]+)&permission_type=INDIVIDUAL_PAYEE$/.exec(path);
    if (method !== 'GET' || !match || match[2] !== APPID) throw new WechatPayError('PARAM_ERROR', `unexpected ${method} ${path}`, { status: 400 });
    const openid = decodeURIComponent(match[1]);
    const id = this.authorized.get(openid);
    return {
      status: 200,
      data: id
        ? { individual_auth_id: id, auth_state: 'AUTHORIZED', operation_time: '2026-01-01T00:00:00+08:00' }
        : { auth_state: 'UNAUTHORIZED', operation_time: '2026-01-01T00:00:00+08:00' },
    };
  }
}

let dir: string;
let store: Store;
let desk: ContractDesk;
let clock: number;
let keys: { privateKey: KeyObject; publicKey: KeyObject };
let deps: PayeeDeps;

beforeAll(() => {
  keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payee-'));
  store = openSqliteStore(join(dir, 'store.sqlite'));
  desk = new ContractDesk();
  clock = Date.UTC(2026, 0, 1, 12);
  deps = {
    config: { appid: APPID, mchid: MCHID },
    contracts: createV3IndividualContracts(desk, { signer: signerFromPem(keys.privateKey, MERCHANT_SERIAL), layout: 'published' }),
    store,
    now: () => clock,
    statusFreshnessMs: 30_000,
  };
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('status', () => {
  it('asks the gateway for a new payee and records the answer with a share code', async () => {
    const service = createPayeeService(deps);
    const status = await service.status('oAlice0000000000000000000001');
    expect(status).toEqual({ authorized: false, authState: 'UNAUTHORIZED', checkedAt: new Date(clock).toISOString() });
    expect(desk.calls).toEqual([`GET /v3/ecommerce/individual-contracts/oAlice0000000000000000000001?appid=${APPID}&permission_type=INDIVIDUAL_PAYEE`]);
    const record = await store.getPayee('oAlice0000000000000000000001');
    expect(record).toMatchObject({ authState: 'UNAUTHORIZED', version: 1 });
    expect(isShareCode(record!.shareCode)).toBe(true);
  });

  it('serves the cached answer while fresh and asks again after the freshness limit', async () => {
    const service = createPayeeService(deps);
    const openid = 'oAlice0000000000000000000001';
    await service.status(openid);
    desk.authorize(openid);
    clock += 29_999;
    expect((await service.status(openid)).authorized).toBe(false);
    expect(desk.calls).toHaveLength(1);
    clock += 1;
    expect(await service.status(openid)).toMatchObject({ authorized: true, authState: 'AUTHORIZED' });
    expect(desk.calls).toHaveLength(2);
    expect((await store.getPayee(openid))!.individualAuthId).toMatch(/^AUTH/);
  });

  it('concurrent first calls create exactly one record', async () => {
    const service = createPayeeService(deps);
    const openid = 'oConcurrent00000000000000001';
    const answers = await Promise.all(Array.from({ length: 10 }, () => service.status(openid)));
    expect(new Set(answers.map((a) => a.authState))).toEqual(new Set(['UNAUTHORIZED']));
    const profiles = await Promise.all(Array.from({ length: 5 }, () => service.profile(openid)));
    expect(new Set(profiles.map((p) => p.shareCode)).size).toBe(1);
  });
});

describe('contention', () => {
  it('50 payments to one payee at once, with a moving clock: all resolve, the record is written once', async () => {
    const payee = 'oPopular0000000000000000000010';
    desk.authorize(payee);
    const code = (await createPayeeService(deps).profile(payee)).shareCode;
    clock += 60_000; // the cached answer is stale: the first refresh must write
    const versionBefore = (await store.getPayee(payee))!.version;
    const moving = { ...deps, now: () => ++clock };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => resolvePayeeForPayment({ shareCode: code, payerOpenid: `oPayer${String(i).padStart(24, '0')}` }, moving)),
    );
    expect(new Set(results.map((r) => r.individualAuthId)).size).toBe(1);
    expect((await store.getPayee(payee))!.version).toBe(versionBefore + 1);
  });

  it('a revocation seen by a later query wins over an older AUTHORIZED answer', async () => {
    const payee = 'oRevoked0000000000000000000011';
    desk.authorize(payee);
    const service = createPayeeService({ ...deps, statusFreshnessMs: 0 });
    await service.confirm(payee);
    desk.revoke(payee);
    clock += 1;
    expect(await service.confirm(payee)).toMatchObject({ authorized: false });
    expect((await store.getPayee(payee))!.individualAuthId).toBeUndefined();
  });
});

describe('signParams', () => {
  const openid = 'oBob00000000000000000000000002';
  const verifies = (message: string, signature: string) => verify('sha256', Buffer.from(message), keys.publicKey, Buffer.from(signature, 'base64'));

  it('published layout: signs appid\\ntimeStamp\\nnonceStr\\npackage\\n and sends the merchant serial as certSerialNo', async () => {
    const service = createPayeeService({ ...deps, nonce: () => 'NONCE0123456789' });
    const params = await service.signParams(openid);
    expect(params).toEqual({
      mchid: MCHID,
      appid: APPID,
      timeStamp: String(clock / 1000),
      nonceStr: 'NONCE0123456789',
      package: `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`,
      signType: 'RSA',
      certSerialNo: MERCHANT_SERIAL,
      signature: expect.any(String),
    });
    expect(verifies(`${APPID}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`, params.signature)).toBe(true);
    // The seed's lines (mchid, openid instead of package) must not verify.
    expect(verifies(`${APPID}\n${params.timeStamp}\n${params.nonceStr}\n${MCHID}\n${openid}\n`, params.signature)).toBe(false);
  });

  it('seed layout: signs appId\\ntimeStamp\\nnonceStr\\nmchid\\nopenid\\n (seed 000), certSerialNo still sent', async () => {
    const service = createPayeeService({ ...deps, contracts: createV3IndividualContracts(desk, { signer: signerFromPem(keys.privateKey, MERCHANT_SERIAL), layout: 'seed' }), nonce: () => 'NONCE0123456789' });
    const params = await service.signParams(openid);
    expect(params).toMatchObject({ package: `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`, signType: 'RSA', certSerialNo: MERCHANT_SERIAL });
    expect(verifies(`${APPID}\n${params.timeStamp}\n${params.nonceStr}\n${MCHID}\n${openid}\n`, params.signature)).toBe(true);
    expect(verifies(`${APPID}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`, params.signature)).toBe(false);
  });

  it('refuses an already-authorized payee, asking the gateway even when the cache says otherwise', async () => {
    const service = createPayeeService(deps);
    await service.status(openid); // cached UNAUTHORIZED, fresh
    desk.authorize(openid);
    const error = await rejection(service.signParams(openid));
    expect(error.code).toBe('PAYEE_ALREADY_AUTHORIZED');
    expect((await store.getPayee(openid))!.authState).toBe('AUTHORIZED');
  });
});

describe('confirm', () => {
  it('believes the gateway, not the signing page: unauthorized stays unauthorized', async () => {
    const service = createPayeeService(deps);
    const openid = 'oCarol000000000000000000000003';
    await service.signParams(openid);
    // The client claims the signing page succeeded, but the gateway never saw a contract.
    expect(await service.confirm(openid)).toMatchObject({ authorized: false, authState: 'UNAUTHORIZED' });
    desk.authorize(openid);
    expect(await service.confirm(openid)).toMatchObject({ authorized: true });
    expect(desk.calls).toHaveLength(3);
  });
});

describe('profile and card', () => {
  it('sets a display name and shows it on the card; the auth id never appears', async () => {
    const service = createPayeeService(deps);
    const openid = 'oDave0000000000000000000000004';
    desk.authorize(openid);
    const profile = await service.profile(openid, { displayName: '  小明的二手书  ' });
    expect(profile).toMatchObject({ displayName: '小明的二手书', authorized: true });
    const card = await service.card(profile.shareCode);
    expect(card).toEqual({ displayName: '小明的二手书', canReceive: true });
    expect(JSON.stringify([profile, card])).not.toMatch(/AUTH|oDave/);
  });

  it('rejects bad display names and writes nothing', async () => {
    const service = createPayeeService(deps);
    const openid = 'oDave0000000000000000000000004';
    await service.profile(openid);
    const before = await store.getPayee(openid);
    for (const name of ['', '   ', 'x'.repeat(21), 'line\nbreak', 'rev\u202Eersed']) {
      expect((await rejection(service.profile(openid, { displayName: name }))).code).toBe('INVALID_ARGUMENT');
    }
    expect(await store.getPayee(openid)).toEqual(before);
    expect(normalizeDisplayName('😀'.repeat(20))).toHaveLength(40);
  });

  it('unknown or malformed share codes are NOT_FOUND', async () => {
    const service = createPayeeService(deps);
    expect((await rejection(service.card(newShareCode()))).code).toBe('NOT_FOUND');
    expect((await rejection(service.card("' OR 1=1 --"))).code).toBe('NOT_FOUND');
    expect(desk.calls).toHaveLength(0);
  });

  it('a share-code collision on creation draws a new code', async () => {
    const taken = (await createPayeeService(deps).profile('oFirst000000000000000000000005')).shareCode;
    const fresh = newShareCode();
    const codes = [taken, fresh];
    const service = createPayeeService({ ...deps, shareCode: () => codes.shift() ?? newShareCode() });
    expect((await service.profile('oSecond00000000000000000000006')).shareCode).toBe(fresh);
  });
});

describe('resolvePayeeForPayment', () => {
  const payee = 'oPayee000000000000000000000007';
  const payer = 'oPayer000000000000000000000008';

  async function shareCodeOf(openid: string) {
    return (await createPayeeService(deps).profile(openid, { displayName: '收款人甲' })).shareCode;
  }

  it('returns the confirmed individual_auth_id of an authorized payee', async () => {
    desk.authorize(payee);
    const code = await shareCodeOf(payee);
    const calls = desk.calls.length;
    const resolved = await resolvePayeeForPayment({ shareCode: code, payerOpenid: payer }, deps);
    expect(resolved).toEqual({ openid: payee, displayName: '收款人甲', individualAuthId: (await store.getPayee(payee))!.individualAuthId });
    // Queried again even though the cache was fresh: seed 000 wants a query before every order.
    expect(desk.calls.length).toBe(calls + 1);
  });

  it('refuses an unauthorized payee', async () => {
    const code = await shareCodeOf(payee);
    expect((await rejection(resolvePayeeForPayment({ shareCode: code, payerOpenid: payer }, deps))).code).toBe('PAYEE_NOT_AUTHORIZED');
  });

  it('refuses a payee revoked since the cache said AUTHORIZED, and forgets the old auth id', async () => {
    desk.authorize(payee);
    const code = await shareCodeOf(payee);
    expect((await store.getPayee(payee))!.individualAuthId).toBeDefined();
    desk.revoke(payee);
    expect((await rejection(resolvePayeeForPayment({ shareCode: code, payerOpenid: payer }, deps))).code).toBe('PAYEE_NOT_AUTHORIZED');
    const record = await store.getPayee(payee);
    expect(record!.authState).toBe('UNAUTHORIZED');
    expect(record!.individualAuthId).toBeUndefined();
  });

  it('refuses self-pay before asking the gateway', async () => {
    desk.authorize(payee);
    const code = await shareCodeOf(payee);
    const calls = desk.calls.length;
    expect((await rejection(resolvePayeeForPayment({ shareCode: code, payerOpenid: payee }, deps))).code).toBe('SELF_PAY');
    expect(desk.calls.length).toBe(calls);
  });

  it('unknown share code is NOT_FOUND', async () => {
    expect((await rejection(resolvePayeeForPayment({ shareCode: newShareCode(), payerOpenid: payer }, deps))).code).toBe('NOT_FOUND');
  });
});

describe('gateway failures', () => {
  const openid = 'oErr00000000000000000000000009';
  it.each([
    [new WechatPayError('SYSTEM_ERROR', 'busy', { status: 500, retryable: true }), 'GATEWAY_UNAVAILABLE', true],
    [new WechatPayError('TIMEOUT', 'no answer', { status: 0 }), 'GATEWAY_UNAVAILABLE', true],
    [new WechatPayError('SIGNATURE_INVALID', 'bad signature', { status: 200 }), 'GATEWAY_UNTRUSTED', false],
    [new WechatPayError('NOAUTH', 'merchant lacks the permission', { status: 403 }), 'GATEWAY_REJECTED', false],
  ])('%s → %s and nothing written', async (failure, code, retryable) => {
    desk.failWith = failure;
    const error = await rejection(createPayeeService(deps).status(openid));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(await store.getPayee(openid)).toBeNull();
  });

  it('a 404 from the contract query means not authorized', async () => {
    desk.failWith = new WechatPayError('RESOURCE_NOT_EXISTS', 'no contract', { status: 404 });
    expect((await createPayeeService(deps).status(openid)).authState).toBe('UNAUTHORIZED');
  });

  it('AUTHORIZED without an auth id is refused, not stored', async () => {
    const client = { request: async () => ({ status: 200, data: { auth_state: 'AUTHORIZED' } }) };
    expect((await rejection(createPayeeService({ ...deps, contracts: createV3IndividualContracts(client) }).status(openid))).code).toBe('GATEWAY_REJECTED');
    expect(await store.getPayee(openid)).toBeNull();
  });
});

describe('share codes', () => {
  it('are 10 characters of an alphabet without look-alikes, evenly spread', () => {
    const counts = new Map<string, number>();
    const codes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newShareCode();
      expect(code).toHaveLength(SHARE_CODE_LENGTH);
      expect(isShareCode(code)).toBe(true);
      expect(code).not.toMatch(/[01OIL]/);
      codes.add(code);
      for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(codes.size).toBe(2000);
    expect(counts.size).toBe(31);
    const expected = (2000 * SHARE_CODE_LENGTH) / 31;
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.25);
  });
});
