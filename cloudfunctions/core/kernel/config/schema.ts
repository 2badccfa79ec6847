/**
 * The merchant config file as written: app-level sections (the mini-program, amounts, store,
 * admins, …) plus one section per gateway — `wechatpayV3`, `wechatpayV2`, `huifu`. Every gateway
 * section is optional: a merchant configures the gateways they have; a missing one disables its
 * channels (logged at cold start, `CHANNEL_UNAVAILABLE` to a payment asking for one).
 * Key material may be given as PEM text or as a path next to the file (`…File`).
 *
 * valibot; `kernel/validation.ts` words the issues ("field: what was expected").
 */
import * as v from 'valibot';
import { httpUrl } from '../validation';

/** Seed 004: an order may not be closed sooner than 5 minutes after it was created. */
export const DEFAULT_MIN_CLOSE_INTERVAL_MS = 5 * 60_000;
export const WECHATPAY_BASE_URL = 'https://api.mch.weixin.qq.com';
export const HUIFU_BASE_URL = 'https://api.huifu.com';

/**
 * Built on first use, not as the bundle loads: only the config load needs them, and a bundle's
 * cold `require` should not pay for ~100 schema objects (bench e2e).
 */
function buildSchemas() {
  const text = () => v.pipe(v.string(), v.minLength(1));
  const pem = (kind: string) => v.pipe(v.string(), v.check((value) => value.includes(`-----BEGIN ${kind}`), `expected a PEM (-----BEGIN ${kind}…)`));
  const int = () => v.pipe(v.number(), v.integer());
  const baseUrl = (fallback: string) => v.optional(httpUrl(), fallback);
  const notifyUrl = v.pipe(httpUrl(), v.check((url) => !url.includes('?'), 'notify URL must not carry a query string'));
  const mchid = v.pipe(v.string(), v.regex(/^\d{6,32}$/, 'mchid must be digits'));
  const http = v.optional(
    v.strictObject({
      timeoutMs: v.optional(v.pipe(int(), v.minValue(100)), 10_000),
      maxAttempts: v.optional(v.pipe(int(), v.minValue(1), v.maxValue(10)), 3),
    }),
    { timeoutMs: 10_000, maxAttempts: 3 },
  );

  /** WeChat Pay APIv3 (jsapi, combine, individual payees; PayScore joins here). */
  const wechatpayV3Schema = v.strictObject({
    mchid,
    merchant: v.strictObject({
      serialNo: v.pipe(v.string(), v.regex(/^[0-9A-Fa-f]{8,64}$/, 'merchant serialNo must be the hex serial of the API certificate')),
      privateKey: v.optional(pem('')),
      privateKeyFile: v.optional(text()),
    }),
    platform: v.strictObject({
      certificates: v.optional(v.array(pem('CERTIFICATE'))),
      certificateFiles: v.optional(v.array(text())),
      publicKeyId: v.optional(v.pipe(v.string(), v.regex(/^PUB_KEY_ID_[0-9A-Za-z_]+$/, 'publicKeyId must start with PUB_KEY_ID_'))),
      publicKey: v.optional(pem('PUBLIC KEY')),
      publicKeyFile: v.optional(text()),
      /** Certificate mode without shipping certificates: fetch them from `GET /v3/certificates`, refresh before expiry. */
      downloadCertificates: v.optional(v.boolean(), false),
    }),
    /** Required; may come from the env (README) rather than the file. */
    apiV3Key: v.optional(v.string()),
    gatewayBaseUrl: baseUrl(WECHATPAY_BASE_URL),
    notifyUrl,
    http,
    /**
     * PayScore (微信支付分, acquiring-bank mode): the ids set at onboarding (seed 001 §2.2). Absent:
     * PayScore is off. `service_id` is 32 digits ("2002000000000558128851361561536", create page).
     */
    payscore: v.optional(
      v.strictObject({
        serviceId: v.pipe(v.string(), v.regex(/^\d{1,32}$/, 'payscore.serviceId must be digits')),
        subMchid: v.pipe(v.string(), v.regex(/^\d{6,32}$/, 'payscore.subMchid must be digits')),
        channelId: text(),
      }),
    ),
  });

  /**
   * WeChat Pay APIv2 (XML, MD5 / HMAC-SHA256): channels `v2` (mini-program, JSAPI) and `v2app`
   * (APP). Refunds need the merchant's API client certificate (mutual TLS): PEM pair or PKCS#12.
   */
  const wechatpayV2Schema = v.strictObject({
    mchid,
    /** The mobile app's appid (开放平台) for APP orders (channel `v2app`); without it `v2app` is off. */
    appAppid: v.optional(v.pipe(v.string(), v.regex(/^wx[0-9a-zA-Z]{6,30}$/, 'appAppid must look like wx…'))),
    /** A CA to trust for the gateway's TLS instead of Node's roots (a local sandbox); absent in production. */
    gatewayCaFile: v.optional(text()),
    /** The API key (32 characters) signing every v2 request; may come from the env. */
    key: v.optional(v.string()),
    signType: v.optional(v.picklist(['MD5', 'HMAC-SHA256']), 'MD5'),
    clientCertificate: v.optional(
      v.strictObject({
        certificate: v.optional(pem('CERTIFICATE')),
        certificateFile: v.optional(text()),
        privateKey: v.optional(pem('')),
        privateKeyFile: v.optional(text()),
        pkcs12File: v.optional(text()),
        /** The PKCS#12 password; may come from the env. */
        pkcs12Password: v.optional(v.string()),
      }),
    ),
    gatewayBaseUrl: baseUrl(WECHATPAY_BASE_URL),
    notifyUrl,
    http,
  });

  /** Huifu DouGong (channel `huifu`, seed 002). */
  const huifuSchema = v.strictObject({
    sysId: text(),
    productId: text(),
    /** The merchant's huifu_id receiving the money. */
    huifuId: text(),
    /** The merchant's RSA private key, PEM or the console's bare base64 (PKCS#8); may come from the env. */
    privateKey: v.optional(text()),
    privateKeyFile: v.optional(text()),
    /** Huifu's RSA public key, PEM or bare base64. */
    huifuPublicKey: v.optional(text()),
    huifuPublicKeyFile: v.optional(text()),
    /**
     * How `wx_data` names the payer (seed 002 says both): `sub_openid` sends `sub_appid` (the
     * mini-program's appid) + `sub_openid`, as Huifu's mini-program page asks; `openid` sends `openid`.
     */
    payerIdentity: v.optional(v.picklist(['sub_openid', 'openid']), 'sub_openid'),
    /** Huifu refuses to close an order sooner than 1 minute after it (20000001). */
    minCloseIntervalMs: v.optional(v.pipe(int(), v.minValue(0)), 60_000),
    gatewayBaseUrl: baseUrl(HUIFU_BASE_URL),
    notifyUrl,
    http,
  });

  const storeSchema = v.variant('kind', [
    v.strictObject({ kind: v.literal('sqlite'), file: text() }),
    v.strictObject({ kind: v.literal('cloudbase'), collectionPrefix: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_]*$/))) }),
  ]);

  const fileSchema = v.strictObject({
    /** The mini-program's appid: shared by every gateway that pays inside it. */
    appid: v.pipe(v.string(), v.regex(/^wx[0-9a-zA-Z]{6,30}$/, 'appid must look like wx…')),
    wechatpayV3: v.optional(wechatpayV3Schema),
    wechatpayV2: v.optional(wechatpayV2Schema),
    huifu: v.optional(huifuSchema),
    /**
     * Seed 000 individual-payee signing page: which lines its signature covers — `published`
     * (the requestSign page: appid, timeStamp, nonceStr, package) or `seed` (appId, timeStamp,
     * nonceStr, mchid, openid). docs/references/payee-sign.md.
     */
    payee: v.optional(v.strictObject({ signLayout: v.optional(v.picklist(['published', 'seed']), 'published') }), { signLayout: 'published' }),
    /** Minutes an order stays payable (becomes `time_expire`). */
    orderTtlMinutes: v.optional(v.pipe(int(), v.minValue(1), v.maxValue(7 * 24 * 60)), 30),
    amount: v.pipe(
      v.strictObject({ minFen: v.pipe(int(), v.minValue(1)), maxFen: v.pipe(int(), v.minValue(1)) }),
      v.check((a) => a.minFen <= a.maxFen, 'amount.minFen must not exceed amount.maxFen'),
    ),
    /** Openids allowed to refund (and to see any order). */
    admins: v.optional(v.array(text()), []),
    store: storeSchema,
    defaultDescription: v.pipe(v.string(), v.minLength(1), v.maxLength(127)),
    /** Never close sooner than this after creation (the gateway's rule; 5 min in production). */
    minCloseIntervalMs: v.optional(v.pipe(int(), v.minValue(0)), DEFAULT_MIN_CLOSE_INTERVAL_MS),
    reconcile: v.optional(
      v.strictObject({
        /** A PAYING order unchanged this long is asked about at the gateway. */
        payingOlderThanMs: v.optional(v.pipe(int(), v.minValue(0)), 60_000),
        /** Orders a page; a run pages through every stale order (domain/orders/reconcile.ts). */
        batchSize: v.optional(v.pipe(int(), v.minValue(1), v.maxValue(100)), 100),
        /** Orders reconciled at once: concurrent gateway calls of a run. */
        concurrency: v.optional(v.pipe(int(), v.minValue(1), v.maxValue(32)), 8),
        /** A run starts no new page after this long; the timer fires every minute (set the function's timeout above it). */
        maxRunMs: v.optional(v.pipe(int(), v.minValue(1000), v.maxValue(55_000)), 45_000),
      }),
      { payingOlderThanMs: 60_000, batchSize: 100, concurrency: 8, maxRunMs: 45_000 },
    ),
    /**
     * Seed 000 combine payments to individual payees. `trade_scenario`: the published 个人收款 order
     * page lists only RECOMMERCE (二手电商); the seed's TIP (打赏) is refused by the gateway, so it
     * is refused here at load (docs/references/combine.md, https://pay.weixin.qq.com/doc/v3/partner/4012602225).
     */
    combine: v.optional(
      v.strictObject({
        tradeScenario: v.optional(
          v.literal(
            'RECOMMERCE',
            'only RECOMMERCE is published for 个人收款 (TIP is seed-only and the gateway refuses it); see docs/references/combine.md',
          ),
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

export type MerchantConfigFile = v.InferInput<Schemas['fileSchema']>;
export type ParsedConfigFile = v.InferOutput<Schemas['fileSchema']>;
export type WechatpayV3File = v.InferInput<Schemas['wechatpayV3Schema']>;
/** The top-level fields of the pre-sections (flat) shape that now live in `wechatpayV3`. */
export const LEGACY_V3_FIELDS = ['mchid', 'merchant', 'platform', 'apiV3Key', 'gatewayBaseUrl', 'notifyUrl', 'http'] as const;
