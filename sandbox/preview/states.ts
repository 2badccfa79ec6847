/**
 * What `npm run preview` renders: every page of the mini-program in each state it can show, as
 * the data the page holds in that state (the shape of each page's own `data`). A page added to
 * app.json without an entry here fails the preview test, so the table stays complete.
 */

export interface PreviewState {
  name: string;
  data: Record<string, unknown>;
}

const order = (over: Record<string, unknown> = {}) => ({
  outTradeNo: '20261201120000AbCdEfGh',
  channel: 'jsapi',
  amount: 1288,
  description: '拿铁 大杯',
  state: 'PAID',
  createdAt: '2026-12-01T04:00:00.000Z',
  expiresAt: '2026-12-01T04:30:00.000Z',
  refundedAmount: 0,
  paidAt: '2026-12-01T04:00:12.000Z',
  ...over,
});


const payscoreOrder = (over: Record<string, unknown> = {}) => ({
  outOrderNo: 'PS20261201120000AbCd',
  serviceIntroduction: '充电宝租借',
  state: 'DOING',
  ...over,
});

const adminOrder = (over: Record<string, unknown> = {}) => ({
  outTradeNo: '20261201120000AbCdEfGh',
  amount: '¥12.88',
  description: '拿铁 大杯',
  channel: 'JSAPI 支付',
  createdAt: '2026-12-01 12:00:00',
  paidAt: '2026-12-01 12:00:12',
  transactionId: '4200001234202612011234567890',
  stateLabel: '已支付',
  tagType: 'success',
  refunded: '¥0.00',
  refundable: '¥12.88',
  refundableFen: 1288,
  closable: false,
  ...over,
});

const totals = { today: { net: '¥1,234.50', payments: '¥1,288.00', paymentsCount: 12, refunds: '¥53.50', refundsCount: 1 }, month: { net: '¥23,456.70', payments: '¥24,000.00', paymentsCount: 210, refunds: '¥543.30', refundsCount: 6 } };

const alert = (over: Record<string, unknown> = {}) => ({
  id: 'a1',
  kindLabel: '关单后到账（已自动退款）',
  amount: '¥12.88',
  message: '订单关闭后收到付款，已原路退回',
  outTradeNo: '20261201120000AbCdEfGh',
  createdAt: '2026-12-01 12:05:00',
  acknowledged: false,
  ...over,
});

