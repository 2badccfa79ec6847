/**
 * Wiring, once per cold start: config → keys, verifier, v3 client → channels → store → services.
 * Handlers call `runtime()` inside an action, so a bad config fails that call with a clear message
 * (and the next call tries again) rather than crashing the module load.
 */
import { createCombineChannel } from './channels/wechatpay-combine/channel';
import { createJsapiChannel } from './channels/wechatpay-jsapi/channel';
import { createChannelRegistry, type ChannelRegistry } from './channels/registry';
import { createV3IndividualContracts } from './channels/wechatpay-contracts/individual-contracts';
import type { V3ChannelConfig } from './channels/wechatpay-v3/mapping';
import { AppError } from './kernel/errors';
import { ConfigError, GATEWAY_SECTIONS, merchantConfig, preloadMerchantConfig, type MerchantConfig, type WechatpayV2Config, type WechatpayV3Config } from './kernel/config';
import { createOrderService, type OrderService } from './domain/orders/service';
import { createPayeeService, type PayeeService } from './domain/payees/service';
import type { IndividualContracts } from './domain/payees/contracts';
import type { PayScoreService } from './domain/payscore/service';
import { initCloud } from './kernel/platform/cloud';
import { openStore, type CloudbaseDb, type Store } from './store';
import { CertificateVerifier } from './gateways/wechatpay/auth/certificate-verifier';
import { createV3Client, type FetchLike, type V3Client } from './gateways/wechatpay/client';
import { PlatformCertificateManager } from './gateways/wechatpay/certificate-manager';
import { CombinedVerifier } from './gateways/wechatpay/auth/combined-verifier';
import { signerFromPem } from './gateways/wechatpay/auth/signers/sha256-rsa';
import type { Signer } from './gateways/wechatpay/auth/signer';
import { PublicKeyVerifier } from './gateways/wechatpay/auth/public-key-verifier';
import type { Verifier } from './gateways/wechatpay/auth/verifier';

export interface Runtime {
  /**
   * Resolves when the verifier can check the gateway: downloads or refreshes platform
   * certificates in `downloadCertificates` mode (cheap when nothing is due), no-op otherwise.
   * Client calls do this themselves; notification handlers await it before verifying.
   */
  verifierReady(): Promise<void>;
  config: MerchantConfig;
  store: Store;
  /** The WeChat Pay v3 client and verifier; absent when the merchant has no `wechatpayV3` section. */
  client?: V3Client;
  verifier?: Verifier;
  channels: ChannelRegistry;
  orders: OrderService;
  payees: PayeeService;
  /** Undefined when `wechatpayV3.payscore` is not configured (PayScore off). */
  payscore?: PayScoreService;
}

export interface RuntimeOverrides {
  store?: Store;
  /**
   * The merchant API key's signer, instead of one built from `merchant.privateKey` (a key held in
   * a KMS or HSM). Its `keyId` must be the merchant API certificate serial.
   */
  signer?: Signer;
  fetch?: FetchLike;
  now?: () => number;
}

/** Certificates and/or the `PUB_KEY_ID_` key, side by side (a merchant may be mid-migration). */
export function buildVerifier(config: WechatpayV3Config, now: () => number = Date.now, certificates = certificateVerifierOf(config, now)): Verifier {
  const verifiers: Verifier[] = [];
  if (certificates) verifiers.push(certificates);
  if (config.platform.publicKey) verifiers.push(new PublicKeyVerifier(config.platform.publicKey.id, config.platform.publicKey.pem));
  return verifiers.length === 1 ? verifiers[0] : new CombinedVerifier(...verifiers);
}

function certificateVerifierOf(config: WechatpayV3Config, now: () => number): CertificateVerifier | undefined {
  const { certificates, downloadCertificates } = config.platform;
  return certificates.length || downloadCertificates ? new CertificateVerifier(certificates, now) : undefined;
}

export function createRuntime(config: MerchantConfig, overrides: RuntimeOverrides = {}): Runtime {
  const now = overrides.now ?? Date.now;
  const wechatpayV3 = config.wechatpayV3;
  // Without any gateway there is nothing to pay with.
  if (!wechatpayV3 && !config.wechatpayV2 && !config.huifu) {
    const every = Object.values(GATEWAY_SECTIONS).map((section) => `${section.channels.join(', ')} (${section.label})`);
    throw new AppError('CHANNEL_UNAVAILABLE', `payments are not configured on this server (no gateway section): channels ${every.join('; ')} are unavailable`);
  }
  const v3 = wechatpayV3 ? createV3Parts(config, wechatpayV3, overrides, now) : undefined;
  const channels = createChannelRegistry({
    ...v3?.channels,
    ...(config.wechatpayV2 ? v2ChannelsOf(config.wechatpayV2, now) : {}),
    // Huifu DouGong (seed 002) when its section is configured; absent, `pay.create` on it is CHANNEL_UNAVAILABLE.
    ...(config.huifu ? { huifu: huifuChannel(config.huifu, { appid: config.appid, now, ...(overrides.fetch ? { fetch: overrides.fetch } : {}) }) } : {}),
  });
  const store = overrides.store ?? openConfiguredStore(config);
  // The merchant id orders record when no v3 section names one (APIv2-only: its mchid; Huifu-only: its huifu_id).
  const mchid = wechatpayV3?.mchid ?? config.wechatpayV2?.mchid ?? config.huifu!.huifuId;
  const payees = createPayeeService({ config: { appid: config.appid, mchid }, contracts: v3?.contracts ?? unavailableContracts(), store, now });
  const orders = createOrderService({ store, channels, config: { ...config, mchid }, payees, now });
  // PayScore's service and channel are a side bundle (gulpfile SIDE_MODULES), loaded only when configured.
  const payscore = v3 && wechatpayV3?.payscore ? loadPayScore().createPayScoreRuntime({ config, client: v3.client, store, now }) : undefined;
  return {
    verifierReady: v3?.verifierReady ?? (async () => undefined),
    config,
    store,
    client: v3?.client,
    verifier: v3?.verifier,
    channels,
    orders,
    payees,
    ...(payscore ? { payscore } : {}),
  };
}

