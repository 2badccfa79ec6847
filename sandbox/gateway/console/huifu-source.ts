import type { HuifuConsoleFeed } from '../../huifu';
import type { TimelineEntry } from './api';
import type { ConsoleAction, ConsoleOrder } from './sources';

/**
 * The Huifu DouGong sandbox's trades as console rows, and their timelines. The Huifu sandbox is
 * its own emulator on its own port; when the local stack runs both in one process it links its
 * read-only feed here (`Gateway.linkHuifu`, sandbox/huifu/console-feed.ts), so the console lists
 * Huifu trades beside the WeChat ones, reading the emulator's own state and request log.
 *
 * A row's buttons are the Huifu sandbox's own cashier calls (`POST /sandbox/cashier/{prepay_id}/
 * pay|cancel|fail` on its port, sandbox/huifu/cashier.ts), forwarded by this gateway under
 * HUIFU_FORWARD so the page and the CLI stay on one origin. The Huifu sandbox has no notification
 * replay: its notifications carry no replay button.
 */

export const HUIFU_FORWARD = '/sandbox/console/huifu';
/**
 * The Huifu sandbox paths the console may forward a POST to: the cashier and the trade actions, the
 * fault switches (DELETE clears them) and the failing bookings / refunds counters.
 */
export const HUIFU_FORWARDABLE = /^\/sandbox\/(?:cashier\/[^/]+\/(?:pay|cancel|fail)|admin\/trades\/[^/]+\/(?:pay|fail)|admin\/faults|admin\/accounting\/fail|admin\/refunds\/fail)$/;

const seg = encodeURIComponent;

export function huifuRows(feed: HuifuConsoleFeed | undefined): ConsoleOrder[] {
  if (!feed) return [];
  const d = feed.data();
  const refunds = Object.values(d.refunds);
  return Object.values(d.trades).map((t) => {
    const key = `${t.huifuId}|${t.reqDate}|${t.reqSeqId}`;
    const cashier = `${HUIFU_FORWARD}/sandbox/cashier/${seg(t.prepayId)}`;
    // trans_stat I and P can still be paid (cashier.ts refuses S and F).
    const actions: ConsoleAction[] =
      t.transStat === 'P' || t.transStat === 'I'
        ? [
            { name: 'pay', label: '支付', path: `${cashier}/pay` },
            { name: 'cancel', label: '取消', path: `${cashier}/cancel` },
            { name: 'fail', label: '支付失败', path: `${cashier}/fail` },
          ]
        : [];
    return {
      channel: 'huifu',
      outTradeNo: t.reqSeqId,
      description: t.goodsDesc,
      amount: t.transFen,
      // trans_stat as Huifu writes it; a closed trade says so (closing makes it F).
      state: t.close ? `${t.transStat}/closed` : t.transStat,
      createdAt: t.createdAt,
      transactionId: t.hfSeqId,
      refunded: t.refundedFen,
      related: refunds.filter((r) => r.tradeKey === key).map((r) => r.reqSeqId),
      actions,
    };
  });
}

/** Calls the Huifu sandbox answered about the row, and its notifications with every attempt and reply. */
export function huifuTimeline(feed: HuifuConsoleFeed, order: ConsoleOrder): TimelineEntry[] {
  const subjects = new Set([order.outTradeNo, ...order.related]);
  const entries: TimelineEntry[] = [];
  for (const r of feed.requests.about(subjects)) {
    const data = (r.response as { data?: { resp_code?: string; resp_desc?: string } } | undefined)?.data;
    // Every Huifu answer is HTTP 200: resp_code says whether it was taken (00000000 / 00000100 accepted).
    const refused = data?.resp_code !== undefined && !['00000000', '00000100'].includes(data.resp_code);
    entries.push({
      at: r.at,
      kind: 'request',
      title: `huifu ${r.method} ${r.path} → ${r.status === 0 ? 'held (no answer)' : r.status}${data?.resp_code ? ` ${data.resp_code}${refused ? ` ${data.resp_desc ?? ''}` : ''}` : ''}`,
      detail: { request: r.request, response: r.response },
      ok: r.status > 0 && r.status < 400 && !refused,
    });
  }
  for (const n of feed.data().notifications.filter((x) => subjects.has(x.reqSeqId))) {
    const firstAttempt = n.attempts[0] ? Date.parse(n.attempts[0].at) : undefined;
    let respData: unknown = n.respData;
    try {
      respData = JSON.parse(n.respData) as unknown;
    } catch {
      /* shown as text */
    }
    entries.push({
      at: firstAttempt === undefined ? Date.parse(n.createdAt) : Math.max(Date.parse(n.createdAt), firstAttempt - 1),
      kind: 'notification',
      title: `huifu ${n.kind} notification ${n.status}${n.corruption ? ` (corrupt:${n.corruption})` : ''}`,
      detail: { url: n.url, resp_code: n.respCode, resp_data: respData },
      ok: n.status === 'delivered',
    });
    for (const a of n.attempts) {
      entries.push({
        at: Date.parse(a.at),
        kind: 'attempt',
        title: `huifu ${n.kind} attempt #${a.round} → ${a.statusCode ?? a.error ?? '?'}${a.fault ? ` (${a.fault})` : ''}`,
        detail: { reply: a.reply, durationMs: a.durationMs, error: a.error },
        ok: a.ok,
      });
    }
  }
  return entries;
}
