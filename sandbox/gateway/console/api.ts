import type { GatewayContext } from '../context';
import type { NotificationRecord } from '../state';
import { V2_FORMAT } from '../v2/notify';
import { parseXml } from '../v2/xml';
import { GatewayError, route, type Route } from '../http';
import { mismatches, type MerchantOrderView } from './compare';
import { HUIFU_FORWARD, HUIFU_FORWARDABLE, huifuTimeline } from './huifu-source';
import { allOrders, findOrder, type ConsoleOrder, type SourceData } from './sources';
import { consolePage, FAVICON_SVG } from './page';

/**
 * The sandbox console's JSON (what the page at `/sandbox/console` and `npm run sandbox` read):
 *   GET /sandbox/console/orders?channel=&state=&q=&mismatch=1&page=1&pageSize=20
 *       → a page of orders, newest first, each with the merchant store's view beside it and the
 *         differences between the two;
 *   GET /sandbox/console/orders/{no} → one order and its timeline (API calls with their bodies,
 *       notifications with every delivery attempt and reply, the merchant's audit trail);
 *   GET /sandbox/console/events → server-sent `changed` events;
 *   POST /sandbox/console/huifu/sandbox/cashier/{prepay_id}/pay|cancel|fail (and
 *       /sandbox/admin/trades/{hf_seq_id}/pay|fail) → forwarded as is to the linked Huifu sandbox;
 * plus the page itself and its favicon. Read-only: the buttons call the existing cashier and
 * `/sandbox/admin/*` routes (of this gateway, or of the Huifu sandbox through the forward).
 */

export const MAX_PAGE_SIZE = 100;

export interface ConsoleRow extends ConsoleOrder {
  merchant?: MerchantOrderView;
  mismatches: string[];
}

export interface TimelineEntry {
  at: number;
  kind: 'request' | 'notification' | 'attempt' | 'merchant';
  title: string;
  detail?: unknown;
  /** Notifications: their id, for a replay. */
  id?: string;
  ok?: boolean;
}

function positiveInt(raw: string | null, fallback: number, field: string): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new GatewayError(400, 'PARAM_ERROR', `${field} must be a positive integer`);
  return n;
}

/** Every source's input: this gateway's state and the linked Huifu sandbox's feed. */
export const sourceData = (ctx: GatewayContext): SourceData => ({ data: ctx.state.data, ...(ctx.console.huifu ? { huifu: ctx.console.huifu } : {}) });

export function consoleRoutes(ctx: GatewayContext): Route[] {
  return [
    // The raw (still encoded) path goes on, not the decoded parameter.
    route('POST', /^\/sandbox\/console\/huifu\/.*$/, (rc) => forwardToHuifu(ctx, 'POST', rc.url.pathname.slice(HUIFU_FORWARD.length), rc.body)),
    route('DELETE', /^\/sandbox\/console\/huifu\/sandbox\/admin\/faults$/, (rc) => forwardToHuifu(ctx, 'DELETE', rc.url.pathname.slice(HUIFU_FORWARD.length), '')),
    route('GET', /^\/sandbox\/console\/?$/, () => ({ status: 200, html: consolePage() })),
    route('GET', /^\/(?:sandbox\/)?favicon\.(?:ico|svg)$/, (rc) => {
      rc.res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=86400', 'Content-Length': Buffer.byteLength(FAVICON_SVG) });
      rc.res.end(FAVICON_SVG);
    }),
    route('GET', /^\/sandbox\/console\/events$/, (rc) => ctx.console.changes.subscribe(rc.req, rc.res)),
    route('GET', /^\/sandbox\/console\/orders$/, async (rc) => {
      const q = rc.url.searchParams;
      const page = positiveInt(q.get('page'), 1, 'page');
      const pageSize = Math.min(positiveInt(q.get('pageSize'), 20, 'pageSize'), MAX_PAGE_SIZE);
      const merchant = await ctx.console.merchantView.orders();
      const text = (q.get('q') ?? '').trim().toLowerCase();
      const all = allOrders(sourceData(ctx));
      const rows: ConsoleRow[] = all
        .filter((o) => !q.get('channel') || o.channel === q.get('channel'))
        .filter((o) => !q.get('state') || o.state.split('/').includes(q.get('state')!))
        .filter((o) => !text || [o.outTradeNo, o.description, o.transactionId ?? '', ...o.related].some((s) => s.toLowerCase().includes(text)))
        .map((o) => {
          const m = merchant.orders.get(o.outTradeNo);
          return { ...o, ...(m ? { merchant: m } : {}), mismatches: mismatches(o, m) };
        })
        .filter((o) => q.get('mismatch') !== '1' || o.mismatches.length > 0);
      return {
        status: 200,
        json: {
          total: rows.length,
          page,
          pageSize,
          pages: Math.max(1, Math.ceil(rows.length / pageSize)),
          orders: rows.slice((page - 1) * pageSize, page * pageSize),
          merchantView: { available: merchant.available, ...(merchant.error ? { error: merchant.error } : {}) },
          channels: [...new Set(all.map((o) => o.channel))],
          faults: ctx.faults.list(),
          ...(ctx.console.huifu ? { huifuFaults: ctx.console.huifu.faults() } : {}),
          notifications: [...ctx.state.data.notifications].reverse().slice(0, 10).map((n) => ({ id: n.id, eventType: n.eventType, subject: n.subject, status: n.status, attempts: n.attempts.length, createdAt: n.createdAt, replayOf: n.replayOf })),
          info: { mchid: ctx.keys.mchid, appid: ctx.keys.appid, timeScale: ctx.timeScale, minCloseIntervalMs: ctx.minCloseIntervalMs, ...(ctx.console.huifu ? { huifuUrl: ctx.console.huifu.url } : {}) },
        },
      };
    }),
    route('GET', /^\/sandbox\/console\/orders\/([^/]+)$/, async (rc) => {
      const no = rc.params[0]!;
      const order = findOrder(sourceData(ctx), no);
      if (!order) throw new GatewayError(404, 'ORDER_NOT_EXIST', `no order ${no}`);
      const merchant = (await ctx.console.merchantView.order(order.outTradeNo)) as { order?: MerchantOrderView; audit?: Array<{ at: number } & Record<string, unknown>> } | undefined;
      return {
        status: 200,
        json: { order: { ...order, ...(merchant?.order ? { merchant: merchant.order } : {}), mismatches: mismatches(order, merchant?.order) }, timeline: timelineOf(ctx, order, merchant?.audit ?? []) },
      };
    }),
  ];
}

