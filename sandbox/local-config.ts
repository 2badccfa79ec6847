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
    ...(options.signLayout ? { payee: { signLayout: options.signLayout } } : {}),
    orderTtlMinutes: 30,
    amount: { ...LOCAL_AMOUNT_LIMITS },
    admins,
    store: { kind: 'sqlite', file: join(dataDir, 'store.sqlite') },
    defaultDescription: '本地沙箱订单',
    ...options.overrides,
  };
}

/**
 * Writes the local merchant config and returns its path (to be set as `PAY_CONFIG_FILE`). The
 * result is validated with the functions' own schema first, so a broken local config fails here,
 * not at the first payment. The file holds the APIv3 key: written 0600. Only the `wechatpayV3`
 * section is written: the v2 and Huifu sandboxes have no channel on the server side yet.
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
