/**
 * What the order-service unit tests share: the merchant, the callers, the service settings and a
 * fresh SQLite store per test (in its own temp dir) with the service over it. Each file keeps its
 * own channel double, the part its story is about.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannelRegistry } from '../../../../cloudfunctions/core/channels/registry';
import { createOrderService, type OrderService, type OrderServiceConfig, type OrderServiceDeps } from '../../../../cloudfunctions/core/domain/orders/service';
import type { Caller } from '../../../../cloudfunctions/core/kernel/platform/identity';
import { openSqliteStore } from '../../../../cloudfunctions/core/store/sqlite/store';
import type { Store } from '../../../../cloudfunctions/core/store/port';

export const APPID = 'wx1234567890abcdef';
export const MCHID = '1900000109';
export const alice: Caller = { openid: 'o_alice_0000000001', appid: APPID };
export const bob: Caller = { openid: 'o_bob_00000000002', appid: APPID };
export const admin: Caller = { openid: 'o_admin_000000003', appid: APPID };

/** The service settings the tests run with (30 min orders, 5 min close interval); `over` replaces fields. */
export function serviceConfig(over: Partial<OrderServiceConfig> = {}): OrderServiceConfig {
  return {
    appid: APPID,
    mchid: MCHID,
    orderTtlMs: 30 * 60_000,
    amount: { minFen: 1, maxFen: 100_000 },
    admins: [],
    defaultDescription: '测试商品',
    minCloseIntervalMs: 5 * 60_000,
    reconcile: { payingOlderThanMs: 60_000, batchSize: 50 },
    ...over,
  };
}

export interface ServiceUnderTest {
  dir: string;
  store: Store;
  service: OrderService;
}

type ServiceDeps = OrderServiceDeps;

/** A new SQLite store in a temp dir named after `prefix`, and the order service over it with these channels. */
export function openOrderService(
  prefix: string,
  deps: { channels: Parameters<typeof createChannelRegistry>[0]; config: OrderServiceConfig; now: () => number } & Omit<ServiceDeps, 'store' | 'channels' | 'config' | 'now' | 'log'>,
): ServiceUnderTest {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = openSqliteStore(join(dir, 'store.sqlite'));
  const { channels, ...rest } = deps;
  const service = createOrderService({ store, channels: createChannelRegistry(channels), ...rest, log: () => undefined });
  return { dir, store, service };
}

export async function closeOrderService(s: ServiceUnderTest): Promise<void> {
  await s.store.close();
  rmSync(s.dir, { recursive: true, force: true });
}
