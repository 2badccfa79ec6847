/**
 * The Huifu channel from its config section: the merchant key becomes a Signer here (behind the
 * one `Signer` interface; nothing past this holds the key), Huifu's public key a Verifier.
 */
import type { HuifuConfig } from '../../kernel/config';
import { createHuifuClient, type HuifuFetch } from '../../gateways/huifu/client';
import { huifuSigner, HuifuVerifier } from '../../gateways/huifu/envelope';
import type { Signer } from '../../gateways/wechatpay/auth/signer';
import type { PaymentChannel } from '../port';
import { createHuifuChannel } from './channel';

export function huifuChannelFromConfig(config: HuifuConfig, options: { appid: string; signer?: Signer; fetch?: HuifuFetch; now?: () => number }): PaymentChannel {
  const verifier = new HuifuVerifier(config.huifuPublicKey);
  const client = createHuifuClient({
    sysId: config.sysId,
    productId: config.productId,
    signer: options.signer ?? huifuSigner(config.privateKey),
    verifier,
    baseUrl: config.gatewayBaseUrl,
    timeoutMs: config.http.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return createHuifuChannel({
    config: { huifuId: config.huifuId, appid: options.appid, notifyUrl: config.notifyUrl, payerIdentity: config.payerIdentity, minCloseIntervalMs: config.minCloseIntervalMs },
    client,
    verifier,
    ...(options.now ? { now: options.now } : {}),
  });
}
