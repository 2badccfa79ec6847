/** Every protocol constant of APIv3 in one place; no magic strings elsewhere. */

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

export const AUTHORIZATION_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

export const USER_AGENT = 'wxpay-miniprogram-stack/0.1.0 (node)';

/** Request and response header names, as WeChat Pay spells them. */
export const HEADER = {
  authorization: 'Authorization',
  accept: 'Accept',
  contentType: 'Content-Type',
  userAgent: 'User-Agent',
  requestId: 'Request-ID',
  serial: 'Wechatpay-Serial',
  signature: 'Wechatpay-Signature',
  timestamp: 'Wechatpay-Timestamp',
  nonce: 'Wechatpay-Nonce',
  signatureType: 'Wechatpay-Signature-Type',
} as const;

export const JSON_MEDIA_TYPE = 'application/json';

/** A signed response or notification older or newer than this (seconds) is rejected. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/** WeChat Pay sends signatures with this prefix to probe that merchants really verify. */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** Serial of a platform public key (public-key mode) as opposed to a certificate serial. */
export const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';

export const AES_GCM_ALGORITHM = 'AEAD_AES_256_GCM';
export const GCM_TAG_BYTES = 16;
export const API_V3_KEY_BYTES = 32;

export const DEFAULT_TIMEOUT_MS = 10_000;

export const CERTIFICATES_PATH = '/v3/certificates';

/**
 * Refresh platform certificates this long before the newest one expires, and at least this often:
 * the published advice is "定时调用，间隔应小于12小时" (download at intervals shorter than 12 h,
 * https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/apilist.html) and a new
 * certificate joins the list 24 h before it is used
 * (https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_1_3.shtml).
 */
export const CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS = 24 * 3600 * 1000;
export const CERTIFICATE_REFRESH_INTERVAL_MS = 6 * 3600 * 1000;

/**
 * A response or notification signed under a serial we do not hold triggers one download ("惰性加载",
 * https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay5_0.shtml) — but no more than one per
 * this interval, so a flood of made-up serials cannot turn us into a load on the gateway.
 */
export const CERTIFICATE_UNKNOWN_SERIAL_MIN_INTERVAL_MS = 60_000;

/** Gateway codes retried (same body) on a 429, and on a 5xx; every other error is final. */
export const RETRYABLE_ON_429 = ['FREQUENCY_LIMITED'] as const;
export const RETRYABLE_ON_5XX = ['SYSTEM_ERROR', 'BANK_ERROR'] as const;
