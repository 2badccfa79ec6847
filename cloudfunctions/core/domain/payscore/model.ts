/**
 * The PayScore service order (微信支付分, acquiring-bank mode, seed 001) as this merchant keeps it:
 * one aggregate with its own lifecycle, its deduction registrations and its audit trail. Money is
 * integer fen. States follow the gateway's (PROTOCOL.md §2):
 *
 *   CREATED ─user confirms─► DOING/USER_CONFIRM ─complete─► DOING/MCH_COMPLETE (USER_PAYING)
 *   DOING/MCH_COMPLETE ─registered deduction collected─► DONE (USER_PAID)
 *   CREATED | DOING (no live registration) ─cancel─► REVOKED
 *   CREATED ─30 days idle─► EXPIRED
 */

export type PayScoreState = 'CREATED' | 'DOING' | 'DONE' | 'REVOKED' | 'EXPIRED';
export type PayScoreStateDescription = 'USER_CONFIRM' | 'MCH_COMPLETE';
export type PayScoreCollectionState = 'USER_PAYING' | 'USER_PAID';

export interface PayScoreLine {
  name: string;
  /** Fen. Payments: optional at create (an estimate), required at complete; discounts: complete only. */
  amount?: number;
  description?: string;
  count?: number;
}

export interface PayScoreRiskFund {
  name: string;
  /** Fen: the most the service may cost. */
  amount: number;
  description?: string;
}

/**
 * One `registerdeductinfo`: ONE collection attempt under `outTradeNo`, live for 24 h (PROTOCOL.md
 * §2 [ref]). `live` until collected (`paid`), replaced by a newer registration the gateway took
 * (`spent`: its attempt failed), or 24 h passed (`lapsed`).
 */
export interface PayScoreDeduction {
  outTradeNo: string;
  registeredAt: number;
  expiresAt: number;
  outcome: 'live' | 'paid' | 'spent' | 'lapsed';
}

export type PayScoreActor = 'user' | 'admin' | 'notify' | 'query' | 'reconcile';

export interface PayScoreAuditEntry {
  at: number;
  /** e.g. `CREATED`, `DOING/USER_CONFIRM`, `DOING/MCH_COMPLETE (USER_PAYING)`; null at creation. */
  from: string | null;
  to: string;
  event: string;
  actor: PayScoreActor;
  note?: string;
}

export interface PayScoreOrder {
  outOrderNo: string;
  /** The user who created it: the only one who may see or cancel it (besides admins). */
  userOpenid: string;
  /** The create-time appid: complete, cancel and deductions stay on it. */
  appid: string;
  serviceIntroduction: string;
  riskFund: PayScoreRiskFund;
  /** What the user was shown at creation (estimate). */
  postPayments: PayScoreLine[];
  postDiscounts: PayScoreLine[];
  /** yyyyMMddHHmmss (Beijing). */
  startTime: string;
  startLocation?: string;
  /** From the create answer. */
  orderId?: string;
  /** For `wx.openBusinessView`; stays on the server until the user asks for it. */
  package?: string;
  state: PayScoreState;
  stateDescription?: PayScoreStateDescription;
  collectionState?: PayScoreCollectionState;
  /** The merchant's final amount (set by complete). */
  completion?: { totalAmount: number; postPayments: PayScoreLine[]; postDiscounts: PayScoreLine[]; completedAt: number; endTime: string };
  /** Fen collected (USER_PAID). */
  paidAmount?: number;
  /** The deduction that paid. */
  paidOutTradeNo?: string;
  deductions: PayScoreDeduction[];
  cancelReason?: string;
  createdAt: number;
  updatedAt: number;
  /** 1 at creation; every change is a compare-and-set from n to n + 1. */
  version: number;
  /** Oldest first; appended by every transition, in the same write. */
  history: PayScoreAuditEntry[];
}

export const FINAL_PAYSCORE_STATES: readonly PayScoreState[] = ['DONE', 'REVOKED', 'EXPIRED'];

/** `DOING/MCH_COMPLETE (USER_PAYING)` — the label the audit trail uses. */
export function payscoreLabel(o: Pick<PayScoreOrder, 'state' | 'stateDescription' | 'collectionState'>): string {
  return `${o.state}${o.state === 'DOING' && o.stateDescription ? `/${o.stateDescription}` : ''}${o.collectionState ? ` (${o.collectionState})` : ''}`;
}

/** A registration still counting at `now`. */
export function liveDeduction(o: PayScoreOrder, now: number): PayScoreDeduction | undefined {
  return o.deductions.find((d) => d.outcome === 'live' && d.expiresAt > now);
}