/**
 * The Huifu family is a side bundle (gulpfile SIDE_MODULES): required only by a merchant who
 * configured it, so the functions of everyone else neither carry nor load it.
 */
function huifuChannel(...args: Parameters<typeof import('./channels/huifu/wiring').huifuChannelFromConfig>) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { huifuChannelFromConfig } = require('./channels/huifu/wiring') as typeof import('./channels/huifu/wiring');
  return huifuChannelFromConfig(...args);
}

/** Individual payees are a WeChat Pay v3 product: without that section they are unavailable. */
function unavailableContracts(): IndividualContracts {
  const refuse = async (): Promise<never> => {
    throw new AppError('CHANNEL_UNAVAILABLE', `${GATEWAY_SECTIONS.wechatpayV3.label} is not configured on this server: individual payees are unavailable`);
  };
  return { query: refuse, signingParams: refuse };
}

/** The WeChat Pay v3 side: signer, verifier, client, its channels and the individual-contracts port. */
function createV3Parts(config: MerchantConfig, wechatpayV3: WechatpayV3Config, overrides: RuntimeOverrides, now: () => number) {
  // The only place a merchant key is turned into something that signs; everything past here holds a Signer.
  const signer = overrides.signer ?? signerFromPem(wechatpayV3.merchant.privateKey, wechatpayV3.merchant.serialNo);
  const certificates = certificateVerifierOf(wechatpayV3, now);
  const verifier = buildVerifier(wechatpayV3, now, certificates);
  // Certificate mode (shipped or downloaded certificates): a serial we do not hold — the gateway
  // rotated its certificate — is looked up once at `GET /v3/certificates` before anything is
  // refused. Late-bound: the manager downloads through the client it serves.
  let manager: PlatformCertificateManager | undefined;
  const onUnknownSerial = (serial: string) => (manager ? manager.refreshForSerial(serial) : Promise.resolve(false));
  const gatewayClient = createV3Client({
    mchid: wechatpayV3.mchid,
    signer,
    verifier,
    onUnknownSerial,
    baseUrl: wechatpayV3.gatewayBaseUrl,
    timeoutMs: wechatpayV3.http.timeoutMs,
    retry: { maxAttempts: wechatpayV3.http.maxAttempts },
    clock: now,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  // The manager downloads through the bare client (its own answer is checked against what it
  // carries); in `downloadCertificates` mode every other call goes through a client that
  // refreshes first, on the schedule the gateway advises (under 12 h).
  manager = certificates ? new PlatformCertificateManager({ client: gatewayClient, apiV3Key: wechatpayV3.apiV3Key, verifier: certificates, clock: now }) : undefined;
  const scheduled = wechatpayV3.platform.downloadCertificates ? manager : undefined;
  const verifierReady = async () => scheduled?.ensureFresh();
  const client: V3Client = scheduled
    ? { ...gatewayClient, request: async (...args) => (await verifierReady(), gatewayClient.request(...args)) }
    : gatewayClient;
  const v3: V3ChannelConfig = { appid: config.appid, mchid: wechatpayV3.mchid, notifyUrl: wechatpayV3.notifyUrl, signer, apiV3Key: wechatpayV3.apiV3Key, verifier, onUnknownSerial };
  return {
    client,
    verifier,
    verifierReady,
    channels: {
      jsapi: createJsapiChannel({ config: v3, client, now }),
      combine: createCombineChannel({ config: v3, client, now, combine: { tradeScenario: config.combine.tradeScenario } }),
    },
    contracts: createV3IndividualContracts(client, { signer, layout: config.payee.signLayout }),
  };
}

/**
 * The APIv2 channels, required only when the section exists: the build ships them as a side
 * bundle (gulpfile SIDE_MODULES), so a deployment without APIv2 never loads them.
 */
function v2ChannelsOf(section: WechatpayV2Config, now: () => number) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createV2Channels } = require('./channels/wechatpay-v2/wiring') as typeof import('./channels/wechatpay-v2/wiring');
  return createV2Channels(section, { now });
}

function loadPayScore(): typeof import('./runtime-payscore') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./runtime-payscore') as typeof import('./runtime-payscore');
}

function openConfiguredStore(config: MerchantConfig): Store {
  if (config.store.kind === 'sqlite') return openStore({ kind: 'sqlite', file: config.store.file });
  const db = initCloud().database() as unknown as CloudbaseDb;
  return openStore({ kind: 'cloudbase', db, ...(config.store.collectionPrefix ? { collectionPrefix: config.store.collectionPrefix } : {}) });
}

let current: Runtime | undefined;

/**
 * This cold start's runtime, built on first use. A broken merchant config is logged with the
 * field it names and answered as INTERNAL (the page learns nothing about the server's keys);
 * the next call tries again, so fixing the config needs no redeploy of the code.
 */
export function runtime(): Runtime {
  if (current) return current;
  try {
    current = createRuntime(merchantConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[runtime] merchant config rejected: ${error.message}`);
    throw new AppError('INTERNAL', 'payments are not configured on this server', true);
  }
  return current;
}

/** Tests and the local host: drop the cached runtime (closing its store). */
export async function resetRuntime(): Promise<void> {
  const old = current;
  current = undefined;
  await old?.store.close();
}

// A function's cold start: a gateway configured out is logged now, not at the first payment.
preloadMerchantConfig();
