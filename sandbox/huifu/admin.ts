import { adminJsonCaller } from '../common/admin-call';
import type { ArmedFault } from '../gateway/faults';
import { act } from './cashier';
import type { HuifuContext } from './context';
import { addHuifuFault } from './faults';
import { AdminError, jsonObject, route, type Route } from './http';
import { HUIFU_KEY_FILES } from './keys';
import { billZip, plant } from './recon';
import type { NotificationRecord, PlantedMismatch, RefundRecord, TradeRecord, TransStat } from './state';
import { HuifuRefusal } from './codes';
import { join } from 'node:path';
import { expireIfDue } from './trades';

/** `/sandbox/admin/*` (JSON, no auth, loopback) and the bill downloads `/sandbox/files/{file_id}`. */
export function adminRoutes(ctx: HuifuContext): Route[] {
  const d = ctx.state.data;
  const trade = (hf: string) => {
    const t = ctx.state.tradeByHfSeqId(hf);
    if (!t) throw new AdminError(404, 'NOT_FOUND', `no trade ${hf}`);
    expireIfDue(ctx, t);
    return t;
  };
  const count = (body: string) => {
    const n = jsonObject(body).count ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new AdminError(400, 'PARAM_ERROR', 'count must be a positive integer');
    return n;
  };
  return [
    route('GET', /^\/sandbox\/admin\/info$/, () => ({ status: 200, json: info(ctx) })),
    route('GET', /^\/sandbox\/admin\/trades$/, () => ({ status: 200, json: { trades: Object.values(d.trades), refunds: Object.values(d.refunds) } })),
    route('GET', /^\/sandbox\/admin\/trades\/([^/]+)$/, (r) => {
      const t = trade(r.params[0]!);
      return { status: 200, json: { trade: t, refunds: Object.values(d.refunds).filter((x) => x.tradeKey === `${t.huifuId}|${t.reqDate}|${t.reqSeqId}`) } };
    }),
    route('POST', /^\/sandbox\/admin\/trades\/([^/]+)\/(pay|fail)$/, (r) => act(ctx, trade(r.params[0]!), r.params[1] as 'pay' | 'fail', jsonObject(r.body))),
    // trans_stat I ("初始", payment-query.md) is never reached by the normal flow: an admin can put a P trade there.
    route('POST', /^\/sandbox\/admin\/trades\/([^/]+)\/initial$/, (r) => {
      const t = trade(r.params[0]!);
      if (t.transStat !== 'P') throw new AdminError(400, 'STATE', `trade is ${t.transStat}, not P`);
      t.transStat = 'I';
      ctx.state.changed();
      return { status: 200, json: { trans_stat: t.transStat } };
    }),
    route('GET', /^\/sandbox\/admin\/notifications$/, () => ({ status: 200, json: { notifications: d.notifications } })),
    route('GET', /^\/sandbox\/admin\/faults$/, () => ({ status: 200, json: { faults: ctx.faults.list() } })),
    route('POST', /^\/sandbox\/admin\/faults$/, (r) => ({ status: 200, json: addHuifuFault(ctx.faults, jsonObject(r.body)) })),
    route('POST', /^\/sandbox\/admin\/reset$/, () => {
      ctx.reset();
      return { status: 204 };
    }),
    route('DELETE', /^\/sandbox\/admin\/faults$/, () => {
      ctx.faults.clear();
      return { status: 204 };
    }),
    route('GET', /^\/sandbox\/admin\/clock$/, () => ({ status: 200, json: { now: ctx.clock.now(), offset_ms: ctx.clock.offset } })),
    route('POST', /^\/sandbox\/admin\/clock$/, (r) => {
      const ms = jsonObject(r.body).advance_ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new AdminError(400, 'PARAM_ERROR', 'advance_ms must be a non-negative number');
      ctx.clock.advance(ms);
      return { status: 200, json: { now: ctx.clock.now(), offset_ms: ctx.clock.offset } };
    }),
    route('POST', /^\/sandbox\/admin\/accounting\/fail$/, (r) => {
      d.failBookings += count(r.body);
      ctx.state.changed();
      return { status: 200, json: { fail_bookings: d.failBookings } };
    }),
    route('POST', /^\/sandbox\/admin\/refunds\/fail$/, (r) => {
      d.failRefunds += count(r.body);
      ctx.state.changed();
      return { status: 200, json: { fail_refunds: d.failRefunds } };
    }),
    route('GET', /^\/sandbox\/admin\/recon\/plants$/, () => ({ status: 200, json: { plants: d.plants } })),
    route('POST', /^\/sandbox\/admin\/recon\/plant$/, (r) => {
      try {
        return { status: 200, json: plant(ctx, jsonObject(r.body)) };
      } catch (err) {
        if (err instanceof HuifuRefusal) throw new AdminError(400, 'PARAM_ERROR', err.respDesc);
        throw err;
      }
    }),
    route('GET', /^\/sandbox\/files\/([^/]+)$/, (r) => {
      const file = billZip(ctx, r.params[0]!);
      if (!file) throw new AdminError(404, 'NOT_FOUND', `no file ${r.params[0]}`);
      return { status: 200, raw: { body: file.zip, headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${file.name}"` } } };
    }),
  ];
}

export interface HuifuInfo {
  sys_id: string;
  product_id: string;
  huifu_id: string;
  appids: string[];
  /** PEM public keys: Huifu's (verify answers and notifications), the merchant's, the pay-sign key. */
  huifu_public_key: string;
  merchant_public_key: string;
  pay_sign_public_key: string;
  /** Key files on disk (the merchant private key stays a file reference). */
  key_files: { merchant_private: string; huifu_public: string };
  time_scale: number;
  min_close_interval_ms: number;
  fee_rate_bp: number;
}

function info(ctx: HuifuContext): HuifuInfo {
  return {
    sys_id: ctx.keys.sysId,
    product_id: ctx.keys.productId,
    huifu_id: ctx.keys.huifuId,
    appids: ctx.appids,
    huifu_public_key: ctx.keys.huifu.publicKeyPem,
    merchant_public_key: ctx.keys.merchant.publicKeyPem,
    pay_sign_public_key: ctx.keys.paySign.publicKeyPem,
    key_files: { merchant_private: join(ctx.keys.dir, HUIFU_KEY_FILES.merchantPrivate), huifu_public: join(ctx.keys.dir, HUIFU_KEY_FILES.huifuPublic) },
    time_scale: ctx.timeScale,
    min_close_interval_ms: ctx.minCloseIntervalMs,
    fee_rate_bp: ctx.feeRateBp,
  };
}

/** A typed client of the admin API, usable against a Huifu sandbox in another process. */
export interface HuifuAdmin {
  info(): Promise<HuifuInfo>;
  trades(): Promise<{ trades: TradeRecord[]; refunds: RefundRecord[] }>;
  trade(hfSeqId: string): Promise<{ trade: TradeRecord; refunds: RefundRecord[] }>;
  pay(hfSeqId: string): Promise<{ trans_stat: TransStat }>;
  fail(hfSeqId: string, reason?: string): Promise<{ trans_stat: TransStat }>;
  initial(hfSeqId: string): Promise<{ trans_stat: TransStat }>;
  notifications(): Promise<NotificationRecord[]>;
  fault(spec: Record<string, unknown>): Promise<ArmedFault>;
  clearFaults(): Promise<void>;
  advanceClock(ms: number): Promise<{ now: number }>;
  failBookings(count?: number): Promise<void>;
  failRefunds(count?: number): Promise<void>;
  plant(spec: Record<string, unknown>): Promise<PlantedMismatch>;
}

export class HuifuAdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export function createHuifuAdmin(baseUrl: string): HuifuAdmin {
  const call = adminJsonCaller(baseUrl, (status, code, message) => new HuifuAdminError(status, code, message));
  const seg = encodeURIComponent;
  return {
    info: () => call('GET', '/sandbox/admin/info'),
    trades: () => call('GET', '/sandbox/admin/trades'),
    trade: (hf) => call('GET', `/sandbox/admin/trades/${seg(hf)}`),
    pay: (hf) => call('POST', `/sandbox/admin/trades/${seg(hf)}/pay`, {}),
    fail: (hf, reason) => call('POST', `/sandbox/admin/trades/${seg(hf)}/fail`, reason === undefined ? {} : { reason }),
    initial: (hf) => call('POST', `/sandbox/admin/trades/${seg(hf)}/initial`, {}),
    notifications: async () => (await call<{ notifications: NotificationRecord[] }>('GET', '/sandbox/admin/notifications')).notifications,
    fault: (spec) => call('POST', '/sandbox/admin/faults', spec),
    clearFaults: async () => {
      await call('DELETE', '/sandbox/admin/faults');
    },
    advanceClock: (ms) => call('POST', '/sandbox/admin/clock', { advance_ms: ms }),
    failBookings: async (count = 1) => {
      await call('POST', '/sandbox/admin/accounting/fail', { count });
    },
    failRefunds: async (count = 1) => {
      await call('POST', '/sandbox/admin/refunds/fail', { count });
    },
    plant: (spec) => call('POST', '/sandbox/admin/recon/plant', spec),
  };
}
