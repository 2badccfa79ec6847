import { generateKeyPairSync, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Huifu sandbox's own key material and identity, generated on the first start into
 * `<dataDir>/keys/huifu/` (beside the WeChat sandbox's keys, inside the git-ignored data folder)
 * and reused afterwards:
 * - the merchant key pair: the merchant signs requests with the private key (the Huifu console
 *   hands it out as PKCS#8), Huifu verifies with the public key it holds;
 * - Huifu's key pair: Huifu signs answers and notifications, the merchant verifies with the
 *   public key (X.509 / SPKI);
 * - the channel pay-sign key pair: signs the `paySign` inside `pay_info`, playing WeChat's part for
 *   the service-provider merchant Huifu trades through (the merchant never needs it).
 * Key formats: https://github.com/huifurepo/dg-payment-skills (huifu-pay-integration/references/
 * aggregation-java-tech-spec.md, "RSA 密钥格式: 私钥 PKCS#8, 公钥 X.509").
 */
export interface HuifuKeys {
  /** `sys_id`: the caller (service provider) as published, a `huifu_id`-shaped number. */
  sysId: string;
  /** `product_id` assigned by Huifu. */
  productId: string;
  /** The trading merchant's `huifu_id`, under `sysId`. */
  huifuId: string;
  merchant: { privateKeyPem: string; publicKeyPem: string };
  huifu: { privateKeyPem: string; publicKeyPem: string };
  paySign: { privateKeyPem: string; publicKeyPem: string };
  /** Where the files are, for a merchant config that references them. */
  dir: string;
}

export const HUIFU_KEY_FILES = {
  identity: 'identity.json',
  merchantPrivate: 'merchant_private.pem',
  merchantPublic: 'merchant_public.pem',
  huifuPrivate: 'huifu_private.pem',
  huifuPublic: 'huifu_public.pem',
  paySignPrivate: 'paysign_private.pem',
  paySignPublic: 'paysign_public.pem',
} as const;

interface Identity {
  sysId: string;
  productId: string;
  huifuId: string;
}

export function ensureHuifuKeys(dataDir: string): HuifuKeys {
  const dir = join(dataDir, 'keys', 'huifu');
  // identity.json is written last, so its presence means a complete set.
  if (!existsSync(join(dir, HUIFU_KEY_FILES.identity))) generate(dir);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const identity = JSON.parse(read(HUIFU_KEY_FILES.identity)) as Identity;
  return {
    ...identity,
    merchant: { privateKeyPem: read(HUIFU_KEY_FILES.merchantPrivate), publicKeyPem: read(HUIFU_KEY_FILES.merchantPublic) },
    huifu: { privateKeyPem: read(HUIFU_KEY_FILES.huifuPrivate), publicKeyPem: read(HUIFU_KEY_FILES.huifuPublic) },
    paySign: { privateKeyPem: read(HUIFU_KEY_FILES.paySignPrivate), publicKeyPem: read(HUIFU_KEY_FILES.paySignPublic) },
    dir,
  };
}

/** The console's form of a PEM key: bare base64, no header lines or breaks. */
export function bareBase64(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

/** 16 digits starting 6666, like the published samples' `huifu_id`s (e.g. 6666000109133323). */
const huifuIdShaped = () => `6666000${String(randomInt(0, 1e9)).padStart(9, '0')}`;

function generate(dir: string): void {
  mkdirSync(dir, { recursive: true });
  let huifuId = huifuIdShaped();
  const sysId = huifuIdShaped();
  while (huifuId === sysId) huifuId = huifuIdShaped();
  // Published samples use short upper-case product ids (MCS, YYZY, MYPAY); this one is the sandbox's.
  const identity: Identity = { sysId, productId: 'SANDBOX', huifuId };
  for (const [priv, pub] of [
    [HUIFU_KEY_FILES.merchantPrivate, HUIFU_KEY_FILES.merchantPublic],
    [HUIFU_KEY_FILES.huifuPrivate, HUIFU_KEY_FILES.huifuPublic],
    [HUIFU_KEY_FILES.paySignPrivate, HUIFU_KEY_FILES.paySignPublic],
  ] as const) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    write(dir, priv, privateKey, 0o600);
    write(dir, pub, publicKey, 0o644);
  }
  write(dir, HUIFU_KEY_FILES.identity, JSON.stringify(identity, null, 2) + '\n', 0o644);
}

function write(dir: string, name: string, text: string, mode: number): void {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, join(dir, name));
}
