/**
 * The sandbox's individual-payee signing page (`/sandbox/sign`) in each layout it can be started
 * with, fed by the product's own signer (`buildContractSignParams`) and by an independent one
 * (node:crypto over the lines written out here): the configured layout is accepted, the other is
 * refused (the sandbox's documented code: the published page lists no fail codes) and authorizes
 * nobody. docs/references/payee-sign.md.
 */
import { createSign } from 'node:crypto';
import { buildContractSignParams, type ContractSignLayout } from '../../../cloudfunctions/core/gateways/wechatpay/contract-sign';
import { signerFromPem } from '../../../cloudfunctions/core/gateways/wechatpay/auth/signers/sha256-rsa';
import type { Gateway } from '../../../sandbox/gateway';
import { signLayoutOf } from '../../../sandbox/gateway/contracts';
import { testOpenid } from '../../../sandbox/gateway/login';
import { cloneKeys, removeDir, startTestGateway, tempDataDir, v3call } from '../gateway/helpers';

const LAYOUTS = ['published', 'seed'] as const;
const other = (layout: ContractSignLayout): ContractSignLayout => (layout === 'published' ? 'seed' : 'published');

const dirs: string[] = [];
const gateways = {} as Record<ContractSignLayout, Gateway>;

beforeAll(async () => {
  dirs.push(tempDataDir());
  gateways.published = await startTestGateway(dirs[0]!, { signLayout: 'published' });
  dirs.push(cloneKeys(dirs[0]!));
  gateways.seed = await startTestGateway(dirs[1]!, { signLayout: 'seed' });
});
afterAll(async () => {
  await Promise.all(Object.values(gateways).map((gw) => gw.close()));
  dirs.forEach(removeDir);
});

let users = 0;
const freshOpenid = (gw: Gateway) => testOpenid(gw.keys.appid, `signer${++users}`);

/** The product's signing-page parameters for this gateway's merchant, in a layout. */
function productParams(gw: Gateway, openid: string, layout: ContractSignLayout) {
  return buildContractSignParams({ appId: gw.keys.appid, mchid: gw.keys.mchid, openid, signer: signerFromPem(gw.keys.merchant.privateKeyPem, gw.keys.merchant.serialNo), layout });
}

/** The same parameters signed without the product's code: node:crypto over the lines written out. */
function independentParams(gw: Gateway, openid: string, layout: ContractSignLayout) {
  const timeStamp = String(Math.floor(Date.now() / 1000));
  const nonceStr = `IND${users}${Date.now()}`;
  const pkg = `openid=${openid}&permissionType=INDIVIDUAL_PAYEE`;
  const lines = layout === 'published' ? [gw.keys.appid, timeStamp, nonceStr, pkg] : [gw.keys.appid, timeStamp, nonceStr, gw.keys.mchid, openid];
  const signature = createSign('RSA-SHA256').update(lines.map((l) => `${l}\n`).join('')).sign(gw.keys.merchant.privateKeyPem, 'base64');
  return { mchid: gw.keys.mchid, appid: gw.keys.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', certSerialNo: gw.keys.merchant.serialNo, signature };
}

async function postSign(gw: Gateway, body: object) {
  const res = await fetch(`${gw.url}/sandbox/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const authState = async (gw: Gateway, openid: string) =>
  (await v3call(gw, 'GET', `/v3/ecommerce/individual-contracts/${openid}?appid=${gw.keys.appid}&permission_type=INDIVIDUAL_PAYEE`)).json.auth_state;

describe.each(LAYOUTS)('signing page configured %s', (configured) => {
  const gw = () => gateways[configured];

  it('says which layout it verifies (admin info)', async () => {
    expect((await gw().admin.info()).signLayout).toBe(configured);
  });

  it(`product signs ${configured} → accepted, the contract is AUTHORIZED`, async () => {
    const openid = freshOpenid(gw());
    const signed = await postSign(gw(), await productParams(gw(), openid, configured));
    expect(signed).toMatchObject({ status: 200, json: { openid, auth_state: 'AUTHORIZED' } });
    expect(await authState(gw(), openid)).toBe('AUTHORIZED');
  });

  it(`product signs ${other(configured)} → refused with SANDBOX_SIGNATURE_INVALID; nobody is authorized`, async () => {
    const openid = freshOpenid(gw());
    const params = await productParams(gw(), openid, other(configured));
    const refused = await postSign(gw(), params);
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ code: 'SANDBOX_SIGNATURE_INVALID', message: expect.stringContaining('payee.signLayout') });
    expect(await authState(gw(), openid)).toBe('UNAUTHORIZED');
    // The page itself (GET) refuses the same parameters and offers no button.
    const page = await fetch(`${gw().url}/sandbox/sign?${new URLSearchParams({ ...params })}`);
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('SANDBOX_SIGNATURE_INVALID');
    expect(html).not.toContain('id="ok"');
  });

  it('accepts a signature made independently (node:crypto) over its lines, and refuses one over the other lines', async () => {
    const openid = freshOpenid(gw());
    expect((await postSign(gw(), independentParams(gw(), openid, other(configured)))).json.code).toBe('SANDBOX_SIGNATURE_INVALID');
    const params = independentParams(gw(), openid, configured);
    const page = await fetch(`${gw().url}/sandbox/sign?${new URLSearchParams(params)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<code>${configured}</code>`);
    expect((await postSign(gw(), params)).json).toMatchObject({ openid, auth_state: 'AUTHORIZED' });
  });

  it('a field changed after signing breaks the signature (the openid in package is bound)', async () => {
    const openid = freshOpenid(gw());
    const params = await productParams(gw(), openid, configured);
    const thief = freshOpenid(gw());
    const forged = await postSign(gw(), { ...params, package: `openid=${thief}&permissionType=INDIVIDUAL_PAYEE` });
    expect(forged).toMatchObject({ status: 401, json: { code: 'SANDBOX_SIGNATURE_INVALID' } });
    expect(forged.json.message).not.toContain('payee.signLayout');
    expect(await authState(gw(), thief)).toBe('UNAUTHORIZED');
  });
});

describe('certSerialNo', () => {
  it('published: required (the published page lists it as 必填)', async () => {
    const gw = gateways.published;
    const { certSerialNo: _omitted, ...params } = await productParams(gw, freshOpenid(gw), 'published');
    expect(await postSign(gw, params)).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR', detail: { field: 'certSerialNo' } } });
  });

  it('published: a serial that is not the merchant certificate is refused even with a sound signature', async () => {
    const gw = gateways.published;
    const openid = freshOpenid(gw);
    const params = { ...(await productParams(gw, openid, 'published')), certSerialNo: gw.keys.platformCert.serialNo };
    expect(await postSign(gw, params)).toMatchObject({ status: 401, json: { code: 'SANDBOX_SIGNATURE_INVALID' } });
    expect(await authState(gw, openid)).toBe('UNAUTHORIZED');
  });

  it("seed: not needed (the seed's sample has none)", async () => {
    const gw = gateways.seed;
    const openid = freshOpenid(gw);
    const { certSerialNo: _omitted, ...params } = await productParams(gw, openid, 'seed');
    expect((await postSign(gw, params)).json).toMatchObject({ openid, auth_state: 'AUTHORIZED' });
  });
});

describe('choosing the layout at start', () => {
  it('published unless told otherwise; an unknown layout stops the start', () => {
    expect(signLayoutOf('')).toBe('published');
    expect(signLayoutOf('seed')).toBe('seed');
    expect(() => signLayoutOf('v2')).toThrow(/published or seed/);
  });
});
