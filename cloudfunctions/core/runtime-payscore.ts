/**
 * PayScore's part of the composition (`runtime.ts`): with `wechatpayV3.payscore` configured, the
 * PayScore service over the v3 client and the store; without it, nothing (the `payscore`
 * function answers CHANNEL_UNAVAILABLE, PayScore notifications are recorded and ignored).
 */
import { createPayScoreGateway } from './channels/wechatpay-payscore/gateway';
import { createPayScoreService, type PayScoreService } from './domain/payscore/service';
import type { V3Client } from './gateways/wechatpay/client';
import type { MerchantConfig } from './kernel/config';
import type { Store } from './store/port';

export function createPayScoreRuntime(deps: { config: MerchantConfig; client: Pick<V3Client, 'request'>; store: Store; now: () => number }): PayScoreService | undefined {
  const v3 = deps.config.wechatpayV3;
  if (!v3?.payscore) return undefined;
  return createPayScoreService({
    store: deps.store,
    gateway: createPayScoreGateway({ client: deps.client, config: { ...v3.payscore, notifyUrl: v3.notifyUrl } }),
    config: {
      appid: deps.config.appid,
      admins: deps.config.admins,
      maxRiskFundFen: deps.config.amount.maxFen,
      staleAfterMs: deps.config.reconcile.payingOlderThanMs,
      batchSize: deps.config.reconcile.batchSize,
    },
    now: deps.now,
  });
}
