/**
 * The admin function's composition, once per cold start: merchant config → store → console.
 * Deliberately not `core/runtime.ts`: the console reads the store and the config's `admins` and
 * never talks to a gateway, so its bundle carries no gateway, channel or signer code, and it keeps
 * working for a merchant whose gateway section is missing or broken.
 */
import { AppError } from '../core/kernel/errors';
import { ConfigError, merchantConfig, type MerchantConfig } from '../core/kernel/config';
import { initCloud } from '../core/kernel/platform/cloud';
import { createMerchantConsole, type MerchantConsole } from '../core/domain/merchant-console/service';
import { openStore, type CloudbaseDb, type Store } from '../core/store';

function openConfiguredStore(config: MerchantConfig): Store {
  if (config.store.kind === 'sqlite') return openStore({ kind: 'sqlite', file: config.store.file });
  const db = initCloud().database() as unknown as CloudbaseDb;
  return openStore({ kind: 'cloudbase', db, ...(config.store.collectionPrefix ? { collectionPrefix: config.store.collectionPrefix } : {}) });
}

let current: MerchantConsole | undefined;

/** This cold start's console; a broken config is INTERNAL to the caller (logged here) and retried next call. */
export function merchantConsole(): MerchantConsole {
  if (current) return current;
  let config: MerchantConfig;
  try {
    config = merchantConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[admin] merchant config rejected: ${error.message}`);
    throw new AppError('INTERNAL', 'payments are not configured on this server', true);
  }
  const admins = config.admins;
  current = createMerchantConsole({ store: openConfiguredStore(config), isAdmin: (openid) => admins.includes(openid) });
  return current;
}
