/**
 * Merchant configuration: read once per cold start from the JSON file named by `PAY_CONFIG_FILE`
 * (secrets overridable by env vars, so they need not sit in a file), validated with a zod schema.
 * A missing or malformed field fails fast with a message naming it — better a function that
 * refuses to start than one that signs with the wrong key at the first payment.
 *
 * Server-only: nothing here may be imported by `miniprogram/`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
// Namespace import: lets esbuild drop the zod locales (~560 KB) the `z` object would drag in.
import * as z from 'zod';

/** Env vars that override a field of the file (secrets, and the deploy-specific base URL). */
export const CONFIG_ENV = {
  file: 'PAY_CONFIG_FILE',
  /** The same JSON inline: how a deployed cloud function gets it (function env vars, no file to ship). */
  inline: 'PAY_CONFIG',
  merchantPrivateKey: 'WECHATPAY_MCH_PRIVATE_KEY',
  merchantPrivateKeyFile: 'WECHATPAY_MCH_PRIVATE_KEY_FILE',
  apiV3Key: 'WECHATPAY_API_V3_KEY',
  platformPublicKey: 'WECHATPAY_PLATFORM_PUBLIC_KEY',
  gatewayBaseUrl: 'WECHATPAY_BASE_URL',
  /** Local stacks whose sandbox gateway uses a shorter close rule than production's 5 minutes. */
  minCloseIntervalMs: 'PAY_MIN_CLOSE_INTERVAL_MS',
  /** How long a PAYING order waits before reconcile asks the gateway (tests use 0). */
  reconcileAfterMs: 'PAY_RECONCILE_AFTER_MS',
} as const;

/** Seed 004: an order may not be closed sooner than 5 minutes after it was created. */
export const DEFAULT_MIN_CLOSE_INTERVAL_MS = 5 * 60_000;

const pem = (kind: string) =>
  z.string().refine((text) => text.includes(`-----BEGIN ${kind}`), { message: `expected a PEM (-----BEGIN ${kind}…)` });

const notifyUrl = z.url({ protocol: /^https?$/ }).refine((url) => !url.includes('?'), { message: 'notify URL must not carry a query string' });

const storeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite'), file: z.string().min(1) }),
  z.object({ kind: z.literal('cloudbase'), collectionPrefix: z.string().regex(/^[A-Za-z0-9_]*$/).optional() }),
]);

/** The file as written (key material may be given as PEM text or as a path next to the file). */
const fileSchema = z
  .object({
    mchid: z.string().regex(/^\d{6,32}$/, 'mchid must be digits'),
    appid: z.string().regex(/^wx[0-9a-zA-Z]{6,30}$/, 'appid must look like wx…'),
    merchant: z
      .object({
        serialNo: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'merchant serialNo must be the hex serial of the API certificate'),
        privateKey: pem('').optional(),
        privateKeyFile: z.string().min(1).optional(),
      })
      .strict(),
    platform: z
      .object({
        certificates: z.array(pem('CERTIFICATE')).optional(),
        certificateFiles: z.array(z.string().min(1)).optional(),
        publicKeyId: z.string().regex(/^PUB_KEY_ID_[0-9A-Za-z_]+$/, 'publicKeyId must start with PUB_KEY_ID_').optional(),
        publicKey: pem('PUBLIC KEY').optional(),
        publicKeyFile: z.string().min(1).optional(),
        /** Certificate mode without shipping certificates: fetch them from `GET /v3/certificates`, refresh before expiry. */
        downloadCertificates: z.boolean().default(false),
      })
      .strict(),
    apiV3Key: z.string().optional(),
    gatewayBaseUrl: z.url({ protocol: /^https?$/ }).default('https://api.mch.weixin.qq.com'),
    notifyUrl,
    /**
     * Seed 000 individual-payee signing page: which lines its signature covers — `published`
     * (the requestSign page: appid, timeStamp, nonceStr, package) or `seed` (appId, timeStamp,
     * nonceStr, mchid, openid). docs/references/payee-sign.md.
     */
    payee: z
      .object({ signLayout: z.enum(['published', 'seed']).default('published') })
      .strict()
      .default({ signLayout: 'published' }),
    /** Minutes an order stays payable (becomes `time_expire`). */
    orderTtlMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
    amount: z
      .object({ minFen: z.number().int().min(1), maxFen: z.number().int().min(1) })
      .strict()
      .refine((a) => a.minFen <= a.maxFen, { message: 'amount.minFen must not exceed amount.maxFen' }),
    /** Openids allowed to refund (and to see any order). */
    admins: z.array(z.string().min(1)).default([]),
    store: storeSchema,
    defaultDescription: z.string().min(1).max(127),
    /** Never close sooner than this after creation (the gateway's rule; 5 min in production). */
    minCloseIntervalMs: z.number().int().min(0).default(DEFAULT_MIN_CLOSE_INTERVAL_MS),
    reconcile: z
      .object({
        /** A PAYING order unchanged this long is asked about at the gateway. */
        payingOlderThanMs: z.number().int().min(0).default(60_000),
        batchSize: z.number().int().min(1).max(100).default(50),
      })
      .strict()
      .default({ payingOlderThanMs: 60_000, batchSize: 50 }),
    /**
     * Seed 000 combine payments to individual payees. `trade_scenario`: the published 个人收款 order
     * page lists only RECOMMERCE (二手电商); the seed's TIP (打赏) is refused by the gateway, so it
     * is refused here at load (docs/references/combine.md, https://pay.weixin.qq.com/doc/v3/partner/4012602225).
     */
    combine: z
      .object({
        tradeScenario: z
          .literal('RECOMMERCE', { error: 'only RECOMMERCE is published for 个人收款 (TIP is seed-only and the gateway refuses it); see docs/references/combine.md' })
          .default('RECOMMERCE'),
      })
      .strict()
      .default({ tradeScenario: 'RECOMMERCE' }),
    http: z
      .object({ timeoutMs: z.number().int().min(100).default(10_000), maxAttempts: z.number().int().min(1).max(10).default(3) })
      .strict()
      .default({ timeoutMs: 10_000, maxAttempts: 3 }),
  })
  .strict();

