/**
 * Daily reconciliation against a gateway's file (Huifu `check/filequery`, WeChat Pay's trade bill
 * `GET /v3/bill/tradebill`): every payment and
 * refund the file lists is compared with our store, and our payments of that day are looked for
 * in the file. Each mismatch is corrected by query where the gateway allows (a payment we missed
 * is recorded, a refund still open is settled) and reported as an admin alert
 * (`RECONCILIATION_MISMATCH`, id derived from the day, kind and order: re-running adds nothing).
 */
import type { ChannelRegistry } from '../../channels/registry';
import type { StatementEntry } from '../../channels/port';
import type { PayChannel } from '../../../../typings/pay-channels';
import type { StatementMismatch, StatementMismatchKind, StatementReport } from '../../../../typings/api';
import type { PaidPosition, Store } from '../../store/port';
import type { NewAlertInput } from './alerts';
import type { GatewaySync } from './gateway-sync';
import type { RefundFlow } from './refund-flow';

export type { StatementMismatch, StatementMismatchKind, StatementReport };

export interface StatementDeps {
  store: Store;
  channels: ChannelRegistry;
  sync: Pick<GatewaySync, 'syncWithGateway'>;
  refunds: Pick<RefundFlow, 'settle' | 'raiseAlert'>;
  now: () => number;
  log: (line: string) => void;
  /** Orders read per page while looking for the day's payments in the file (default 100). */
  pageSize?: number;
}

const PAID_STATES = ['PAID', 'REFUNDING', 'REFUNDED'] as const;
const PAGE_SIZE = 100;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** The China day a file of `fileDate` lists (the day before), as [start, end) ms. */
export function statementDayOf(fileDate: string): [number, number] {
  const start = Date.parse(`${fileDate.slice(0, 4)}-${fileDate.slice(4, 6)}-${fileDate.slice(6, 8)}T00:00:00+08:00`) - DAY_MS;
  return [start, start + DAY_MS];
}

