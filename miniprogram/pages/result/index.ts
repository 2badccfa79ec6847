/**
 * Payment result: polls `pay.query` (0.5 s, 1 s, 2 s … capped at 5 s, one minute in all) and shows
 * what the SERVER says. The cashier's own "success" never makes this page say paid. After the
 * deadline it says "still confirming" and offers a manual refresh.
 */
import type { ApiError, OrderView } from '../../../typings/api';
import { call } from '../../services/api';
import { PAYMENT_CONFIRM_SCHEDULE, poll, type BackoffSchedule, type PollHandle, type PollStep } from '../../services/polling';
import { isRetryable, messageForCode } from '../../utils/error-messages';
import { formatFen } from '../../utils/money';
import { formatDateTime, isSettled, stateView } from '../../utils/order-view';
import { componentWithFields } from '../../utils/component';

type Phase = 'loading' | 'paying' | 'paid' | 'closed' | 'failed' | 'refunded' | 'timeout' | 'error';

/** One poll answer: the order, or an error that waiting will not fix. */
type QueryAnswer = { order: OrderView } | { error: ApiError };

interface ResultFields {
  outTradeNo?: string;
  handle?: PollHandle<QueryAnswer>;
}

const ORDERS_PAGE = '/pages/orders/index';

function phaseOf(order: OrderView): Phase {
  switch (order.state) {
    case 'PAID':
      return 'paid';
    case 'CLOSED':
      return 'closed';
    case 'FAILED':
      return 'failed';
    case 'REFUNDING':
    case 'REFUNDED':
      return 'refunded';
    default:
      return 'paying';
  }
}

const TITLES: Record<Phase, string> = {
  loading: '正在查询',
  paying: '支付确认中',
  paid: '支付成功',
  closed: '订单已关闭',
  failed: '支付失败',
  refunded: '已退款',
  timeout: '仍在确认中',
  error: '查询失败',
};

componentWithFields<ResultFields>()({
  properties: {
    /** Tests and embedding pages may shorten the schedule; pages opened by URL use the default. */
    schedule: { type: Object, value: {} },
  },
  data: {
    phase: 'loading' as Phase,
    title: TITLES.loading,
    subtitle: '',
    order: null as OrderView | null,
    amountText: '',
    stateLabel: '',
    paidAtText: '',
    refreshing: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.outTradeNo = query.outTradeNo ? decodeURIComponent(query.outTradeNo) : undefined;
      if (!this.outTradeNo) {
        this.setData({ phase: 'error', title: TITLES.error, subtitle: '缺少订单号' });
        return;
      }
      this.startPolling();
    },

    onUnload() {
      this.handle?.stop();
    },

    startPolling() {
      const outTradeNo = this.outTradeNo;
      if (!outTradeNo) return;
      this.handle?.stop();
      const custom = this.data.schedule as Partial<BackoffSchedule>;
      const schedule = { ...PAYMENT_CONFIRM_SCHEDULE, ...custom };
      const handle = poll<QueryAnswer>(
        async (): Promise<PollStep<QueryAnswer>> => {
          const res = await call('pay.query', { outTradeNo });
          if (res.ok) return { done: isSettled(res.data.order.state), value: { order: res.data.order } };
          // Network trouble and busy gateways are worth waiting out; a missing or foreign order is not.
          return { done: !isRetryable(res), value: { error: res } };
        },
        schedule,
        { onStep: (step) => step.value && this.show(step.value) },
      );
      this.handle = handle;
      void handle.result.then((end) => {
        if (this.handle !== handle) return;
        this.setData({ refreshing: false });
        if (end.kind !== 'deadline') return;
        const last = end.last;
        // Deadline: only "still confirming" when the server has not said anything final.
        if (!last || 'error' in last || !isSettled(last.order.state)) {
          this.setData({ phase: 'timeout', title: TITLES.timeout, subtitle: '支付结果确认较慢，请稍后刷新；如已扣款，请勿重复支付' });
        }
      });
    },

    show(answer: QueryAnswer) {
      if ('error' in answer) {
        const transient = isRetryable(answer.error);
        // A transient error while polling keeps the current view; a final one is shown.
        if (transient && this.data.phase !== 'loading') return;
        this.setData({ phase: transient ? 'loading' : 'error', title: transient ? TITLES.loading : TITLES.error, subtitle: messageForCode(answer.error.code) });
        return;
      }
      const order = answer.order;
      const phase = phaseOf(order);
      this.setData({
        order,
        phase,
        title: TITLES[phase],
        subtitle: phase === 'failed' || phase === 'closed' ? order.reason ?? '' : phase === 'paying' ? '正在向支付平台确认，请稍候' : '',
        amountText: formatFen(order.amount),
        stateLabel: stateView(order.state).label,
        paidAtText: order.paidAt ? formatDateTime(order.paidAt) : '',
      });
    },

    onRefresh() {
      if (!this.outTradeNo) return;
      this.setData({ refreshing: true, phase: this.data.order ? phaseOf(this.data.order as OrderView) : 'loading' });
      this.setData({ title: TITLES[this.data.phase as Phase] });
      this.startPolling();
    },

    onOrders() {
      wx.navigateTo({ url: ORDERS_PAGE });
    },
  },
});
