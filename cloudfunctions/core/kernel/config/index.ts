/**
 * Merchant configuration: read once per cold start from the JSON named by `PAY_CONFIG_FILE` (or
 * inline in `PAY_CONFIG`), secrets overridable by env vars, validated by the schemas in
 * `schema.ts` — one section per gateway, every one optional. A malformed field fails fast with a
 * message naming it — better a function that refuses to start than one that signs with the wrong
 * key at the first payment. The types are derived from the schemas and from `resolveConfig`
 * (key material loaded), never written twice.
 *
 * Server-only: nothing here may be imported by `miniprogram/`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { describeIssues, validate } from '../validation';
import { CONFIG_ENV, fromLegacyShape, LegacyShapeError, withEnvOverrides } from './env';
import { fileSchema, type ParsedConfigFile } from './schema';

export { CONFIG_ENV } from './env';
export { DEFAULT_MIN_CLOSE_INTERVAL_MS, type MerchantConfigFile, type WechatpayV3File } from './schema';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
type ReadFile = (path: string) => string;

export interface LoadConfigOptions {
  env?: Env;
  /** Injected for tests; default `fs.readFileSync(path, 'utf8')`. */
  readFile?: ReadFile;
  /** Told about deprecated shapes; default `console.warn`. */
  warn?: (message: string) => void;
}

