/**
 * PayScore (微信支付分, acquiring-bank mode, seed 001) in the page ↔ function contract
 * (`typings/api.d.ts` re-exports these). Money is integer fen.
 */

export type PayScoreState = 'CREATED' | 'DOING' | 'DONE' | 'REVOKED' | 'EXPIRED';

export interface PayScoreLine {
  name: string;
  amount?: number;
  description?: string;
  count?: number;
}

/**
 * `wx.openBusinessView` input for PayScore's confirmation page (acquiring-bank front-end page:
 * https://pay.weixin.qq.com/docs/partner/apis/partner-institution-weixin-pay-score/acquiring-bank-service-confirm-order/miniprogram-calls-confirm-order.html).
 */
export interface PayScoreConfirmParams {
  businessType: 'wxpayScoreUse';
  extraData: { package: string };
}

export interface PayScoreView {
  outOrderNo: string;
  state: PayScoreState;
  stateDescription?: 'USER_CONFIRM' | 'MCH_COMPLETE';
  collectionState?: 'USER_PAYING' | 'USER_PAID';
  serviceIntroduction: string;
  riskFund: { name: string; amount: number; description?: string };
  postPayments: PayScoreLine[];
  postDiscounts: PayScoreLine[];
  /** The merchant's final amount, once completed. */
  totalAmount?: number;
  paidAmount?: number;
  cancelReason?: string;
  createdAt: number;
  updatedAt: number;
  /** CREATED orders, to their user only: open PayScore's confirmation with these. */
  confirm?: PayScoreConfirmParams;
}

export interface PayScoreCreateRequest {
  /** Chosen by the page, 1–32 of [0-9A-Za-z_-|*]; a retry with the same number is the same order. */
  outOrderNo: string;
  /** At most 20 characters. */
  serviceIntroduction: string;
  /** 1–100 lines; `amount` (fen) is the estimate the user sees. */
  postPayments: PayScoreLine[];
  /** Up to 30 lines: name and description (amounts come at completion). */
  postDiscounts?: Array<{ name: string; description: string; count?: number }>;
  riskFund: { name: string; amount: number; description?: string };
  startLocation?: string;
}

export interface PayScoreCompleteRequest {
  outOrderNo: string;
  postPayments: Array<{ name: string; amount: number; description?: string; count?: number }>;
  postDiscounts?: Array<{ name: string; description: string; amount: number; count?: number }>;
  /** Must equal Σ postPayments − Σ postDiscounts and not exceed the risk fund. */
  totalAmount: number;
}
