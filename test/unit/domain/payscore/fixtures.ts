import type { PayScoreOrder } from '../../../../cloudfunctions/core/domain/payscore/model';

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

let n = 0;
/** A CREATED service order with a 50.00 risk fund. */
export function freshPayScoreOrder(over: Partial<PayScoreOrder> = {}, at = T0): PayScoreOrder {
  return {
    outOrderNo: `PSUNIT${process.pid}${n++}`,
    userOpenid: 'o-alice',
    appid: 'wx1234567890abcdef',
    serviceIntroduction: '充电宝租借',
    riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000 },
    postPayments: [{ name: '租借费用', amount: 2500 }],
    postDiscounts: [],
    startTime: '20261125200000',
    package: 'AAQpkg',
    orderId: '1000',
    state: 'CREATED',
    deductions: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
    history: [{ at, from: null, to: 'CREATED', event: 'CREATED', actor: 'user' }],
    ...over,
  };
}
