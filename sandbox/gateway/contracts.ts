import type { GatewayContext } from './context';
import { verifySha256Rsa } from './crypto';
import { GatewayError, jsonBody, paramError, route, type Reply, type Route } from './http';
import { newIndividualAuthId } from './ids';
import type { ContractRecord } from './state';
import { rfc3339China } from './time';
import * as v from './validate';

/**
 * Individual-payee authorization (seed 000): every openid starts UNAUTHORIZED; the signing page
 * (the `@tenpay/wechatpay-miniprogram-individual-contracts` stand-in) authorizes it after checking
 * the merchant's signature in the layout this sandbox was started with (`signLayout`), and refuses
 * a signature in the other one. An openid keeps its individual_auth_id across revoke and
 * re-authorization.
 */

/**
 * Which lines the signing page verifies (SHA256withRSA, every line ending in `\n`):
 * - `published` — `appid\ntimeStamp\nnonceStr\npackage\n`, with the required `certSerialNo`
 *   naming the merchant certificate (the requestSign page,
 *   https://pay.weixin.qq.com/doc/v3/merchant/4012739356);
 * - `seed` — `appId\ntimeStamp\nnonceStr\nmchid\nopenid\n` (seed 000 §2.1.1).
 * The merchant's config (`payee.signLayout`) must name the same one; docs/references/payee-sign.md.
 */
export type SignLayout = 'published' | 'seed';
const SIGN_LAYOUTS: readonly SignLayout[] = ['published', 'seed'];
const DEFAULT_SIGN_LAYOUT: SignLayout = 'published';

/** `SANDBOX_SIGN_LAYOUT` (or the given value) → a layout; anything else is a start-up error. */
export function signLayoutOf(value: string | undefined = process.env.SANDBOX_SIGN_LAYOUT): SignLayout {
  if (value === undefined || value === '') return DEFAULT_SIGN_LAYOUT;
  if (!(SIGN_LAYOUTS as readonly string[]).includes(value)) throw new Error(`signLayout must be ${SIGN_LAYOUTS.join(' or ')}, got "${value}"`);
  return value as SignLayout;
}

/**
 * SANDBOX code for a signature the page does not accept. The published page's `fail` codes are
 * not in the copies of it we could read (docs/references/payee-sign.md), so this one is ours and
 * says so; the mini-program only reports it.
 */
const SIGN_REFUSED = { status: 401, code: 'SANDBOX_SIGNATURE_INVALID' } as const;

export const PERMISSION_TYPE = 'INDIVIDUAL_PAYEE';

export function contractView(openid: string, c: ContractRecord | undefined): Record<string, unknown> {
  if (!c || c.authState !== 'AUTHORIZED') {
    return { openid, auth_state: 'UNAUTHORIZED', ...(c ? { operation_time: c.operationTime } : {}) };
  }
  return { openid, individual_auth_id: c.individualAuthId, operation_time: c.operationTime, auth_state: 'AUTHORIZED' };
}

export function setContract(ctx: GatewayContext, openid: string, authState: ContractRecord['authState']): ContractRecord {
  const existing = ctx.state.data.contracts[openid];
  const record: ContractRecord = {
    openid,
    individualAuthId: existing?.individualAuthId ?? newIndividualAuthId(),
    authState,
    operationTime: rfc3339China(),
  };
  ctx.state.data.contracts[openid] = record;
  ctx.state.changed();
  ctx.log(`contract ${openid} ${authState} (${record.individualAuthId})`);
  return record;
}

export function contractByAuthId(ctx: GatewayContext, individualAuthId: string): ContractRecord | undefined {
  return Object.values(ctx.state.data.contracts).find((c) => c.individualAuthId === individualAuthId);
}

/** The signing page's request, as `requestSign` receives it. */
interface SignRequest {
  mchid: string;
  appid: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  certSerialNo: string;
  signature: string;
}

/** The text signed in a layout. */
function signedText(layout: SignLayout, f: { appid: string; timeStamp: string; nonceStr: string; pkg: string; mchid: string; openid: string }): string {
  const lines = layout === 'published' ? [f.appid, f.timeStamp, f.nonceStr, f.pkg] : [f.appid, f.timeStamp, f.nonceStr, f.mchid, f.openid];
  return lines.map((line) => `${line}\n`).join('');
}

const signRefused = (message: string) => new GatewayError(SIGN_REFUSED.status, SIGN_REFUSED.code, message);