/** Everything that happened to an order, oldest first. */
export function timelineOf(ctx: GatewayContext, order: ConsoleOrder, merchantAudit: Array<{ at: number } & Record<string, unknown>>): TimelineEntry[] {
  const entries = order.channel === 'huifu' ? (ctx.console.huifu ? huifuTimeline(ctx.console.huifu, order) : []) : wechatTimeline(ctx, order);
  for (const a of merchantAudit) {
    const { at, ...rest } = a;
    entries.push({ at, kind: 'merchant', title: `merchant ${String(rest.actor ?? '')}: ${String(rest.event ?? '')} ${String(rest.from ?? '∅')} → ${String(rest.to ?? '')}`, detail: rest.detail });
  }
  return entries.sort((a, b) => a.at - b.at);
}

/** The posted body as the timeline shows it: APIv3 JSON parsed, APIv2 XML as its fields (a bad body as text). */
function notificationBody(n: NotificationRecord): unknown {
  try {
    return n.format === V2_FORMAT ? parseXml(n.body) : (JSON.parse(n.body) as unknown);
  } catch {
    return n.body.slice(0, 2000);
  }
}

/** APIv2 answers are HTTP 200 whatever happened: return_code / result_code FAIL is the refusal. */
function v2Refusal(response: unknown): string | undefined {
  const r = response as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return undefined;
  if (r.return_code === 'FAIL') return `return_code FAIL ${String(r.return_msg ?? '')}`.trim();
  if (r.result_code === 'FAIL') return `result_code FAIL ${String(r.err_code ?? '')}`.trim();
  return undefined;
}

/** This gateway's calls (APIv3, APIv2 over either listener, cashier and admin actions) and notifications about the order. */
function wechatTimeline(ctx: GatewayContext, order: ConsoleOrder): TimelineEntry[] {
  const subjects = new Set([order.outTradeNo, ...order.related]);
  const entries: TimelineEntry[] = [];
  for (const r of ctx.console.requests.about(subjects)) {
    const refusal = v2Refusal(r.response);
    entries.push({
      at: r.at,
      kind: 'request',
      title: `${r.method} ${r.path} → ${r.status === 0 ? 'held (no answer)' : r.status}${refusal ? ` ${refusal}` : ''}`,
      detail: { request: r.request, response: r.response },
      ok: r.status > 0 && r.status < 400 && !refusal,
    });
  }
  for (const n of ctx.state.data.notifications.filter((x) => subjects.has(x.subject))) {
    // create_time has whole seconds: place it just before its first attempt, not before the call that caused it.
    const firstAttempt = n.attempts[0] ? Date.parse(n.attempts[0].at) : undefined;
    entries.push({
      at: firstAttempt === undefined ? Date.parse(n.createdAt) : Math.max(Date.parse(n.createdAt), firstAttempt - 1),
      kind: 'notification',
      id: n.id,
      title: `${n.eventType} ${n.status}${n.replayOf ? ' (replay)' : ''}${n.corruption ? ` (corrupt:${n.corruption})` : ''}`,
      detail: { url: n.url, body: notificationBody(n) },
      ok: n.status === 'delivered',
    });
    for (const a of n.attempts) {
      entries.push({
        at: Date.parse(a.at),
        kind: 'attempt',
        id: n.id,
        title: `${n.eventType} attempt #${a.round} → ${a.statusCode ?? a.error ?? '?'}${a.fault ? ` (${a.fault})` : ''}`,
        detail: { reply: a.reply, durationMs: a.durationMs, error: a.error },
        ok: a.statusCode === 200 || a.statusCode === 204,
      });
    }
  }
  return entries;
}

/** A console button on a Huifu row: the same POST, sent on to the Huifu sandbox, its answer passed back. */
async function forwardToHuifu(ctx: GatewayContext, method: 'POST' | 'DELETE', path: string, body: string): Promise<{ status: number; json: unknown }> {
  const feed = ctx.console.huifu;
  if (!feed) throw new GatewayError(404, 'NOT_FOUND', 'no Huifu sandbox is linked to this console');
  if (!HUIFU_FORWARDABLE.test(path)) throw new GatewayError(404, 'NOT_FOUND', `not a Huifu sandbox action: ${path}`);
  let res: Response;
  try {
    res = await fetch(feed.url + path, { method, ...(method === 'POST' ? { headers: { 'Content-Type': 'application/json' }, body: body || '{}' } : {}), signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new GatewayError(502, 'HUIFU_UNREACHABLE', `the Huifu sandbox at ${feed.url} did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = { code: 'NOT_JSON', message: text.slice(0, 200) };
  }
  return { status: res.status, json };
}