export type MerchantConfigFile = z.input<typeof fileSchema>;

/** Validated config with every key material loaded as PEM text. */
export interface MerchantConfig {
  mchid: string;
  appid: string;
  merchant: { serialNo: string; privateKey: string };
  platform: { certificates: string[]; downloadCertificates: boolean; publicKey?: { id: string; pem: string } };
  apiV3Key: string;
  gatewayBaseUrl: string;
  notifyUrl: string;
  payee: { signLayout: 'published' | 'seed' };
  orderTtlMs: number;
  amount: { minFen: number; maxFen: number };
  admins: string[];
  store: z.output<typeof storeSchema>;
  defaultDescription: string;
  minCloseIntervalMs: number;
  reconcile: { payingOlderThanMs: number; batchSize: number };
  combine: { tradeScenario: 'RECOMMERCE' };
  http: { timeoutMs: number; maxAttempts: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Injected for tests; default `fs.readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
}

/** Reads, merges env overrides, validates and loads key files. Throws ConfigError naming the field. */
export function loadMerchantConfig(options: LoadConfigOptions = {}): MerchantConfig {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const inline = env[CONFIG_ENV.inline];
  const file = env[CONFIG_ENV.file];
  if (inline !== undefined && file) throw new ConfigError(`set ${CONFIG_ENV.inline} or ${CONFIG_ENV.file}, not both`);
  if (inline !== undefined) {
    return parseMerchantConfig(parseJson(inline, CONFIG_ENV.inline), { env, readFile, baseDir: process.cwd(), source: CONFIG_ENV.inline });
  }
  if (!file) throw new ConfigError(`${CONFIG_ENV.file} (or ${CONFIG_ENV.inline}) is not set: point it at the merchant config JSON`);
  let text: string;
  try {
    text = readFile(file);
  } catch (cause) {
    throw new ConfigError(`${CONFIG_ENV.file}: cannot read ${file}: ${(cause as Error).message}`);
  }
  const raw = parseJson(text, file);
  return parseMerchantConfig(raw, { env, readFile, baseDir: dirname(resolve(file)), source: file });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${source}: not valid JSON (${(cause as Error).message})`);
  }
}