/** Checks a signing request; returns the openid it is for or throws a 4xx with a stable code. */
function verifySignRequest(ctx: GatewayContext, r: Partial<SignRequest>): string {
  const layout = ctx.signLayout;
  const field = (name: keyof SignRequest) => {
    const value = r[name];
    if (typeof value !== 'string' || !value) throw paramError(name, '字段缺失', 'query');
    return value;
  };
  const mchid = field('mchid');
  const appid = field('appid');
  const timeStamp = field('timeStamp');
  const nonceStr = field('nonceStr');
  const rawPackage = field('package');
  const pkg = new URLSearchParams(rawPackage);
  const signType = field('signType');
  // Required by the published page; the seed's page has no such field.
  const certSerialNo = layout === 'published' ? field('certSerialNo') : undefined;
  const signature = field('signature');
  if (mchid !== ctx.keys.mchid) throw new GatewayError(400, 'INVALID_REQUEST', `商户号 ${mchid} 不存在`);
  if (appid !== ctx.keys.appid) throw new GatewayError(400, 'INVALID_REQUEST', `appid ${appid} 与商户号未绑定`);
  if (signType !== 'RSA') throw paramError('signType', '仅支持 RSA', 'query');
  if (!/^\d{10}$/.test(timeStamp)) throw paramError('timeStamp', '应为秒级时间戳', 'query');
  const openid = pkg.get('openid');
  if (!openid) throw paramError('package', '缺少 openid', 'query');
  if (pkg.get('permissionType') !== PERMISSION_TYPE) throw paramError('package', `permissionType 应为 ${PERMISSION_TYPE}`, 'query');
  if (certSerialNo !== undefined && certSerialNo.toUpperCase() !== ctx.keys.merchant.serialNo) {
    throw signRefused(`签名验证失败：certSerialNo ${certSerialNo} 不是商户 ${mchid} 的 API 证书序列号`);
  }
  const fields = { appid, timeStamp, nonceStr, pkg: rawPackage, mchid, openid };
  const verifies = (l: SignLayout) => verifySha256Rsa(signedText(l, fields), signature, ctx.keys.merchant.certificatePem);
  if (!verifies(layout)) {
    const other = SIGN_LAYOUTS.find((l) => l !== layout)!;
    // Sandbox hint only (the code stays the same): a signature in the other layout means the
    // merchant config and this sandbox disagree on `signLayout`.
    const hint = verifies(other) ? `（沙箱提示：签名按 ${other} 布局计算，本签约页按 ${layout} 布局验签——检查商户配置 payee.signLayout）` : '';
    throw signRefused(`签名验证失败${hint}`);
  }
  return openid;
}

export function contractRoutes(ctx: GatewayContext): Route[] {
  return [
    route('GET', /^\/v3\/ecommerce\/individual-contracts\/([^/]+)$/, (rc) => {
      const openid = v.str(rc.params[0], 'openid', { maxBytes: 128 });
      const q = rc.url.searchParams;
      const appid = q.get('appid');
      if (!appid) throw paramError('appid', '字段缺失', 'query');
      if (appid !== ctx.keys.appid) throw new GatewayError(400, 'PARAM_ERROR', `appid ${appid} 与商户号未绑定`, { field: 'appid', location: 'query' });
      if (q.get('permission_type') !== PERMISSION_TYPE) throw paramError('permission_type', `只支持 ${PERMISSION_TYPE}`, 'query');
      const view = contractView(openid, ctx.state.data.contracts[openid]);
      delete view.openid;
      return { status: 200, json: view };
    }),
    route('POST', /^\/sandbox\/admin\/contracts\/([^/]+)\/authorize$/, (rc) => ({ status: 200, json: contractView(rc.params[0]!, setContract(ctx, rc.params[0]!, 'AUTHORIZED')) })),
    route('POST', /^\/sandbox\/admin\/contracts\/([^/]+)\/revoke$/, (rc) => ({ status: 200, json: contractView(rc.params[0]!, setContract(ctx, rc.params[0]!, 'UNAUTHORIZED')) })),
    route('GET', /^\/sandbox\/admin\/contracts$/, () => ({ status: 200, json: { contracts: Object.values(ctx.state.data.contracts) } })),
    route('GET', /^\/sandbox\/sign$/, (rc) => signPage(ctx, Object.fromEntries(rc.url.searchParams) as Partial<SignRequest>)),
    route('POST', /^\/sandbox\/sign$/, (rc) => {
      const body = jsonBody(rc) as Partial<SignRequest> & { decision?: string };
      const openid = verifySignRequest(ctx, body);
      if (body.decision === 'cancel') throw new GatewayError(400, 'USER_CANCEL', '用户取消授权');
      return { status: 200, json: contractView(openid, setContract(ctx, openid, 'AUTHORIZED')) };
    }),
  ];
}

function signPage(ctx: GatewayContext, params: Partial<SignRequest>): Reply {
  let openid: string;
  try {
    openid = verifySignRequest(ctx, params);
  } catch (err) {
    const e = err as GatewayError;
    return { status: e.status ?? 400, html: page('个人收款授权失败', `<p class="err">${esc(e.code)}: ${esc(e.message)}</p>`) };
  }
  const current = ctx.state.data.contracts[openid];
  const payload = JSON.stringify(params);
  const body = `
<p>商户 <b>${esc(ctx.keys.mchid)}</b> 邀请你开通个人收款（${PERMISSION_TYPE}）。</p>
<p>签名已按 <code>${esc(ctx.signLayout)}</code> 布局验证。</p>
<p>openid: <code>${esc(openid)}</code><br>当前状态: <b id="state">${current?.authState ?? 'UNAUTHORIZED'}</b></p>
<button id="ok">同意并授权</button> <button id="no">取消</button>
<pre id="out"></pre>
<script>
const params = ${payload.replace(/</g, '\\u003c')};
async function decide(decision) {
  const res = await fetch('/sandbox/sign', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...params, decision }) });
  const json = await res.json();
  document.getElementById('out').textContent = JSON.stringify(json, null, 2);
  if (json.auth_state) document.getElementById('state').textContent = json.auth_state;
}
document.getElementById('ok').onclick = () => decide('confirm');
document.getElementById('no').onclick = () => decide('cancel');
</script>`;
  return { status: 200, html: page('个人收款授权 (sandbox)', body) };
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem}.err{color:#c00}pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
