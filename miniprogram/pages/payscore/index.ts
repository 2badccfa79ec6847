import type { PayScoreCreateRequest, PayScoreView } from '../../../typings/api';
import { call } from '../../services/api';
import { env } from '../../services/env';
import { describeError, showError, showToast } from '../../services/feedback';
import { openPayScoreConfirm, wxConfirmDeps, type ConfirmDeps } from './payscore-confirm';
import { poll, type PollHandle } from '../../services/polling';
import { componentWithFields } from '../../utils/component';
import { fenToYuan } from '../../utils/money';

/** What the page shows; each state has its own block in index.wxml. */
export type PayScorePageState = 'loading' | 'start' | 'confirming' | 'serving' | 'collecting' | 'paid' | 'cancelled' | 'expired' | 'error';

/** The service this merchant offers: a charger rental, 50.00 risk fund, 5.00 per hour estimated. */
const OFFER = {
  serviceIntroduction: '充电宝租借',
  postPayments: [{ name: '租借费用', amount: 500, description: '每小时5元', count: 1 }],
  riskFund: { name: 'ESTIMATE_ORDER_COST', amount: 5000, description: '充电宝押金' },
  startLocation: '一号门店',
} as const;

const CURRENT_KEY = 'payscore:current';
/** While in service or collecting: ask every few seconds for a while (pull to refresh later). */
const WATCH_SCHEDULE = { initialMs: 1000, factor: 2, maxDelayMs: 5000, deadlineMs: 120_000 };

export function pageStateOf(order: PayScoreView): PayScorePageState {
  switch (order.state) {
    case 'CREATED':
      return 'confirming';
    case 'DOING':
      return order.stateDescription === 'MCH_COMPLETE' ? 'collecting' : 'serving';
    case 'DONE':
      return 'paid';
    case 'REVOKED':
      return 'cancelled';
    case 'EXPIRED':
      return 'expired';
  }
}

/** 1–32 of [0-9A-Za-z_-|*], unique enough per user (the server refuses a number someone else holds). */
function newOrderNo(): string {
  return `PS${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`.toUpperCase().slice(0, 32);
}

interface PayScorePageFields {
  watch?: PollHandle<PayScoreView>;
  confirmDeps?: ConfirmDeps;
}

/**
 * 支付分 · 先享后付: start a service (what it is, the risk fund), confirm it in PayScore, be served,
 * see the merchant's completion, the collection, paid / cancelled / expired. PayScore's own answer
 * is never shown as the result: after it returns, the server asks the gateway (`payscore.query`).
 */
componentWithFields<PayScorePageFields>()({
  data: {
    state: 'loading' as PayScorePageState,
    order: null as PayScoreView | null,
    offerIntro: OFFER.serviceIntroduction,
    offerPrice: fenToYuan(OFFER.postPayments[0].amount),
    riskFundText: fenToYuan(OFFER.riskFund.amount),
    totalText: '',
    paidText: '',
    notice: '',
    errorMessage: '',
    errorCode: '',
    busy: false,
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      const outOrderNo = options?.outOrderNo || (wx.getStorageSync(CURRENT_KEY) as string) || '';
      if (outOrderNo) void this.refresh(outOrderNo);
      else this.setData({ state: 'start' });
    },
    onUnload() {
      this.watch?.stop();
    },
    async onPullDownRefresh() {
      try {
        if (this.data.order) await this.refresh(this.data.order.outOrderNo);
      } finally {
        wx.stopPullDownRefresh();
      }
    },
    onRetry() {
      if (this.data.order) void this.refresh(this.data.order.outOrderNo);
      else this.setData({ state: 'start', errorMessage: '', errorCode: '' });
    },

    show(order: PayScoreView) {
      const state = pageStateOf(order);
      this.setData({
        order,
        state,
        riskFundText: fenToYuan(order.riskFund.amount),
        totalText: order.totalAmount !== undefined ? fenToYuan(order.totalAmount) : '',
        paidText: order.paidAmount !== undefined ? fenToYuan(order.paidAmount) : '',
        errorMessage: '',
        errorCode: '',
      });
      if (state === 'serving' || state === 'collecting') this.startWatching(order.outOrderNo);
      else this.watch?.stop();
      if (state === 'paid' || state === 'cancelled' || state === 'expired') wx.removeStorageSync(CURRENT_KEY);
    },

    fail(error: { code: string; message: string }) {
      this.setData({ state: 'error', errorMessage: describeError({ code: error.code as never, message: error.message }), errorCode: error.code });
    },

    async refresh(outOrderNo: string) {
      const res = await call('payscore.query', { outOrderNo });
      if (!res.ok) return this.fail(res);
      this.show(res.data.order);
    },

    /** In service / collecting: the merchant's completion and the collection show when they happen. */
    startWatching(outOrderNo: string) {
      if (this.watch) return;
      const from = this.data.state;
      this.watch = poll<PayScoreView>(
        async () => {
          const res = await call('payscore.query', { outOrderNo });
          if (!res.ok) return { done: false };
          return { done: pageStateOf(res.data.order) !== from, value: res.data.order };
        },
        WATCH_SCHEDULE,
      );
      void this.watch.result.then((end) => {
        this.watch = undefined;
        if (end.kind === 'done') this.show(end.value);
      });
    },

    async onStart() {
      if (this.data.busy) return;
      this.setData({ busy: true, notice: '' });
      try {
        const request: PayScoreCreateRequest = { outOrderNo: newOrderNo(), ...OFFER, postPayments: [...OFFER.postPayments], riskFund: { ...OFFER.riskFund } };
        const res = await call('payscore.create', request);
        if (!res.ok) return showError(this, res);
        wx.setStorageSync(CURRENT_KEY, res.data.order.outOrderNo);
        this.show(res.data.order);
        await this.confirmInPayScore();
      } finally {
        this.setData({ busy: false });
      }
    },

    async onConfirm() {
      if (this.data.busy) return;
      this.setData({ busy: true, notice: '' });
      try {
        await this.confirmInPayScore();
      } finally {
        this.setData({ busy: false });
      }
    },

    async confirmInPayScore() {
      const order = this.data.order;
      if (!order?.confirm) return;
      this.confirmDeps ??= wxConfirmDeps({ transport: env.transport, sandboxUrl: env.sandboxUrl });
      const outcome = await openPayScoreConfirm(order.confirm, this.confirmDeps);
      if (outcome.kind === 'unsupported') {
        this.setData({ notice: '当前微信版本过低，无法打开微信支付分，请升级微信后重试' });
        return;
      }
      if (outcome.kind === 'failed') this.setData({ notice: `未能完成确认：${outcome.message}` });
      // Whatever PayScore's page said, the gateway (through the server) decides.
      await this.refresh(order.outOrderNo);
      if (this.data.state === 'confirming' && outcome.kind === 'returned') this.setData({ notice: '尚未确认订单，可稍后再次确认或取消' });
    },

    async onCancel() {
      const order = this.data.order;
      if (!order || this.data.busy) return;
      this.setData({ busy: true });
      try {
        const res = await call('payscore.cancel', { outOrderNo: order.outOrderNo, reason: '用户取消' });
        if (!res.ok) return showError(this, res);
        this.show(res.data.order);
        showToast(this, '已取消');
      } finally {
        this.setData({ busy: false });
      }
    },

    onNewService() {
      this.watch?.stop();
      this.watch = undefined;
      this.setData({ state: 'start', order: null, notice: '', totalText: '', paidText: '', riskFundText: fenToYuan(OFFER.riskFund.amount) });
    },
  },
});
