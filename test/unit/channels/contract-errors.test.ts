/**
 * The contract query reads the gateway's code, not the HTTP status: the published page lists no
 * 404 (an unknown payee is 200 UNAUTHORIZED), so a 404 from a proxy or an unknown path must never
 * write a payee off as unauthorized. Real SQLite store, gateway replaced at the requester seam.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createV3IndividualContracts, queryIndividualContract } from '../../../cloudfunctions/core/channels/wechatpay-contracts/individual-contracts';
import { createPayeeService, type PayeeService } from '../../../cloudfunctions/core/domain/payees/service';
import { openSqliteStore } from '../../../cloudfunctions/core/store/sqlite/store';
import type { Store } from '../../../cloudfunctions/core/store/port';
import { WechatPayError } from '../../../cloudfunctions/core/gateways/wechatpay/errors';
import { signerFromPem } from '../../../cloudfunctions/core/gateways/wechatpay/auth/signers/sha256-rsa';

const APPID = 'wx1234567890abcdef';
const PAYEE = 'o_payee_00000000000001';

let dir: string;
let store: Store;
let clock: number;
let answer: () => Promise<{ status: number; data?: unknown }>;
let payees: PayeeService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payee-errors-'));
  store = openSqliteStore(join(dir, 'store.sqlite'));
  clock = Date.UTC(2026, 0, 1);
  answer = async () => ({ status: 200, data: { individual_auth_id: 'AUTH1', auth_state: 'AUTHORIZED', operation_time: '2026-01-01T00:00:00+08:00' } });
  payees = createPayeeService({
    config: { appid: APPID, mchid: '1900009191' },
    contracts: createV3IndividualContracts({ request: () => answer() }, { signer: signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'SERIAL1'), layout: 'published' }),
    store,
    now: () => clock,
    statusFreshnessMs: 1000,
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const proxy404 = () => new WechatPayError('HTTP_404', '<html>404 Not Found</html>', { status: 404 });

it('a proxy’s 404 is GATEWAY_UNAVAILABLE and the authorized payee stays authorized', async () => {
  const { shareCode } = await payees.profile(PAYEE);
  expect((await payees.status(PAYEE)).authorized).toBe(true);
  const before = await store.getPayee(PAYEE);
  answer = async () => {
    throw proxy404();
  };
  clock += 5000;
  await expect(payees.status(PAYEE)).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retryable: true });
  await expect(payees.resolvePayeeForPayment({ shareCode, payerOpenid: 'o_payer_1' })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  expect(await store.getPayee(PAYEE)).toEqual(before);
});

it('only the gateway’s own "does not exist" code reads as unauthorized', async () => {
  const client = (error: WechatPayError) => ({ request: async () => Promise.reject(error) });
  expect(await queryIndividualContract(client(new WechatPayError('RESOURCE_NOT_EXISTS', '记录不存在', { status: 404 })), { appid: APPID, openid: PAYEE })).toEqual({ authState: 'UNAUTHORIZED' });
  await expect(queryIndividualContract(client(new WechatPayError('NOT_FOUND', 'no such API', { status: 404 })), { appid: APPID, openid: PAYEE })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  await expect(queryIndividualContract(client(new WechatPayError('HTTP_404', '', { status: 404 })), { appid: APPID, openid: PAYEE })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
});