/** Reads, merges env overrides, validates and loads key files. Throws ConfigError naming the field. */
export function loadMerchantConfig(options: LoadConfigOptions = {}): MerchantConfig {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const common = { env, readFile, ...(options.warn ? { warn: options.warn } : {}) };
  const inline = env[CONFIG_ENV.inline];
  const file = env[CONFIG_ENV.file];
  if (inline !== undefined && file) throw new ConfigError(`set ${CONFIG_ENV.inline} or ${CONFIG_ENV.file}, not both`);
  if (inline !== undefined) {
    return parseMerchantConfig(parseJson(inline, CONFIG_ENV.inline), { ...common, baseDir: process.cwd(), source: CONFIG_ENV.inline });
  }
  if (!file) throw new ConfigError(`${CONFIG_ENV.file} (or ${CONFIG_ENV.inline}) is not set: point it at the merchant config JSON`);
  let text: string;
  try {
    text = readFile(file);
  } catch (cause) {
    throw new ConfigError(`${CONFIG_ENV.file}: cannot read ${file}: ${(cause as Error).message}`);
  }
  return parseMerchantConfig(parseJson(text, file), { ...common, baseDir: dirname(resolve(file)), source: file });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${source}: not valid JSON (${(cause as Error).message})`);
  }
}

export interface ParseConfigOptions extends LoadConfigOptions {
  baseDir?: string;
  source?: string;
}

/** Validates an already-parsed config object (paths resolved against `baseDir`). */
export function parseMerchantConfig(raw: unknown, options: ParseConfigOptions = {}): MerchantConfig {
  const env = options.env ?? {};
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const baseDir = options.baseDir ?? process.cwd();
  const source = options.source ?? 'merchant config';
  const warn = options.warn ?? ((message: string) => console.warn(`[config] ${source}: ${message}`));
  let current: unknown;
  try {
    current = fromLegacyShape(raw, warn);
  } catch (error) {
    if (error instanceof LegacyShapeError) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
  const parsed = validate(fileSchema(), withEnvOverrides(current, env));
  if (!parsed.success) throw new ConfigError(`${source} is invalid — ${describeIssues(parsed.issues, { root: '(root)', limit: Infinity })}`);
  const load = (field: string, path: string) => {
    try {
      return readFile(isAbsolute(path) ? path : resolve(baseDir, path));
    } catch (cause) {
      throw new ConfigError(`${source}: ${field}: cannot read ${path}: ${(cause as Error).message}`);
    }
  };
  return resolveConfig(parsed.data, { load, source, absolute: (path) => (isAbsolute(path) ? path : resolve(baseDir, path)) });
}

interface Resolver {
  /** The file's text, or ConfigError naming `field`. */
  load: (field: string, path: string) => string;
  absolute: (path: string) => string;
  source: string;
}

/** The validated file with key material loaded and cross-field rules checked: what the runtime gets. */
function resolveConfig(c: ParsedConfigFile, r: Resolver) {
  return {
    appid: c.appid,
    wechatpayV3: c.wechatpayV3 && resolveWechatpayV3(c.wechatpayV3, r),
    wechatpayV2: c.wechatpayV2 && resolveWechatpayV2(c.wechatpayV2, r),
    huifu: c.huifu && resolveHuifu(c.huifu, r),
    payee: c.payee,
    orderTtlMs: c.orderTtlMinutes * 60_000,
    amount: c.amount,
    admins: c.admins,
    store: c.store,
    defaultDescription: c.defaultDescription,
    minCloseIntervalMs: c.minCloseIntervalMs,
    reconcile: c.reconcile,
    combine: c.combine,
  };
}

/** Validated config with every key material loaded as text; a gateway section is absent when not configured. */
export type MerchantConfig = ReturnType<typeof resolveConfig>;
export type WechatpayV3Config = NonNullable<MerchantConfig['wechatpayV3']>;
export type WechatpayV2Config = NonNullable<MerchantConfig['wechatpayV2']>;
export type HuifuConfig = NonNullable<MerchantConfig['huifu']>;

function resolveWechatpayV3(s: NonNullable<ParsedConfigFile['wechatpayV3']>, { load, source }: Resolver) {
  const privateKey = s.merchant.privateKey ?? (s.merchant.privateKeyFile ? load('wechatpayV3.merchant.privateKeyFile', s.merchant.privateKeyFile) : undefined);
  if (!privateKey) {
    throw new ConfigError(`${source}: wechatpayV3.merchant.privateKey is required (PEM, ${CONFIG_ENV.merchantPrivateKey}, or merchant.privateKeyFile)`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) throw new ConfigError(`${source}: wechatpayV3.merchant.privateKey is not a PEM private key`);

  if (s.apiV3Key === undefined) throw new ConfigError(`${source}: wechatpayV3.apiV3Key is required (or set ${CONFIG_ENV.apiV3Key})`);
  if (Buffer.byteLength(s.apiV3Key, 'utf8') !== 32) throw new ConfigError(`${source}: wechatpayV3.apiV3Key must be exactly 32 bytes`);

  const certificates = [...(s.platform.certificates ?? [])];
  s.platform.certificateFiles?.forEach((path, i) => certificates.push(load(`wechatpayV3.platform.certificateFiles.${i}`, path)));
  const publicKeyPem = s.platform.publicKey ?? (s.platform.publicKeyFile ? load('wechatpayV3.platform.publicKeyFile', s.platform.publicKeyFile) : undefined);
  if ((publicKeyPem === undefined) !== (s.platform.publicKeyId === undefined)) {
    throw new ConfigError(`${source}: wechatpayV3.platform.publicKeyId and platform.publicKey go together (public-key mode needs both)`);
  }
  if (certificates.length === 0 && publicKeyPem === undefined && !s.platform.downloadCertificates) {
    throw new ConfigError(`${source}: wechatpayV3.platform needs certificates, downloadCertificates and/or publicKeyId + publicKey to verify the gateway`);
  }
  const publicKey: { id: string; pem: string } | undefined =
    publicKeyPem !== undefined && s.platform.publicKeyId !== undefined ? { id: s.platform.publicKeyId, pem: publicKeyPem } : undefined;
  return {
    mchid: s.mchid,
    merchant: { serialNo: s.merchant.serialNo.toUpperCase(), privateKey },
    /** `publicKey`: the `PUB_KEY_ID_…` key (public-key mode), undefined in certificate mode. */
    platform: { certificates, downloadCertificates: s.platform.downloadCertificates, publicKey },
    apiV3Key: s.apiV3Key,
    gatewayBaseUrl: s.gatewayBaseUrl.replace(/\/+$/, ''),
    notifyUrl: s.notifyUrl,
    http: s.http,
    payscore: s.payscore,
  };
}

function resolveWechatpayV2(s: NonNullable<ParsedConfigFile['wechatpayV2']>, { load, absolute, source }: Resolver) {
  if (s.key === undefined) throw new ConfigError(`${source}: wechatpayV2.key is required (or set ${CONFIG_ENV.v2Key})`);
  if (s.key.length === 0) throw new ConfigError(`${source}: wechatpayV2.key must not be empty`);
  // Every v2 call presents it and refunds need it: a section without a usable one is refused now, not at the first refund.
  if (!s.clientCertificate) throw new ConfigError(`${source}: wechatpayV2.clientCertificate is required (the merchant API certificate: PEM pair or PKCS#12)`);
  const clientCertificate = resolveV2ClientCertificate(s.clientCertificate, { load, absolute, source });
  return {
    mchid: s.mchid,
    ...(s.appAppid ? { appAppid: s.appAppid } : {}),
    key: s.key,
    signType: s.signType,
    clientCertificate,
    gatewayCa: s.gatewayCaFile === undefined ? undefined : load('wechatpayV2.gatewayCaFile', s.gatewayCaFile),
    gatewayBaseUrl: s.gatewayBaseUrl.replace(/\/+$/, ''),
    notifyUrl: s.notifyUrl,
    http: s.http,
  };
}

type V2ClientCertificate = { kind: 'pem'; certificate: string; privateKey: string } | { kind: 'pkcs12'; file: string; password: string };

function resolveV2ClientCertificate(s: NonNullable<NonNullable<ParsedConfigFile['wechatpayV2']>['clientCertificate']>, { load, absolute, source }: Resolver): V2ClientCertificate {
  const field = 'wechatpayV2.clientCertificate';
  const pemGiven = [s.certificate, s.certificateFile, s.privateKey, s.privateKeyFile].some((v) => v !== undefined);
  if (s.pkcs12File !== undefined) {
    if (pemGiven) throw new ConfigError(`${source}: ${field}: give a PEM pair or pkcs12File, not both`);
    if (s.pkcs12Password === undefined) throw new ConfigError(`${source}: ${field}.pkcs12Password is required with pkcs12File (or set ${CONFIG_ENV.v2Pkcs12Password})`);
    load(`${field}.pkcs12File`, s.pkcs12File); // readable now, not at the first refund
    const file = absolute(s.pkcs12File);
    checkClientIdentity({ pfx: readFileSync(file), passphrase: s.pkcs12Password }, `${field}.pkcs12File`, source);
    return { kind: 'pkcs12', file, password: s.pkcs12Password };
  }
  const certificate = s.certificate ?? (s.certificateFile ? load(`${field}.certificateFile`, s.certificateFile) : undefined);
  const privateKey = s.privateKey ?? (s.privateKeyFile ? load(`${field}.privateKeyFile`, s.privateKeyFile) : undefined);
  if (!certificate || !privateKey) throw new ConfigError(`${source}: ${field} needs certificate + privateKey (PEM or files) or pkcs12File + pkcs12Password`);
  checkClientIdentity({ cert: certificate, key: privateKey }, field, source);
  return { kind: 'pem', certificate, privateKey };
}

/**
 * The identity must open as TLS would open it: a wrong PKCS#12 password ("mac verify failure"),
 * a key that is not the certificate's ("key values mismatch") or a file that is no certificate is
 * a configuration error at cold start, named, not a dropped connection at the first refund.
 */
function checkClientIdentity(identity: { pfx: Buffer; passphrase: string } | { cert: string; key: string }, field: string, source: string): void {
  try {
    // Required here, not at the top: bundles whose config has no v2 section never load node:tls.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:tls') as typeof import('node:tls')).createSecureContext(identity);
  } catch (cause) {
    throw new ConfigError(`${source}: ${field}: the client certificate cannot be used: ${(cause as Error).message}`);
  }
}

function resolveHuifu(s: NonNullable<ParsedConfigFile['huifu']>, { load, source }: Resolver) {
  const privateKey = s.privateKey ?? (s.privateKeyFile ? load('huifu.privateKeyFile', s.privateKeyFile) : undefined);
  if (!privateKey) throw new ConfigError(`${source}: huifu.privateKey is required (PEM or base64, ${CONFIG_ENV.huifuPrivateKey}, or huifu.privateKeyFile)`);
  const huifuPublicKey = s.huifuPublicKey ?? (s.huifuPublicKeyFile ? load('huifu.huifuPublicKeyFile', s.huifuPublicKeyFile) : undefined);
  if (!huifuPublicKey) throw new ConfigError(`${source}: huifu.huifuPublicKey is required (PEM or base64, or huifu.huifuPublicKeyFile)`);
  return {
    sysId: s.sysId,
    productId: s.productId,
    huifuId: s.huifuId,
    privateKey,
    huifuPublicKey,
    payerIdentity: s.payerIdentity,
    minCloseIntervalMs: s.minCloseIntervalMs,
    gatewayBaseUrl: s.gatewayBaseUrl.replace(/\/+$/, ''),
    notifyUrl: s.notifyUrl,
    http: s.http,
  };
}

/** Each gateway section and the channels it serves; a product adds its channel name here. */
export const GATEWAY_SECTIONS = {
  wechatpayV3: { label: 'WeChat Pay APIv3', channels: ['jsapi', 'combine'] },
  wechatpayV2: { label: 'WeChat Pay APIv2', channels: ['v2', 'v2app'] },
  huifu: { label: 'Huifu DouGong', channels: ['huifu'] },
} as const satisfies Record<string, { label: string; channels: readonly string[] }>;

export type GatewaySection = keyof typeof GATEWAY_SECTIONS;

/** One line per configured-out gateway that has channels: what a merchant reads at cold start. */
export function disabledGatewayNotes(config: MerchantConfig): string[] {
  return (Object.keys(GATEWAY_SECTIONS) as GatewaySection[])
    .filter((section) => config[section] === undefined && GATEWAY_SECTIONS[section].channels.length > 0)
    .map((section) => {
      const { label, channels } = GATEWAY_SECTIONS[section];
      return `${label} is not configured (no "${section}" section): channel${channels.length > 1 ? 's' : ''} ${channels.join(', ')} disabled`;
    });
}

let cached: MerchantConfig | undefined;
/**
 * The environment as it was when this bundle loaded (its cold start). A local host may load
 * several stacks' bundles into one process, each after setting its own env.
 */
let coldStartEnv: Env = { ...process.env };

/** The config of this cold start: loaded and validated on first use, then reused. */
export function merchantConfig(): MerchantConfig {
  if (!cached) {
    cached = loadMerchantConfig({ env: coldStartEnv });
    for (const note of disabledGatewayNotes(cached)) console.warn(`[config] ${note}`);
  }
  return cached;
}

/**
 * At a function's cold start: load the config so a disabled gateway is logged before any payment.
 * Deferred to just after the bundle has loaded (its `require` stays lean; the first call would
 * load the config anyway). A broken or missing config is left to the first call, which reports it.
 */
export function preloadMerchantConfig(): void {
  queueMicrotask(() => {
    try {
      merchantConfig();
    } catch {
      // reported by runtime() on the first call, with the field it names
    }
  });
}

/** Forget the cached config and take the environment afresh (tests that switch PAY_CONFIG_FILE). */
export function resetMerchantConfig(): void {
  cached = undefined;
  coldStartEnv = { ...process.env };
}
