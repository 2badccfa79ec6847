import { JsonFileState } from '../common/json-file-state';

/**
 * Everything the Huifu sandbox remembers, one JSON file (`<dataDir>/huifu.json`, persisted by
 * `common/json-file-state.ts`), so a restart keeps trades, refunds, the notification log and
 * planted reconciliation mismatches.
 */

/** `trans_stat`: I 初始, P 处理中, S 成功, F 失败 (scanpay/query, payment-query.md). */
export type TransStat = 'I' | 'P' | 'S' | 'F';

export interface TradeRecord {
  huifuId: string;
  reqDate: string;
  reqSeqId: string;
  hfSeqId: string;
  tradeType: string;
  transFen: number;
  goodsDesc: string;
  remark?: string;
  notifyUrl?: string;
  /** wx_data as sent (a JSON string) and what the sandbox read from it. */
  wxData: string;
  openid?: string;
  subAppid?: string;
  subOpenid?: string;
  /** The appId `pay_info` carries. */
  appId: string;
  prepayId: string;
  partyOrderId: string;
  /** Sandbox-clock epoch ms. */
  createdAt: number;
  expiresAt: number;
  transStat: TransStat;
  bankMessage: string;
  endTime?: string;
  outTransId?: string;
  acctStat?: 'P' | 'S' | 'F';
  acctDate?: string;
  feeFen?: number;
  settlementFen?: number;
  /** Refunds accepted (processing or done); never above transFen. */
  refundedFen: number;
  close?: CloseRecord;
}

export interface CloseRecord {
  reqDate: string;
  reqSeqId: string;
  transStat: TransStat;
  at: number;
}

export interface RefundRecord {
  huifuId: string;
  reqDate: string;
  reqSeqId: string;
  hfSeqId: string;
  tradeKey: string;
  ordFen: number;
  transStat: TransStat;
  remark?: string;
  notifyUrl?: string;
  createdAt: number;
  /** Wall-clock epoch ms when P turns final (survives restarts). */
  dueAt: number;
  /** The outcome it will take (a fault can make it F). */
  outcome: 'S' | 'F';
  finishTime?: string;
  feeFen: number;
}

export type NotificationKind = 'trade' | 'acct' | 'refund';

export interface NotificationAttempt {
  round: number;
  at: string;
  statusCode?: number;
  /** The reply body (trimmed, at most 200 chars). */
  reply?: string;
  error?: string;
  durationMs: number;
  fault?: string;
  ok: boolean;
}

export interface NotificationRecord {
  id: string;
  kind: NotificationKind;
  url: string;
  /** The `req_seq_id` in `resp_data`: the merchant must answer `RECV_ORD_ID_` + it. */
  reqSeqId: string;
  createdAt: string;
  respCode: string;
  respDesc: string;
  /** The exact `resp_data` text (its signature is made per attempt). */
  respData: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  rounds: number;
  attempts: NotificationAttempt[];
  nextAttemptAt?: number;
  corruption?: string;
}

export type PlantedMismatch =
  | { id: string; kind: 'amount'; hfSeqId: string; deltaFen: number }
  | { id: string; kind: 'missing'; hfSeqId: string }
  | { id: string; kind: 'extra'; hfSeqId: string; reqSeqId: string; reqDate: string; transFen: number };

export interface HuifuData {
  trades: Record<string, TradeRecord>;
  refunds: Record<string, RefundRecord>;
  notifications: NotificationRecord[];
  /** file_date (yyyyMMdd) → mismatches planted in that day's TRADE_BILL. */
  plants: Record<string, PlantedMismatch[]>;
  /** How many of the next bookings fail (acct_stat F). */
  failBookings: number;
  /** How many of the next refunds end F instead of S. */
  failRefunds: number;
  /** file_id → the bill it names (download links stay valid across restarts). */
  files: Record<string, { huifuId: string; fileDate: string; billType: string }>;
}

export const tradeKey = (huifuId: string, reqDate: string, reqSeqId: string) => `${huifuId}|${reqDate}|${reqSeqId}`;

export class HuifuState extends JsonFileState<HuifuData> {
  private readonly listeners = new Set<() => void>();

  constructor(file: string) {
    super(file, empty, 'Huifu sandbox state');
  }

  /** Also tells a linked console (`console-feed.ts`) that something moved. */
  override changed(): void {
    super.changed();
    for (const listener of this.listeners) listener();
  }

  /** Forgets every trade, refund, notification and file (`POST /sandbox/admin/reset`); keys live elsewhere. */
  reset(): void {
    Object.assign(this.data, empty());
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tradeByHfSeqId(hfSeqId: string): TradeRecord | undefined {
    return Object.values(this.data.trades).find((t) => t.hfSeqId === hfSeqId);
  }

  tradeByPrepayId(prepayId: string): TradeRecord | undefined {
    return Object.values(this.data.trades).find((t) => t.prepayId === prepayId);
  }
}

function empty(): HuifuData {
  return { trades: {}, refunds: {}, notifications: [], plants: {}, failBookings: 0, failRefunds: 0, files: {} };
}
