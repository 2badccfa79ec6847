/**
 * The merchant config of the local stack: the sandbox's generated keys, the gateway's URL and the
 * function host's notify URL, written as the same JSON a real deployment uses (`PAY_CONFIG_FILE`),
 * so the functions run the production config path. Key material is referenced by file path (the
 * files `ensureSandboxKeys` wrote), never copied into the config.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MerchantConfigFile, WechatpayV3File } from '../cloudfunctions/core/kernel/config';
import { parseMerchantConfig } from '../cloudfunctions/core/kernel/config';
import type { SandboxKeys } from './keys';
import type { V2GatewayInfo } from './gateway/v2';
import { HUIFU_KEY_FILES } from './huifu/keys';
import { payscoreIdentity } from './gateway/payscore/identity';

export interface LocalConfigOptions {
  dataDir: string;
  keys: SandboxKeys;
  gatewayUrl: string;
  /** The function host; notifications go to `${hostUrl}/http/payNotify`. */
  hostUrl: string;
  /** Openids allowed to refund; default: the sandbox test user `admin`, when derivable. */
  admins?: string[];
  /** Derives a test user's openid as the sandbox's jscode2session does (to make `admin` an admin). */
  openidOf?: (user: string) => string;
  /**
   * Which platform verification to configure: both (default, a merchant mid-migration), one of
   * them, or certificates downloaded from the gateway at run time (`download`).
   */
  platformMode?: 'both' | 'certificate' | 'publicKey' | 'download';
  /** The merchant's `payee.signLayout` (signing-page signature); default the schema's (`published`). */
  signLayout?: 'published' | 'seed';
  /** Merged over the defaults (amount limits, TTL, minCloseIntervalMs, …). */
  overrides?: Partial<MerchantConfigFile>;
  /** Merged over the `wechatpayV3` section's fields (notifyUrl, apiV3Key, merchant, …). */
  wechatpayV3Overrides?: Partial<WechatpayV3File>;
  /** Default `<dataDir>/pay-config.json`. */
  file?: string;
  /**
   * The APIv2 sandbox (`gateway.v2`): writes the `wechatpayV2` section — the APIv2 key, the sign
   * type, the merchant client certificate as PKCS#12 (password = mch_id) and the sandbox CA, the
   * gateway's HTTPS URL, the `payNotifyV2` notify URL and the APP appid.
   */
  v2?: LocalV2Options;
  /** The Huifu sandbox, when it runs: a `huifu` section is written for it (channel `huifu`). */
  huifu?: LocalHuifu;
}

export interface LocalV2Options {
  info: Pick<V2GatewayInfo, 'secureUrl' | 'keys'>;
  /** Default MD5 (the APIv2 default); env SANDBOX_V2_SIGN_TYPE in `npm start`. */
  signType?: 'MD5' | 'HMAC-SHA256';
  /** Give the certificate as the PEM pair instead of the PKCS#12 file. */
  certificateAs?: 'pkcs12' | 'pem';
  /** Merged over the section (a wrong certificate, another key, …). */
  overrides?: Record<string, unknown>;
}

/** The `wechatpayV2` section for the sandbox's APIv2 gateway. */
function localV2Section(v2: LocalV2Options, keys: SandboxKeys, hostUrl: string): NonNullable<MerchantConfigFile['wechatpayV2']> {
  const { info } = v2;
  const client = info.keys.client;
  return {
    mchid: keys.mchid,
    appAppid: info.keys.appAppid,
    key: info.keys.apiV2Key,
    signType: v2.signType ?? 'MD5',
    clientCertificate:
      v2.certificateAs === 'pem'
        ? { certificateFile: client.certificateFile, privateKeyFile: client.privateKeyFile }
        : { pkcs12File: client.p12File, pkcs12Password: client.p12Password },
    gatewayCaFile: info.keys.ca.certificateFile,
    gatewayBaseUrl: info.secureUrl,
    notifyUrl: `${hostUrl.replace(/\/+$/, '')}/http/payNotifyV2`,
    http: { timeoutMs: 5_000, maxAttempts: 3 },
    ...(v2.overrides ?? {}),
  } as NonNullable<MerchantConfigFile['wechatpayV2']>;
}