export const PAGE_STATES: Record<string, PreviewState[]> = {
  'pages/index/index': [
    { name: 'loading', data: { state: 'loading' } },
    { name: 'ready', data: { state: 'ready', maskedOpenid: 'oAbC…xYz9' } },
    { name: 'error', data: { state: 'error', errorMessage: '登录失败，请稍后重试', errorCode: 'UNAUTHENTICATED' } },
  ],
  'pages/checkout/index': [
    { name: 'input', data: { merchantName: '本地沙箱商户', description: '付款给商户', phase: 'input', inputMode: 'keypad', maxAmount: 5_000_000 } },
    { name: 'paying', data: { merchantName: '本地沙箱商户', phase: 'paying', inputMode: 'keypad', busy: true, amountText: '¥12.88', maxAmount: 5_000_000 } },
    { name: 'cancelled', data: { merchantName: '本地沙箱商户', phase: 'cancelled', inputMode: 'keypad', message: '已取消支付，可再次支付', amountText: '¥12.88', maxAmount: 5_000_000 } },
    { name: 'failed', data: { merchantName: '本地沙箱商户', phase: 'failed', inputMode: 'keypad', message: '支付失败，余额不足', amountText: '¥12.88', maxAmount: 5_000_000 } },
    { name: 'error', data: { merchantName: '本地沙箱商户', phase: 'error', inputMode: 'keypad', message: '网络异常，请重试', retryable: true, maxAmount: 5_000_000 } },
    { name: 'payee', data: { merchantName: '本地沙箱商户', payeeName: '张三', description: '付款给个人', phase: 'input', inputMode: 'keypad', maxAmount: 5_000_000 } },
  ],
  'pages/result/index': [
    { name: 'loading', data: { phase: 'loading', title: '正在查询' } },
    { name: 'paying', data: { phase: 'paying', title: '支付确认中', order: order({ state: 'PAYING', paidAt: undefined }), amountText: '¥12.88', stateLabel: '支付中' } },
    { name: 'paid', data: { phase: 'paid', title: '支付成功', order: order(), amountText: '¥12.88', stateLabel: '已支付', paidAtText: '2026-12-01 12:00:12' } },
    { name: 'closed', data: { phase: 'closed', title: '订单已关闭', subtitle: '超时未支付', order: order({ state: 'CLOSED', paidAt: undefined }), amountText: '¥12.88', stateLabel: '已关闭' } },
    { name: 'refunded', data: { phase: 'refunded', title: '已退款', order: order({ state: 'REFUNDED', refundedAmount: 1288 }), amountText: '¥12.88', stateLabel: '已退款', paidAtText: '2026-12-01 12:00:12' } },
    { name: 'timeout', data: { phase: 'timeout', title: '仍在确认中', subtitle: '稍后可在“我的订单”查看', order: order({ state: 'PAYING', paidAt: undefined }), amountText: '¥12.88', stateLabel: '支付中' } },
    { name: 'error', data: { phase: 'error', title: '查询失败', subtitle: '网络异常，请重试' } },
  ],
  'pages/orders/index': [
    { name: 'loading', data: { orders: [], loading: true } },
    { name: 'empty', data: { orders: [], loading: false, finished: true } },
    {
      name: 'list',
      data: {
        orders: [order(), order({ outTradeNo: '20261201110000QwErTyUi', amount: 2500, description: '充电宝租借', state: 'REFUNDING', refundedAmount: 0 }), order({ outTradeNo: '20261130090000ZxCvBnMa', amount: 990, state: 'CLOSED', paidAt: undefined })],
        finished: true,
      },
    },
    { name: 'error', data: { orders: [], error: '加载失败，请重试' } },
  ],
  'pages/payee/index': [
    { name: 'loading', data: { state: 'loading' } },
    { name: 'unauthorized', data: { state: 'unauthorized', checkedAtText: '12:00' } },
    { name: 'authorized', data: { state: 'authorized', displayName: '张三', nameDraft: '张三', shareCode: 'K7QX2M', received: [order({ description: '打赏' })], receivedState: 'idle', checkedAtText: '12:00' } },
    { name: 'error', data: { state: 'error', errorMessage: '查询失败，请稍后重试', errorCode: 'GATEWAY_UNAVAILABLE' } },
  ],
  'pages/payscore/index': [
    { name: 'start', data: { state: 'start', riskFundText: '50.00', offerPrice: '5.00', offerIntro: '充电宝租借' } },
    { name: 'confirming', data: { state: 'confirming', order: payscoreOrder({ state: 'CREATED' }) } },
    { name: 'serving', data: { state: 'serving', order: payscoreOrder() } },
    { name: 'collecting', data: { state: 'collecting', order: payscoreOrder(), totalText: '25.00' } },
    { name: 'paid', data: { state: 'paid', order: payscoreOrder({ state: 'DONE' }), totalText: '25.00', paidText: '25.00' } },
    { name: 'error', data: { state: 'error', errorMessage: '支付分暂不可用，请稍后重试', errorCode: 'GATEWAY_UNAVAILABLE' } },
  ],
  'pages/admin/index/index': [
    { name: 'loading', data: { phase: 'loading' } },
    { name: 'ready', data: { phase: 'ready', ...totals } },
    { name: 'forbidden', data: { phase: 'forbidden' } },
    { name: 'error', data: { phase: 'error', error: '加载失败，请重试' } },
  ],
  'pages/admin/orders/index': [
    { name: 'loading', data: { orders: [], loading: true } },
    { name: 'empty', data: { orders: [], loading: false, finished: true } },
    { name: 'list', data: { orders: [order(), order({ outTradeNo: '20261201110000QwErTyUi', amount: 2500, description: '充电宝租借', state: 'REFUNDED', refundedAmount: 2500 })], finished: true } },
    { name: 'forbidden', data: { orders: [], error: '仅商户管理员可查看', forbidden: true } },
  ],
  'pages/admin/order/index': [
    { name: 'loading', data: { phase: 'loading' } },
    { name: 'paid', data: { phase: 'ready', order: adminOrder(), refundYuan: '', refundReason: '' } },
    { name: 'refunded', data: { phase: 'ready', order: adminOrder({ stateLabel: '已退款', tagType: 'default', refunded: '¥12.88', refundable: '¥0.00', refundableFen: 0 }) } },
    { name: 'not-found', data: { phase: 'notFound' } },
  ],
  'pages/admin/alerts/index': [
    { name: 'loading', data: { alerts: [], loading: true } },
    { name: 'list', data: { alerts: [alert(), alert({ id: 'a2', kindLabel: '退款异常', message: '退款异常，需人工处理', acknowledged: true, acknowledgedAt: '2026-12-01 12:30:00' })], finished: true } },
    { name: 'empty', data: { alerts: [], loading: false, finished: true } },
  ],
};