/** Validates an already-parsed config object (paths resolved against `baseDir`). */
export function parseMerchantConfig(
  raw: unknown,
  options: { env?: Record<string, string | undefined>; readFile?: (path: string) => string; baseDir?: string; source?: string } = {},
): MerchantConfig {
  const env = options.env ?? {};
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const baseDir = options.baseDir ?? process.cwd();
  const source = options.source ?? 'merchant config';
  const merged = withEnvOverrides(raw, env);
  const parsed = fileSchema.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid — ${fields.join('; ')}`);
  }
  const c = parsed.data;
  const load = (field: string, path: string) => {
    try {
      return readFile(isAbsolute(path) ? path : resolve(baseDir, path));
    } catch (cause) {
      throw new ConfigError(`${source}: ${field}: cannot read ${path}: ${(cause as Error).message}`);
    }
  };

  const privateKey = c.merchant.privateKey ?? (c.merchant.privateKeyFile ? load('merchant.privateKeyFile', c.merchant.privateKeyFile) : undefined);
  if (!privateKey) throw new ConfigError(`${source}: merchant.privateKey is required (PEM, ${CONFIG_ENV.merchantPrivateKey}, or merchant.privateKeyFile)`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) throw new ConfigError(`${source}: merchant.privateKey is not a PEM private key`);

  if (c.apiV3Key === undefined) throw new ConfigError(`${source}: apiV3Key is required (or set ${CONFIG_ENV.apiV3Key})`);
  if (Buffer.byteLength(c.apiV3Key, 'utf8') !== 32) throw new ConfigError(`${source}: apiV3Key must be exactly 32 bytes`);

  const certificates = [...(c.platform.certificates ?? [])];
  c.platform.certificateFiles?.forEach((path, i) => certificates.push(load(`platform.certificateFiles.${i}`, path)));
  const publicKeyPem = c.platform.publicKey ?? (c.platform.publicKeyFile ? load('platform.publicKeyFile', c.platform.publicKeyFile) : undefined);
  if ((publicKeyPem === undefined) !== (c.platform.publicKeyId === undefined)) {
    throw new ConfigError(`${source}: platform.publicKeyId and platform.publicKey go together (public-key mode needs both)`);
  }
  if (certificates.length === 0 && publicKeyPem === undefined && !c.platform.downloadCertificates) {
    throw new ConfigError(`${source}: platform needs certificates, downloadCertificates and/or publicKeyId + publicKey to verify the gateway`);
  }

  return {
    mchid: c.mchid,
    appid: c.appid,
    merchant: { serialNo: c.merchant.serialNo.toUpperCase(), privateKey },
    platform: {
      certificates,
      downloadCertificates: c.platform.downloadCertificates,
      ...(publicKeyPem !== undefined && c.platform.publicKeyId !== undefined ? { publicKey: { id: c.platform.publicKeyId, pem: publicKeyPem } } : {}),
    },
    apiV3Key: c.apiV3Key,
    gatewayBaseUrl: c.gatewayBaseUrl.replace(/\/+$/, ''),
    notifyUrl: c.notifyUrl,
    payee: c.payee,
    orderTtlMs: c.orderTtlMinutes * 60_000,
    amount: c.amount,
    admins: c.admins,
    store: c.store,
    defaultDescription: c.defaultDescription,
    minCloseIntervalMs: c.minCloseIntervalMs,
    reconcile: c.reconcile,
    combine: c.combine,
    http: c.http,
  };
}

function withEnvOverrides(raw: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const merchant = { ...((out.merchant as Record<string, unknown> | undefined) ?? {}) };
  const platform = { ...((out.platform as Record<string, unknown> | undefined) ?? {}) };
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
  // Numbers from env stay strings when malformed, so the schema names the field instead of guessing.
  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : text);
  if (env[CONFIG_ENV.minCloseIntervalMs]) out.minCloseIntervalMs = number(env[CONFIG_ENV.minCloseIntervalMs]!);
  if (env[CONFIG_ENV.reconcileAfterMs]) {
    out.reconcile = { ...((out.reconcile as Record<string, unknown> | undefined) ?? {}), payingOlderThanMs: number(env[CONFIG_ENV.reconcileAfterMs]!) };
  }
  if (out.merchant !== undefined || Object.keys(merchant).length) out.merchant = merchant;
  if (out.platform !== undefined || Object.keys(platform).length) out.platform = platform;
  return out;
}

let cached: MerchantConfig | undefined;
/**
 * The environment as it was when this bundle loaded (its cold start). A local host may load
 * several stacks' bundles into one process, each after setting its own env.
 */
let coldStartEnv: Record<string, string | undefined> = { ...process.env };

/** The config of this cold start: loaded and validated on first use, then reused. */
export function merchantConfig(): MerchantConfig {
  cached ??= loadMerchantConfig({ env: coldStartEnv });
  return cached;
}

/** Forget the cached config and take the environment afresh (tests that switch PAY_CONFIG_FILE). */
export function resetMerchantConfig(): void {
  cached = undefined;
  coldStartEnv = { ...process.env };
}
