/**
 * The baseline for the notification path: a v3 payment-notification receiver written the obvious
 * way, with none of the stack's layers — node:http, node:crypto with the platform key parsed once,
 * and better-sqlite3 prepared statements doing compare-and-set on the order plus one audit row in
 * one IMMEDIATE transaction. It does the same work as `payNotify` on the same notifications
 * (verify, decrypt, check appid/mchid/amount against the stored order, PAYING → PAID exactly
 * once, audit row, 204), on a store file of the same schema and the same synchronous level.
 */
import { createDecipheriv, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { SQLITE_PRAGMAS } from '../../cloudfunctions/core/store/sqlite/connection';

export interface BaselineOptions {
  /** The bench's connection to the store file (it seeds the orders); the receiver opens its own. */
  db: Database;
  platformCertificatePem: string;
  platformSerial: string;
  apiV3Key: string;
}

export interface BaselineReceiver {
  url: string;
  close(): Promise<void>;
}

type OrderRow = { data: string; version: number; state: string };

export async function startBaselineReceiver(opts: BaselineOptions): Promise<BaselineReceiver> {
  const publicKey: KeyObject = createPublicKey(opts.platformCertificatePem);
  const key = Buffer.from(opts.apiV3Key, 'utf8');
  // Its own connection, as any receiver has: the orders it pays were written by another one (the
  // bench's seeding here, the `pay` function in the stack), exactly as for payNotify.
  const db = new BetterSqlite3(opts.db.name);
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const select = db.prepare<[string], OrderRow>('SELECT data, version, state FROM orders WHERE out_trade_no = ?');
  const update = db.prepare("UPDATE orders SET state = 'PAID', version = ?, updated_at = ?, data = ? WHERE out_trade_no = ? AND version = ?");
  const audit = db.prepare('INSERT INTO audit (out_trade_no, at, data) VALUES (?, ?, ?)');

  /** 204 applied or already applied; 4xx otherwise. */
  const apply = db.transaction((tx: { out_trade_no: string; transaction_id: string; appid: string; mchid: string; amount: { total: number } }): number => {
    const row = select.get(tx.out_trade_no);
    if (!row) return 404;
    const order = JSON.parse(row.data) as Record<string, unknown> & { amount: number; appid: string; mchid: string; transactionId?: string };
    if (order.appid !== tx.appid || order.mchid !== tx.mchid || order.amount !== tx.amount.total) return 400;
    if (row.state === 'PAID') return order.transactionId === tx.transaction_id ? 204 : 409;
    if (row.state !== 'PAYING') return 409;
    const now = Date.now();
    const next = { ...order, state: 'PAID', version: row.version + 1, updatedAt: now, paidAt: now, transactionId: tx.transaction_id };
    if (update.run(next.version, now, JSON.stringify(next), tx.out_trade_no, row.version).changes !== 1) return 409;
    audit.run(tx.out_trade_no, now, JSON.stringify({ at: now, outTradeNo: tx.out_trade_no, from: 'PAYING', to: 'PAID', event: 'PAID', actor: 'notify', detail: { transactionId: tx.transaction_id } }));
    return 204;
  });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 400;
      try {
        const body = Buffer.concat(chunks).toString('utf8');
        const h = req.headers;
        const signed = `${h['wechatpay-timestamp']}\n${h['wechatpay-nonce']}\n${body}\n`;
        if (h['wechatpay-serial'] !== opts.platformSerial || !verify('sha256', Buffer.from(signed), publicKey, Buffer.from(String(h['wechatpay-signature']), 'base64'))) {
          status = 401;
        } else {
          const { resource } = JSON.parse(body) as { resource: { ciphertext: string; nonce: string; associated_data: string } };
          const data = Buffer.from(resource.ciphertext, 'base64');
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(resource.nonce));
          decipher.setAuthTag(data.subarray(data.length - 16));
          decipher.setAAD(Buffer.from(resource.associated_data));
          const tx = JSON.parse(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8'));
          status = apply.immediate(tx);
        }
      } catch {
        status = 400;
      }
      res.writeHead(status, status === 204 ? {} : { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : '{"code":"FAIL","message":"rejected"}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }).then(() => void db.close()),
  };
}
