import { JsonFileState } from '../common/json-file-state';
import { emptyV2, type V2Data } from './v2/records';
import { emptyPayScoreData, type PayScoreData } from './payscore/records';
import type { BillData } from './bills';

/**
 * Everything the gateway remembers, persisted as one JSON file (`<dataDir>/gateway.json`, by
 * `common/json-file-state.ts`: coalesced atomic writes, flushed on close) so a restart keeps
 * orders, contracts and the notification log.
 */

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface OrderRecord {
  tradeType: 'JSAPI' | 'NATIVE';
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  attach?: string;
  notifyUrl: string;
  timeExpire?: string;
  goodsTag?: string;
  total: number;
  currency: string;
  payerOpenid?: string;
  prepayId?: string;
  codeUrl?: string;
  createdAt: number;
  /** Canonical JSON of the creating request: a repeat with other parameters is OUT_TRADE_NO_USED. */
  fingerprint: string;
  tradeState: TradeState;
  tradeStateDesc: string;
  successTime?: string;
  transactionId?: string;
  bankType?: string;
  /** Who paid in the cashier (a NATIVE order has no payer until then). */
  paidBy?: string;
  refunded: number;
  /**
   * The payer opened the cashier and has not finished (epoch ms): a close now answers 202
   * USERPAYING. trade_state stays NOTPAY — USERPAYING as a trade_state is 付款码 only.
   */
  cashierOpenedAt?: number;
}

export interface CombineSubRecord {
  mchid: string;
  outTradeNo: string;
  individualAuthId: string;
  individualName?: string;
  description: string;
  attach: string;
  total: number;
  currency: string;
  tradeState: TradeState;
  transactionId?: string;
  successTime?: string;
  bankType?: string;
}

export interface CombineRecord {
  combineAppid: string;
  combineMchid: string;
  combineOutTradeNo: string;
  /** The gateway's id, from creation (older saved records get one on first use). */
  combineTransactionId?: string;
  payerOpenid: string;
  sceneInfo: Record<string, unknown>;
  /** Optional on the published page: without it no notification is sent. */
  notifyUrl?: string;
  timeExpire?: string;
  tradeScenario?: string;
  prepayId: string;
  createdAt: number;
  fingerprint: string;
  subOrders: CombineSubRecord[];
  /** The payer is in the cashier right now: a close answers 202 USERPAYING. */
  cashierOpenedAt?: number;
}

export interface RefundRecord {
  mchid: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  reason?: string;
  notifyUrl?: string;
  refund: number;
  total: number;
  currency: string;
  /** The published refund states (退款状态): SUCCESS, CLOSED, PROCESSING, ABNORMAL. */
  status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  /** What PROCESSING turns into when due: SUCCESS unless a refund fault said otherwise. */
  outcome?: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  createdAt: number;
  /** When PROCESSING settles (epoch ms), survives restarts. */
  dueAt: number;
  successTime?: string;
}

export interface ContractRecord {
  openid: string;
  individualAuthId: string;
  authState: 'AUTHORIZED' | 'UNAUTHORIZED';
  operationTime: string;
}

export interface NotificationAttempt {
  /** 1-based delivery round (16 at most); duplicate copies share a round. */
  round: number;
  at: string;
  statusCode?: number;
  error?: string;
  durationMs: number;
  /** Which fault shaped this attempt, if any. */
  fault?: string;
  /** The start of what the merchant answered (for the console's timeline). */
  reply?: string;
}

export interface NotificationRecord {
  id: string;
  eventType: string;
  url: string;
  /** out_trade_no, combine_out_trade_no or out_refund_no the notification is about. */
  subject: string;
  createdAt: string;
  /** The exact JSON posted (every attempt posts the same body, freshly signed). */
  body: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  /** Delivery rounds made so far. */
  rounds: number;
  attempts: NotificationAttempt[];
  /** Epoch ms of the next scheduled attempt while pending. */
  nextAttemptAt?: number;
  /** Corruption applied to the first attempt, from a fault. */
  corruption?: string;
  /** A registered non-APIv3 format (`v2`: XML, SUCCESS-XML reply); APIv3 when absent. */
  format?: string;
  /** Retry delays (s) when not the payment schedule, e.g. PayScore's; kept for a restart. */
  retryDelaysS?: number[];
  /** Reply window (ms) when not the default 5 s. */
  timeoutMs?: number;
  /** A replay (console / CLI) of this notification: same body, delivered afresh. */
  replayOf?: string;
}

export interface GatewayData {
  orders: Record<string, OrderRecord>;
  combines: Record<string, CombineRecord>;
  refunds: Record<string, RefundRecord>;
  contracts: Record<string, ContractRecord>;
  notifications: NotificationRecord[];
  /** prepay_id → what it pays. */
  prepays: Record<string, { kind: 'order' | 'combine'; key: string }>;
  /** Consumed jscode2session codes (single-use). */
  usedCodes: string[];
  /** APIv2 orders, refunds and prepays (`v2/records.ts`). */
  v2: V2Data;
  /** PayScore service orders, clearing script and clock (payscore/records.ts). */
  payscore: PayScoreData;
  /** Trade-bill plants and early-published days (`bills.ts`); absent in older state files. */
  bills?: BillData;
}

const MAX_USED_CODES = 10_000;

export class GatewayState extends JsonFileState<GatewayData> {
  constructor(file: string) {
    super(file, empty, 'sandbox gateway state');
  }

  private readonly listeners = new Set<() => void>();

  /** Also tells the console's live feed (`console/changes.ts`) that something moved. */
  override changed(): void {
    super.changed();
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every order, refund, contract and notification (`POST /sandbox/admin/reset`); keys live elsewhere. */
  reset(): void {
    Object.assign(this.data, empty());
    this.changed();
  }

  /** Records a code as used; false when it already was. */
  useCode(code: string): boolean {
    if (this.data.usedCodes.includes(code)) return false;
    this.data.usedCodes.push(code);
    if (this.data.usedCodes.length > MAX_USED_CODES) this.data.usedCodes.splice(0, this.data.usedCodes.length - MAX_USED_CODES);
    this.changed();
    return true;
  }
}

function empty(): GatewayData {
  return { orders: {}, combines: {}, refunds: {}, contracts: {}, notifications: [], prepays: {}, usedCodes: [], v2: emptyV2(), payscore: emptyPayScoreData() };
}
