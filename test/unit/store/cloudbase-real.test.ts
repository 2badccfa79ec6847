/**
 * The Store contract against a real CloudBase environment, through wx-server-sdk. Runs only when
 * TCB_ENV, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY are set; each run writes to its own
 * freshly created collections (prefix `t<time>_`) so runs never see each other's data.
 */
import type { CloudbaseDb } from '../../../cloudfunctions/core/store/cloudbase/db';
import { CLOUDBASE_COLLECTIONS, openCloudbaseStore } from '../../../cloudfunctions/core/store/cloudbase/store';
import { describeStoreContract } from './contract';

const { TCB_ENV: env, TENCENTCLOUD_SECRETID: secretId, TENCENTCLOUD_SECRETKEY: secretKey } = process.env;

if (!env || !secretId || !secretKey) {
  describe('Store contract: cloudbase (real environment)', () => {
    it.skip('SKIPPED — set TCB_ENV, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY to run against a real CloudBase environment', () => undefined);
  });
} else {
  // Untyped on purpose: the store only knows the structural CloudbaseDb.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cloud = require('wx-server-sdk') as { init(config: Record<string, unknown>): void; database(): unknown };
  cloud.init({ env, secretId, secretKey });
  const raw = cloud.database() as { createCollection(name: string): Promise<unknown> };
  const db = raw as unknown as CloudbaseDb;
  const collectionPrefix = `t${Date.now().toString(36)}_`;

  beforeAll(async () => {
    for (const name of CLOUDBASE_COLLECTIONS) await raw.createCollection(`${collectionPrefix}${name}`);
  }, 60_000);

  describeStoreContract(`cloudbase (real environment ${env}, collections ${collectionPrefix}*)`, {
    open: async () => openCloudbaseStore(db, { collectionPrefix }),
    timeoutMs: 180_000,
  });
}
