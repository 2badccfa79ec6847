import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import type { Gateway, PayScoreIdentity } from '../../../sandbox/gateway';
import { createPayScoreAdmin, type PayScoreAdmin } from '../../../sandbox/gateway';
import { useTestGateway, type ReceivedNotification, type TestGateway } from './helpers';

/**
 * PayScore e2e helpers: an independent, unmodified APIv3 client (wechatpay-axios-plugin, as in
 * plugin-contract.test.ts) that signs every request with the sandbox merchant key and verifies
 * every answer with the platform certificate, and the plugin's own Rsa/Aes to check and open
 * notifications. Request bodies are built here from the published field tables, not from the
 * sandbox's code.
 */

export function pluginClient(gw: Gateway): any {
  return new Wechatpay({
    mchid: gw.keys.mchid,
    serial: gw.keys.merchant.serialNo,
    privateKey: gw.keys.merchant.privateKeyPem,
    certs: { [gw.keys.platformCert.serialNo]: gw.keys.platformCert.certificatePem },
    baseURL: gw.url + '/',
  } as any) as any;
}

/** The plugin's `v3/payscore/acquiringbank/serviceorder` chain. */
export const serviceorder = (wxpay: any) => wxpay.v3.payscore.acquiringbank.serviceorder;

/** Resolves to the axios error of a refused call (the plugin verified its signature first). */
export async function refusal(p: Promise<unknown>): Promise<{ status: number; data: any }> {
  const err: any = await p.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e,
  );
  if (!err?.response) throw err;
  return { status: err.response.status, data: err.response.data };
}

let seq = 0;
export const outOrderNo = (prefix = 'PS') => `${prefix}${Date.now()}${process.pid}${seq++}`.slice(0, 32);

export interface PayScoreParties {
  appid: string;
  identity: PayScoreIdentity;
}

export async function parties(gw: Gateway): Promise<PayScoreParties> {
  return { appid: gw.keys.appid, identity: await createPayScoreAdmin(gw.url).identity() };
}

/** A create body as seed 001 §3.2.1 writes it (need-confirm mode), with a 50.00 risk fund. */
export function createBody(p: PayScoreParties, notifyUrl: string, over: Record<string, unknown> = {}) {
  return {
    out_order_no: outOrderNo(),
    appid: p.appid,
    service_id: p.identity.serviceId,
    sub_mchid: p.identity.subMchid,
    channel_id: p.identity.channelId,
    service_introduction: '充电宝租借',
    post_payments: [{ name: '租借费用', amount: 2500, description: '每小时5元', count: 1 }],
    post_discounts: [{ name: '新用户优惠', description: '不与其他优惠叠加' }],
    time_range: { start_time: '20250101091010', end_time: '20250101121010' },
    location: { start_location: '一号门店', end_location: '一号门店' },
    risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 5000, description: '充电宝押金' },
    attach: 'sandbox-test',
    notify_url: notifyUrl,
    need_user_confirm: true,
    ...over,
  };
}

export const partyFields = (p: PayScoreParties) => ({ service_id: p.identity.serviceId, sub_mchid: p.identity.subMchid, channel_id: p.identity.channelId });

/** A complete body for `total` fen: one payment of `total`, no discount. */
export function completeBody(p: PayScoreParties, total: number, over: Record<string, unknown> = {}) {
  return {
    ...partyFields(p),
    post_payments: [{ name: '租借费用', amount: total, description: '实际使用', count: 1 }],
    post_discounts: [],
    total_amount: total,
    time_range: { start_time: '20250101091010', end_time: '20250101101010' },
    location: { end_location: '一号门店' },
    complete_time: '2025-01-01T10:10:10+08:00',
    ...over,
  };
}

/**
 * Verifies a notification with the plugin's Rsa (platform certificate) and opens its resource with
 * the plugin's Aes.AesGcm; returns the envelope and the decrypted plaintext.
 */
export function openNotification(gw: Gateway, n: ReceivedNotification): { envelope: any; resource: any; verified: boolean } {
  const h = (name: string) => String(n.headers[name] ?? '');
  const message = Formatter.response(h('wechatpay-timestamp'), h('wechatpay-nonce'), n.body);
  const verified = Rsa.verify(message, h('wechatpay-signature'), Rsa.from(gw.keys.platformCert.certificatePem, Rsa.KEY_TYPE_PUBLIC));
  const envelope = JSON.parse(n.body);
  const r = envelope.resource;
  const resource = JSON.parse(Aes.AesGcm.decrypt(r.ciphertext, gw.keys.apiV3Key, r.nonce, r.associated_data));
  return { envelope, resource, verified };
}

export interface PayScoreTestGateway extends TestGateway {
  wxpay: any;
  admin: PayScoreAdmin;
  p: PayScoreParties;
}

/** useTestGateway plus the plugin client, the PayScore admin and the parties, for the calling describe block. */
export function usePayScoreGateway(): PayScoreTestGateway {
  const t = useTestGateway({ timeScale: 1000 }, () => 204) as PayScoreTestGateway;
  beforeAll(async () => {
    t.wxpay = pluginClient(t.gw);
    t.admin = createPayScoreAdmin(t.gw.url);
    t.p = await parties(t.gw);
  });
  return t;
}
