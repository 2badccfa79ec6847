import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testOpenid } from '../../../sandbox/gateway/login';
import { createV2Admin } from '../../../sandbox/gateway/v2/admin';
import type { Stack } from '../../helpers/stack';
import type { NotifyDriver } from './notify-targets';

/** What the notification rows (notify-targets.ts) need of a running stack: the fuzzing and the storm use it. */
export async function notifyDriver(s: Stack): Promise<NotifyDriver> {
  const { appid } = s.gateway.keys;
  const v2 = await createV2Admin(s.gatewayUrl).info();
  let n = 0;
  const read = (sql: string, key: string) => {
    const db = new Database(join(s.dataDir, 'store.sqlite'), { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      return db.prepare(sql).get(key) as { state?: string; data?: string } | undefined;
    } finally {
      db.close();
    }
  };
  return {
    keys: { ...s.gateway.keys, v2: { mchid: v2.mchid, appid: v2.appid, appAppid: v2.appAppid }, ...(s.huifu ? { huifu: s.huifu.keys } : {}) },
    gatewayUrl: s.gatewayUrl,
    payer: { openid: testOpenid(appid, 'alice'), appid },
    invoke: (fn, event, who) => s.host.invoke(fn, event, who),
    next: () => ++n,
    stored: {
      order: (no) => read('SELECT state FROM orders WHERE out_trade_no = ?', no)?.state,
      payscore: (no) => {
        const row = read('SELECT data FROM payscore_orders WHERE out_order_no = ?', no);
        return row?.data ? (JSON.parse(row.data) as { state: string }).state : undefined;
      },
    },
  };
}