/** Today's file date, China time. */
export function todaysFileDate(now: number): string {
  return new Date(now + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

export function createStatementReconciler(deps: StatementDeps) {
  const { store, channels, sync, refunds, log } = deps;

  async function payment(entry: Extract<StatementEntry, { kind: 'payment' }>, out: StatementMismatch[]): Promise<void> {
    const order = await store.getOrder(entry.outTradeNo);
    if (!order) {
      out.push({ kind: 'UNKNOWN_PAYMENT', outTradeNo: entry.outTradeNo, amount: entry.amount, corrected: false, detail: `the gateway lists payment ${entry.transactionId} for ${entry.outTradeNo}, which we do not know` });
      return;
    }
    if (!(PAID_STATES as readonly string[]).includes(order.state)) {
      const now = await sync.syncWithGateway(order, 'reconcile').then((r) => r.order, () => order);
      const corrected = (PAID_STATES as readonly string[]).includes(now.state);
      out.push({ kind: 'NOT_PAID_HERE', outTradeNo: order.outTradeNo, amount: entry.amount, corrected, detail: `listed as paid, ${order.state} here${corrected ? `; recorded ${now.state} after a query` : ''}` });
      return;
    }
    if (order.amount !== entry.amount) {
      out.push({ kind: 'AMOUNT_DIFFERS', outTradeNo: order.outTradeNo, amount: entry.amount, corrected: false, detail: `the file says ${entry.amount} fen, we recorded ${order.amount} fen (verified at payment)` });
    }
  }

  async function refund(entry: Extract<StatementEntry, { kind: 'refund' }>, out: StatementMismatch[]): Promise<void> {
    const record = await store.getRefund(entry.outRefundNo);
    const order = record && (await store.getOrder(record.outTradeNo));
    if (!record || !order) {
      out.push({ kind: 'UNKNOWN_REFUND', outTradeNo: entry.outTradeNo, outRefundNo: entry.outRefundNo, amount: entry.amount, corrected: false, detail: `the gateway lists refund ${entry.outRefundNo}, which we do not know` });
      return;
    }
    // A refund the file lists as still being processed (WeChat's bill is made when the refund is
    // accepted) only needs to exist here; the refund flow takes it to its final state.
    if (entry.state !== undefined && entry.state !== 'SUCCESS' && record.state !== 'SUCCESS') {
      if (record.amount !== entry.amount) out.push({ kind: 'REFUND_AMOUNT_DIFFERS', outTradeNo: order.outTradeNo, outRefundNo: record.outRefundNo, amount: entry.amount, corrected: false, detail: `the file says ${entry.amount} fen, we recorded ${record.amount} fen` });
      return;
    }
    if (record.state !== 'SUCCESS') {
      let corrected = false;
      try {
        const state = await channels.get(order.channel).queryRefund(order, record);
        await refunds.settle(order, record, state, 'reconcile');
        corrected = state.state === 'SUCCESS';
      } catch (error) {
        log(`statement: refund ${record.outRefundNo} query failed: ${(error as Error).message}`);
      }
      out.push({ kind: 'REFUND_NOT_SETTLED_HERE', outTradeNo: order.outTradeNo, outRefundNo: record.outRefundNo, amount: entry.amount, corrected, detail: `listed as refunded, ${record.state} here${corrected ? '; recorded SUCCESS after a query' : ''}` });
      return;
    }
    if (record.amount !== entry.amount) {
      out.push({ kind: 'REFUND_AMOUNT_DIFFERS', outTradeNo: order.outTradeNo, outRefundNo: record.outRefundNo, amount: entry.amount, corrected: false, detail: `the file says ${entry.amount} fen, we recorded ${record.amount} fen` });
    }
  }

  /**
   * Our payments on this channel paid during the file's day and absent from it; a query says
   * whether the gateway agrees they were paid. Every one of the day's payments is looked at, page
   * by page in paid-at order (before, the first 100 orders of each paid state, least recently
   * changed first — a merchant's oldest orders — were, so a missing payment of the day went unseen).
   */
  async function missingThere(channel: PayChannel, fileDate: string, listed: Set<string>, out: StatementMismatch[]): Promise<void> {
    const [from, before] = statementDayOf(fileDate);
    const limit = deps.pageSize ?? PAGE_SIZE;
    for (let after: PaidPosition | undefined; ; ) {
      const page = await store.listOrdersPaidIn({ from, before }, { limit, ...(after ? { after } : {}) });
      for (const order of page) {
        if (order.channel !== channel || listed.has(order.outTradeNo)) continue;
        const there = await channels.get(channel).query(order).catch(() => undefined);
        const confirmed = there?.kind === 'PAID' && there.paidAmount === order.amount;
        out.push({ kind: 'MISSING_THERE', outTradeNo: order.outTradeNo, amount: order.amount, corrected: false, detail: `paid here, absent from the file${confirmed ? '; a query confirms the payment, the file omits it' : there ? `; the gateway now says ${there.kind}` : ''}` });
      }
      const last = page[page.length - 1];
      if (page.length < limit || last?.paidAt === undefined) return;
      after = { paidAt: last.paidAt, outTradeNo: last.outTradeNo };
    }
  }

  function alertOf(report: StatementReport, m: StatementMismatch): NewAlertInput {
    return {
      kind: 'RECONCILIATION_MISMATCH',
      outTradeNo: m.outTradeNo,
      ...(m.outRefundNo ? { outRefundNo: m.outRefundNo } : {}),
      // The alert's id subject: one alert per (file, kind, order/refund).
      transactionId: `${report.channel}:${report.fileDate}:${m.kind}`,
      ...(m.amount > 0 ? { amount: m.amount } : {}),
      message: `${report.channel} reconciliation file ${report.fileDate}: ${m.kind} — ${m.detail}${m.corrected ? '' : '; check it with the gateway'}`,
    };
  }

  return async function reconcileStatement(channel: PayChannel, fileDate: string): Promise<StatementReport> {
    const entries = await channels.get(channel).dailyStatement!(fileDate);
    if (!entries) return { channel, fileDate, ready: false, entries: 0, mismatches: [] };
    const mismatches: StatementMismatch[] = [];
    for (const entry of entries) {
      if (entry.kind === 'payment') await payment(entry, mismatches);
      else await refund(entry, mismatches);
    }
    await missingThere(channel, fileDate, new Set(entries.filter((e) => e.kind === 'payment').map((e) => e.outTradeNo)), mismatches);
    const report: StatementReport = { channel, fileDate, ready: true, entries: entries.length, mismatches };
    for (const m of mismatches) await refunds.raiseAlert(alertOf(report, m));
    return report;
  };
}

/** The channels that offer a daily file, among those configured. */
export function statementChannels(channels: ChannelRegistry, names: readonly PayChannel[]): PayChannel[] {
  return names.filter((name) => channels.has(name) && typeof channels.get(name).dailyStatement === 'function');
}