/** What the local config needs of a running Huifu sandbox (sandbox/huifu). */
export interface LocalHuifu {
  url: string;
  keys: { sysId: string; productId: string; huifuId: string; dir: string };
  /** Merged over the `huifu` section (payerIdentity, minCloseIntervalMs, …). */
  overrides?: Partial<NonNullable<MerchantConfigFile['huifu']>>;
}

/** The `huifu` section for the local Huifu sandbox: its identity and key files, notifications to `huifuNotify`. */
export function localHuifuSection(huifu: LocalHuifu, hostUrl: string): NonNullable<MerchantConfigFile['huifu']> {
  return {
    sysId: huifu.keys.sysId,
    productId: huifu.keys.productId,
    huifuId: huifu.keys.huifuId,
    privateKeyFile: join(huifu.keys.dir, HUIFU_KEY_FILES.merchantPrivate),
    huifuPublicKeyFile: join(huifu.keys.dir, HUIFU_KEY_FILES.huifuPublic),
    gatewayBaseUrl: huifu.url,
    notifyUrl: `${hostUrl.replace(/\/+$/, '')}/http/huifuNotify`,
    http: { timeoutMs: 5_000, maxAttempts: 3 },
    ...huifu.overrides,
  };
}

export const LOCAL_AMOUNT_LIMITS = { minFen: 1, maxFen: 5_000_000 } as const;

export function localMerchantConfig(options: LocalConfigOptions): MerchantConfigFile {
  const { keys, dataDir } = options;
  const keyDir = join(dataDir, 'keys');
  const mode = options.platformMode ?? 'both';
  const admins = options.admins ?? (options.openidOf ? [options.openidOf('admin')] : []);
  return {
    appid: keys.appid,
    wechatpayV3: {
      mchid: keys.mchid,
      merchant: { serialNo: keys.merchant.serialNo, privateKeyFile: join(keyDir, 'merchant_key.pem') },
      platform:
        mode === 'download'
          ? { downloadCertificates: true }
          : {
              ...(mode !== 'publicKey' ? { certificateFiles: [join(keyDir, 'platform_cert.pem')] } : {}),
              ...(mode !== 'certificate' ? { publicKeyId: keys.platformPublicKey.keyId, publicKeyFile: join(keyDir, 'platform_pubkey.pem') } : {}),
            },
      apiV3Key: keys.apiV3Key,
      gatewayBaseUrl: options.gatewayUrl,
      notifyUrl: `${options.hostUrl.replace(/\/+$/, '')}/http/payNotify`,
      // Short retries: a local gateway that fails does so on purpose (fault injection).
      http: { timeoutMs: 5_000, maxAttempts: 3 },
      // PayScore: the sandbox institution's onboarding ids (sandbox/gateway/payscore/identity.ts).
      payscore: payscoreIdentity(keys),
      ...options.wechatpayV3Overrides,
    },
    ...(options.v2 ? { wechatpayV2: localV2Section(options.v2, keys, options.hostUrl) } : {}),
    ...(options.signLayout ? { payee: { signLayout: options.signLayout } } : {}),
    orderTtlMinutes: 30,
    amount: { ...LOCAL_AMOUNT_LIMITS },
    admins,
    store: { kind: 'sqlite', file: join(dataDir, 'store.sqlite') },
    defaultDescription: '本地沙箱订单',
    ...(options.huifu ? { huifu: localHuifuSection(options.huifu, options.hostUrl) } : {}),
    ...options.overrides,
  };
}

/**
 * Writes the local merchant config and returns its path (to be set as `PAY_CONFIG_FILE`). The
 * result is validated with the functions' own schema first, so a broken local config fails here,
 * not at the first payment. The file holds the APIv3 and APIv2 keys: written 0600. The `wechatpayV3`
 * and `wechatpayV2` sections always, the `huifu` section when the Huifu sandbox runs (`npm start` starts it).
 */
export function writeLocalMerchantConfig(options: LocalConfigOptions): string {
  const config = localMerchantConfig(options);
  parseMerchantConfig(config, { source: 'local merchant config' });
  mkdirSync(options.dataDir, { recursive: true });
  const file = options.file ?? join(options.dataDir, 'pay-config.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}
