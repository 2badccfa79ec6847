/**
 * The notification endpoints the notify section drives, one row each. A product adds its row: the
 * HTTP-trigger function, the channel whose order it pays, how the gateway signs a notification
 * paying an order (pre-signed by the bench before the clock starts), and optionally its own
 * hand-written baseline receiver. Today: the WeChat Pay v3 family (`payNotify`). APIv2 (XML,
 * MD5/HMAC sign) and Huifu (form, RSA sign) add a row each once their functions exist.
 */
import { createPrivateKey } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { PayChannel } from '../../typings/pay-channels';
import type { Stack } from '../../test/helpers/stack';
import { craftNotification, transactionResource } from '../../test/e2e/pay/harness';
import { startBaselineReceiver, type BaselineReceiver } from './baseline-receiver';
import type { SeededOrder } from './seed';

export interface SignedNotification {
  headers: Record<string, string>;
  body: string;
}

export interface NotificationEndpointBench {
  name: string;
  /** The HTTP-trigger function (`/http/<fn>` on the function host). */
  fn: string;
  /** The channel of the order the bench creates and clones. */
  channel: PayChannel;
  /** A signer for this stack's gateway keys: order → the notification paying it. */
  crafter(stack: Stack, payerOpenid: string): (order: SeededOrder) => SignedNotification;
  /** The same work written the obvious way, on `db` (a store file of the same schema). */
  baseline?(stack: Stack, db: Database): Promise<BaselineReceiver>;
}

export const NOTIFICATION_ENDPOINTS: readonly NotificationEndpointBench[] = [
  {
    name: 'WeChat Pay v3 (payNotify)',
    fn: 'payNotify',
    channel: 'jsapi',
    crafter(stack, openid) {
      const keys = stack.gateway.keys;
      const signWith = createPrivateKey(keys.platformCert.privateKeyPem);
      return (order) => craftNotification(keys, transactionResource(keys, order, openid), { signWith });
    },
    baseline: (stack, db) => {
      const keys = stack.gateway.keys;
      return startBaselineReceiver({ db, platformCertificatePem: keys.platformCert.certificatePem, platformSerial: keys.platformCert.serialNo, apiV3Key: keys.apiV3Key });
    },
  },
];
