/**
 * The merchant config file as written: app-level sections (the mini-program, amounts, store,
 * admins, …) plus one section per gateway — `wechatpayV3`, `wechatpayV2`, `huifu`. Every gateway
 * section is optional: a merchant configures the gateways they have; a missing one disables its
 * channels (logged at cold start, `CHANNEL_UNAVAILABLE` to a payment asking for one).
 * Key material may be given as PEM text or as a path next to the file (`…File`).
 *
 * zod's tree-shakeable build; `kernel/validation.ts` words the issues ("field: what was expected").
 */
import * as z from 'zod/mini';

/** Seed 004: an order may not be closed sooner than 5 minutes after it was created. */
export const DEFAULT_MIN_CLOSE_INTERVAL_MS = 5 * 60_000;
export const WECHATPAY_BASE_URL = 'https://api.mch.weixin.qq.com';
export const HUIFU_BASE_URL = 'https://api.huifu.com';

/**
 * Built on first use, not as the bundle loads: constructing ~100 zod schemas is most of what a
 * bundle's cold `require` would otherwise cost (bench e2e), and only the config load needs them.
 */
function buildSchemas() {
  const text = () => z.string().check(z.minLength(1));
  const pem = (kind: string) => z.string().check(z.refine((value) => value.includes(`-----BEGIN ${kind}`), `expected a PEM (-----BEGIN ${kind}…)`));
  const baseUrl = (fallback: string) => z._default(z.url({ protocol: /^https?$/ }), fallback);
  const notifyUrl = z.url({ protocol: /^https?$/ }).check(z.refine((url) => !url.includes('?'), 'notify URL must not carry a query string'));
  const mchid = z.string().check(z.regex(/^\d{6,32}$/, 'mchid must be digits'));
  const http = z._default(
    z.strictObject({
      timeoutMs: z._default(z.int().check(z.minimum(100)), 10_000),
      maxAttempts: z._default(z.int().check(z.minimum(1), z.maximum(10)), 3),
    }),
    { timeoutMs: 10_000, maxAttempts: 3 },
  );

  /** WeChat Pay APIv3 (jsapi, combine, individual payees; PayScore joins here). */
  const wechatpayV3Schema = z.strictObject({
    mchid,
    merchant: z.strictObject({
      serialNo: z.string().check(z.regex(/^[0-9A-Fa-f]{8,64}$/, 'merchant serialNo must be the hex serial of the API certificate')),
      privateKey: z.optional(pem('')),
      privateKeyFile: z.optional(text()),
    }),
    platform: z.strictObject({
      certificates: z.optional(z.array(pem('CERTIFICATE'))),
      certificateFiles: z.optional(z.array(text())),
      publicKeyId: z.optional(z.string().check(z.regex(/^PUB_KEY_ID_[0-9A-Za-z_]+$/, 'publicKeyId must start with PUB_KEY_ID_'))),
      publicKey: z.optional(pem('PUBLIC KEY')),
      publicKeyFile: z.optional(text()),
      /** Certificate mode without shipping certificates: fetch them from `GET /v3/certificates`, refresh before expiry. */
      downloadCertificates: z._default(z.boolean(), false),
    }),
    /** Required; may come from the env (README) rather than the file. */
    apiV3Key: z.optional(z.string()),
    gatewayBaseUrl: baseUrl(WECHATPAY_BASE_URL),
    notifyUrl,
    http,
  });

  /**
   * WeChat Pay APIv2 (XML, MD5 / HMAC-SHA256). Schema only for now: the v2 channel comes with its
   * product. Refunds need the merchant's API client certificate (mutual TLS): PEM pair or PKCS#12.
   */
  const wechatpayV2Schema = z.strictObject({
    mchid,
    /** The API key (32 characters) signing every v2 request; may come from the env. */
    key: z.optional(z.string()),
    signType: z._default(z.enum(['MD5', 'HMAC-SHA256']), 'MD5'),
    clientCertificate: z.optional(
      z.strictObject({
        certificate: z.optional(pem('CERTIFICATE')),
        certificateFile: z.optional(text()),
        privateKey: z.optional(pem('')),
        privateKeyFile: z.optional(text()),
        pkcs12File: z.optional(text()),
        /** The PKCS#12 password; may come from the env. */
        pkcs12Password: z.optional(z.string()),
      }),
    ),
    gatewayBaseUrl: baseUrl(WECHATPAY_BASE_URL),
    notifyUrl,
    http,
  });

  /** Huifu DouGong (channel `huifu`, seed 002). */
  const huifuSchema = z.strictObject({
    sysId: text(),
    productId: text(),
    /** The merchant's huifu_id receiving the money. */
    huifuId: text(),
    /** The merchant's RSA private key, PEM or the console's bare base64 (PKCS#8); may come from the env. */
    privateKey: z.optional(text()),
    privateKeyFile: z.optional(text()),
    /** Huifu's RSA public key, PEM or bare base64. */
    huifuPublicKey: z.optional(text()),
    huifuPublicKeyFile: z.optional(text()),
    /**
     * How `wx_data` names the payer (seed 002 says both): `sub_openid` sends `sub_appid` (the
     * mini-program's appid) + `sub_openid`, as Huifu's mini-program page asks; `openid` sends `openid`.
     */
    payerIdentity: z._default(z.enum(['sub_openid', 'openid']), 'sub_openid'),
    /** Huifu refuses to close an order sooner than 1 minute after it (20000001). */
    minCloseIntervalMs: z._default(z.int().check(z.minimum(0)), 60_000),
    gatewayBaseUrl: baseUrl(HUIFU_BASE_URL),
    notifyUrl,
    http,
  });

  const storeSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('sqlite'), file: text() }),
    z.strictObject({ kind: z.literal('cloudbase'), collectionPrefix: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_]*$/))) }),
  ]);

  const fileSchema = z.strictObject({
    /** The mini-program's appid: shared by every gateway that pays inside it. */
    appid: z.string().check(z.regex(/^wx[0-9a-zA-Z]{6,30}$/, 'appid must look like wx…')),
    wechatpayV3: z.optional(wechatpayV3Schema),
    wechatpayV2: z.optional(wechatpayV2Schema),
    huifu: z.optional(huifuSchema),
    /**
     * Seed 000 individual-payee signing page: which lines its signature covers — `published`
     * (the requestSign page: appid, timeStamp, nonceStr, package) or `seed` (appId, timeStamp,
     * nonceStr, mchid, openid). docs/references/payee-sign.md.
     */
    payee: z._default(z.strictObject({ signLayout: z._default(z.enum(['published', 'seed']), 'published') }), { signLayout: 'published' }),
    /** Minutes an order stays payable (becomes `time_expire`). */
    orderTtlMinutes: z._default(z.int().check(z.minimum(1), z.maximum(7 * 24 * 60)), 30),
    amount: z
      .strictObject({ minFen: z.int().check(z.minimum(1)), maxFen: z.int().check(z.minimum(1)) })
      .check(z.refine((a) => a.minFen <= a.maxFen, 'amount.minFen must not exceed amount.maxFen')),
    /** Openids allowed to refund (and to see any order). */
    admins: z._default(z.array(text()), []),
    store: storeSchema,
    defaultDescription: z.string().check(z.minLength(1), z.maxLength(127)),
    /** Never close sooner than this after creation (the gateway's rule; 5 min in production). */
    minCloseIntervalMs: z._default(z.int().check(z.minimum(0)), DEFAULT_MIN_CLOSE_INTERVAL_MS),
    reconcile: z._default(
      z.strictObject({
        /** A PAYING order unchanged this long is asked about at the gateway. */
        payingOlderThanMs: z._default(z.int().check(z.minimum(0)), 60_000),
        batchSize: z._default(z.int().check(z.minimum(1), z.maximum(100)), 50),
      }),
      { payingOlderThanMs: 60_000, batchSize: 50 },
    ),
    /**
     * Seed 000 combine payments to individual payees. `trade_scenario`: the published 个人收款 order
     * page lists only RECOMMERCE (二手电商); the seed's TIP (打赏) is refused by the gateway, so it
     * is refused here at load (docs/references/combine.md, https://pay.weixin.qq.com/doc/v3/partner/4012602225).
     */
    combine: z._default(
      z.strictObject({
        tradeScenario: z._default(
          z.literal('RECOMMERCE', {
            error: 'only RECOMMERCE is published for 个人收款 (TIP is seed-only and the gateway refuses it); see docs/references/combine.md',
          }),
          'RECOMMERCE',
        ),
      }),
      { tradeScenario: 'RECOMMERCE' },
    ),
  });

  return { fileSchema, wechatpayV3Schema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;
/** The file's schema (built once). */
export function fileSchema(): Schemas['fileSchema'] {
  schemas ??= buildSchemas();
  return schemas.fileSchema;
}

export type MerchantConfigFile = z.input<Schemas['fileSchema']>;
export type ParsedConfigFile = z.output<Schemas['fileSchema']>;
export type WechatpayV3File = z.input<Schemas['wechatpayV3Schema']>;
/** The top-level fields of the pre-sections (flat) shape that now live in `wechatpayV3`. */
export const LEGACY_V3_FIELDS = ['mchid', 'merchant', 'platform', 'apiV3Key', 'gatewayBaseUrl', 'notifyUrl', 'http'] as const;
