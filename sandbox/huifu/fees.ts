/**
 * The handling fee Huifu charges (`fee_amount`, "斗拱扣收的支付手续费金额", seed 002). The rate is the
 * merchant's contract, not a protocol fact, so it is a sandbox setting: default 38 bp (0.38%),
 * rounded UP to the fen, which reproduces the published query sample (trans_amt 0.03 →
 * fee_amount 0.01, fee_formula "AMT*0.38"; dg-payment-skills payment-query.md). `settlement_amt`
 * is what the user actually paid ("用户实际支付金额。如有优惠该金额小于交易金额"): the full amount,
 * as the sandbox has no discounts (the same sample: trans_amt 0.03, settlement_amt 0.03).
 */
export const DEFAULT_FEE_RATE_BP = 38;

export function feeOf(fen: number, rateBp: number): number {
  return Math.ceil((fen * rateBp) / 10_000);
}

/** The share of the fee a refund gives back: proportional, rounded down. */
export function refundFeeOf(tradeFeeFen: number, tradeFen: number, refundFen: number): number {
  return Math.floor((tradeFeeFen * refundFen) / tradeFen);
}
