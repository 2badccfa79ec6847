import type { HuifuConsoleFeed } from '../../huifu';
import type { GatewayData } from '../state';
import { huifuRows } from './huifu-source';

/**
 * Every kind of order the console lists, as one table: a product adds its orders by adding an
 * entry to ORDER_SOURCES (its rows and the user actions a row offers, each an existing sandbox
 * HTTP call), not by editing the page. The CLI reads the same rows.
 */

/** A button: one POST to an existing cashier / admin route of this gateway (or of a linked one, forwarded: huifu-source.ts). */
export interface ConsoleAction {
  /** pay | cancel | fail | open | confirm | refuse | collect | collect-fail | late-payment | … */
  name: string;
  label: string;
  path: string;
  body?: Record<string, unknown>;
}

export interface ConsoleOrder {
  /** Which product: `v3` (JSAPI / NATIVE), `combine`, `v2` (JSAPI), `v2app` (APIv2 APP), `payscore`, `huifu`. */
  channel: string;
  outTradeNo: string;
  description: string;
  /** fen; null when not known yet (a PayScore order before completion). */
  amount: number | null;
  /** The gateway's own state word (trade_state, or the PayScore state). */
  state: string;
  /** Epoch ms. */
  createdAt: number;
  transactionId?: string;
  refunded?: number;
  subOrders?: Array<{ outTradeNo: string; amount: number; state: string }>;
  /** Every number that belongs to this row (sub-orders, refunds), for its timeline. */
  related: string[];
  actions: ConsoleAction[];
}

/** What the sources read: this gateway's state, and the Huifu sandbox's when the stack linked it (`Gateway.linkHuifu`). */
export interface SourceData {
  data: GatewayData;
  huifu?: HuifuConsoleFeed;
}

export interface OrderSource {
  channel: string;
  rows(src: SourceData): ConsoleOrder[];
}

const seg = encodeURIComponent;

/** The cashier's three user actions while an order can be paid. */
function cashierActions(base: string, payable: boolean): ConsoleAction[] {
  if (!payable) return [];
  return [
    { name: 'pay', label: '支付', path: `${base}/pay` },
    { name: 'cancel', label: '取消', path: `${base}/cancel` },
    { name: 'fail', label: '支付失败', path: `${base}/fail` },
  ];
}

const refundNosOf = (data: GatewayData, outTradeNo: string) => Object.values(data.refunds).filter((r) => r.outTradeNo === outTradeNo).map((r) => r.outRefundNo);

export const ORDER_SOURCES: readonly OrderSource[] = [
  {
    channel: 'v3',
    rows: ({ data }) =>
      Object.values(data.orders).map((o) => ({
        channel: 'v3',
        outTradeNo: o.outTradeNo,
        description: o.description,
        amount: o.total,
        state: o.tradeState,
        createdAt: o.createdAt,
        transactionId: o.transactionId,
        refunded: o.refunded,
        related: refundNosOf(data, o.outTradeNo),
        actions: [
          ...cashierActions(`/sandbox/cashier/${seg(o.prepayId ?? o.outTradeNo)}`, o.tradeState === 'NOTPAY' && o.prepayId !== undefined),
          ...(o.tradeState === 'CLOSED' ? [{ name: 'late-payment', label: '关单后到账', path: `/sandbox/admin/orders/${seg(o.outTradeNo)}/late-payment` }] : []),
        ],
      })),
  },
  {
    channel: 'combine',
    rows: ({ data }) =>
      Object.values(data.combines).map((c) => {
        const states = c.subOrders.map((s) => s.tradeState);
        const state = states.every((s) => s === states[0]) ? states[0]! : states.join('/');
        return {
          channel: 'combine',
          outTradeNo: c.combineOutTradeNo,
          description: c.subOrders.map((s) => s.description).join(' / '),
          amount: c.subOrders.reduce((sum, s) => sum + s.total, 0),
          state,
          createdAt: c.createdAt,
          transactionId: c.combineTransactionId,
          subOrders: c.subOrders.map((s) => ({ outTradeNo: s.outTradeNo, amount: s.total, state: s.tradeState })),
          related: [...c.subOrders.map((s) => s.outTradeNo), ...c.subOrders.flatMap((s) => refundNosOf(data, s.outTradeNo))],
          actions: cashierActions(`/sandbox/cashier/${seg(c.prepayId)}`, states.every((s) => s === 'NOTPAY')),
        };
      }),
  },
  {
    channel: 'v2',
    rows: ({ data }) =>
      Object.values(data.v2.orders).map((o) => ({
        // The merchant's channel names: an APP order is `v2app` (paid in the simulated APP client, not the cashier).
        channel: o.tradeType === 'APP' ? 'v2app' : 'v2',
        outTradeNo: o.outTradeNo,
        description: o.body,
        amount: o.totalFee,
        state: o.tradeState,
        createdAt: o.createdAt,
        transactionId: o.transactionId,
        refunded: o.refunded,
        related: Object.values(data.v2.refunds).filter((r) => r.outTradeNo === o.outTradeNo).map((r) => r.outRefundNo),
        // The cashier wants the merchant's signed parameters, which the console has not: the admin route acts by order number.
        actions: cashierActions(`/sandbox/admin/v2/orders/${seg(o.outTradeNo)}`, o.tradeState === 'NOTPAY'),
      })),
  },
  {
    channel: 'payscore',
    rows: ({ data }) =>
      Object.values(data.payscore.orders).map((o) => {
        const live = o.registrations.find((r) => r.outcome === 'pending' || r.outcome === 'held');
        const base = `/sandbox/admin/payscore/orders/${seg(o.outOrderNo)}`;
        return {
          channel: 'payscore',
          outTradeNo: o.outOrderNo,
          description: o.serviceIntroduction,
          amount: o.totalAmount ?? null,
          state: o.stateDescription ? `${o.state}/${o.stateDescription}` : o.state,
          createdAt: o.createdAt,
          transactionId: o.orderId,
          related: o.registrations.map((r) => r.outTradeNo),
          actions: [
            ...(o.state === 'CREATED'
              ? [
                  { name: 'confirm', label: '确认', path: `${base}/confirm`, body: {} },
                  { name: 'refuse', label: '拒绝', path: `${base}/refuse` },
                ]
              : []),
            ...(live
              ? [
                  { name: 'collect', label: '扣款成功', path: `${base}/collect`, body: { outcome: 'succeed' } },
                  { name: 'collect-fail', label: '扣款失败', path: `${base}/collect`, body: { outcome: 'fail' } },
                ]
              : []),
          ],
        };
      }),
  },
  // The Huifu sandbox's trades, when the stack linked it (huifu-source.ts).
  { channel: 'huifu', rows: ({ huifu }) => huifuRows(huifu) },
];

export function allOrders(src: SourceData): ConsoleOrder[] {
  return ORDER_SOURCES.flatMap((s) => s.rows(src)).sort((a, b) => b.createdAt - a.createdAt || (a.outTradeNo < b.outTradeNo ? 1 : -1));
}

/** The row that is, or contains, this number (an order, a sub-order, a refund, a registration). */
export function findOrder(src: SourceData, no: string): ConsoleOrder | undefined {
  const rows = allOrders(src);
  return rows.find((r) => r.outTradeNo === no) ?? rows.find((r) => r.related.includes(no));
}
