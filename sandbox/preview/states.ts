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
};
