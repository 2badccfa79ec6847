/**
 * What the environment adds to the file: secrets (so they need not sit in a file) and the
 * deploy-specific base URL, each into its gateway's section — and the pre-sections flat shape,
 * still accepted for one release with a deprecation warning.
 */
import { isObject } from '../is-object';
import { LEGACY_V3_FIELDS } from './schema';

/** Env vars that override a field of the file (secrets, and the deploy-specific base URL). */
export const CONFIG_ENV = {
  file: 'PAY_CONFIG_FILE',
  /** The same JSON inline: how a deployed cloud function gets it (function env vars, no file to ship). */
  inline: 'PAY_CONFIG',
  /** wechatpayV3.merchant.privateKey / privateKeyFile */
  merchantPrivateKey: 'WECHATPAY_MCH_PRIVATE_KEY',
  merchantPrivateKeyFile: 'WECHATPAY_MCH_PRIVATE_KEY_FILE',
  /** wechatpayV3.apiV3Key */
  apiV3Key: 'WECHATPAY_API_V3_KEY',
  /** wechatpayV3.platform.publicKey */
  platformPublicKey: 'WECHATPAY_PLATFORM_PUBLIC_KEY',
  /** wechatpayV3.gatewayBaseUrl */
  gatewayBaseUrl: 'WECHATPAY_BASE_URL',
  /** wechatpayV2.key */
  v2Key: 'WECHATPAY_V2_KEY',
  /** wechatpayV2.clientCertificate.pkcs12Password */
  v2Pkcs12Password: 'WECHATPAY_V2_PKCS12_PASSWORD',
  /** huifu.privateKey */
  huifuPrivateKey: 'HUIFU_PRIVATE_KEY',
  /** Local stacks whose sandbox gateway uses a shorter close rule than production's 5 minutes. */
  minCloseIntervalMs: 'PAY_MIN_CLOSE_INTERVAL_MS',
  /** How long a PAYING order waits before reconcile asks the gateway (tests use 0). */
  reconcileAfterMs: 'PAY_RECONCILE_AFTER_MS',
} as const;

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

export class LegacyShapeError extends Error {}

/**
 * The flat shape (APIv3 fields at the top, before sections existed) moved into `wechatpayV3`;
 * `warn` is told once. Mixing both shapes is refused: which one would win is a guess.
 */
export function fromLegacyShape(raw: unknown, warn: (message: string) => void): unknown {
  if (!isObject(raw)) return raw;
  const legacy = LEGACY_V3_FIELDS.filter((field) => field in raw);
  if (legacy.length === 0) return raw;
  if (raw.wechatpayV3 !== undefined) {
    throw new LegacyShapeError(`${legacy.join(', ')} belong in the wechatpayV3 section (give them there only, not also at the top)`);
  }
  const out: Json = { ...raw };
  const section: Json = {};
  for (const field of legacy) {
    section[field] = out[field];
    delete out[field];
  }
  warn(`the flat WeChat Pay fields (${legacy.join(', ')}) are deprecated: move them into "wechatpayV3" (accepted until the next release)`);
  return { ...out, wechatpayV3: section };
}

/** Env overrides applied to the sections the file has (an env secret alone does not invent a gateway). */
export function withEnvOverrides(raw: unknown, env: Env): unknown {
  if (!isObject(raw)) return raw;
  const out: Json = { ...raw };
  if (isObject(out.wechatpayV3)) out.wechatpayV3 = v3Overrides(out.wechatpayV3, env);
  if (isObject(out.wechatpayV2)) {
    const v2: Json = { ...out.wechatpayV2 };
    if (env[CONFIG_ENV.v2Key]) v2.key = env[CONFIG_ENV.v2Key];
    if (env[CONFIG_ENV.v2Pkcs12Password] && isObject(v2.clientCertificate)) {
      v2.clientCertificate = { ...v2.clientCertificate, pkcs12Password: env[CONFIG_ENV.v2Pkcs12Password] };
    }
    out.wechatpayV2 = v2;
  }
  if (isObject(out.huifu) && env[CONFIG_ENV.huifuPrivateKey]) {
    const { privateKeyFile: _file, ...huifu } = out.huifu;
    out.huifu = { ...huifu, privateKey: env[CONFIG_ENV.huifuPrivateKey] };
  }
  // Numbers from env stay strings when malformed, so the schema names the field instead of guessing.
  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : text);
  if (env[CONFIG_ENV.minCloseIntervalMs]) out.minCloseIntervalMs = number(env[CONFIG_ENV.minCloseIntervalMs]!);
  if (env[CONFIG_ENV.reconcileAfterMs]) {
    out.reconcile = { ...(isObject(out.reconcile) ? out.reconcile : {}), payingOlderThanMs: number(env[CONFIG_ENV.reconcileAfterMs]!) };
  }
  return out;
}

function v3Overrides(section: Json, env: Env): Json {
  const out: Json = { ...section };
  const merchant: Json = { ...(isObject(out.merchant) ? out.merchant : {}) };
  const platform: Json = { ...(isObject(out.platform) ? out.platform : {}) };
  if (env[CONFIG_ENV.merchantPrivateKey]) {
    merchant.privateKey = env[CONFIG_ENV.merchantPrivateKey];
    delete merchant.privateKeyFile;
  } else if (env[CONFIG_ENV.merchantPrivateKeyFile]) {
    merchant.privateKeyFile = env[CONFIG_ENV.merchantPrivateKeyFile];
    delete merchant.privateKey;
  }
  if (env[CONFIG_ENV.platformPublicKey]) {
    platform.publicKey = env[CONFIG_ENV.platformPublicKey];
    delete platform.publicKeyFile;
  }
  if (env[CONFIG_ENV.apiV3Key]) out.apiV3Key = env[CONFIG_ENV.apiV3Key];
  if (env[CONFIG_ENV.gatewayBaseUrl]) out.gatewayBaseUrl = env[CONFIG_ENV.gatewayBaseUrl];
  if (out.merchant !== undefined || Object.keys(merchant).length) out.merchant = merchant;
  if (out.platform !== undefined || Object.keys(platform).length) out.platform = platform;
  return out;
}
