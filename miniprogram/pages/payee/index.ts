import type { OrderState, OrderView, PayeeStatus } from '../../../typings/api';
import { call } from '../../services/api';
import { env } from '../../services/env';
import { describeError, showError, showToast } from '../../services/feedback';
import { createSignAdapter, wxSignDeps, type SignAdapter } from '../../services/individual-contracts';
import { formatDateTime } from '../../utils/order-view';
import { componentWithFields } from '../../utils/component';

type PageState = 'loading' | 'unauthorized' | 'authorized' | 'error';
type ListState = 'idle' | 'loading' | 'error';

const RECEIVED_PAGE_SIZE = 10;
const RECEIVED_STATES: readonly OrderState[] = ['PAID', 'REFUNDING', 'REFUNDED'];

/** Per-page instance state that is not rendered. */
interface PayeePage {
  signAdapter?: SignAdapter;
}

/**
 * 收款: whether I can receive money, the signing entry only while I cannot, and my share card.
 * The signing page's own answer is never shown as the result: after it returns, the server asks
 * WeChat Pay (`payee.confirm`) and the page shows what that says (seed 000).
 */
componentWithFields<PayeePage>()({
  data: {
    state: 'loading' as PageState,
    errorMessage: '',
    errorCode: '',
    checkedAtText: '',
    notice: '',
    signing: false,
    displayName: '',
    nameDraft: '',
    savingName: false,
    shareCode: '',
    received: [] as OrderView[],
    receivedNext: '',
    receivedState: 'idle' as ListState,
  },
  methods: {
    onLoad() {
      void this.load();
    },
    onRetry() {
      void this.load();
    },

    /** Pull to refresh: ask the gateway now (not the cache), e.g. after signing on another device. */
    async onPullDownRefresh() {
      try {
        if (this.data.state === 'error' || this.data.state === 'loading') await this.load();
        else await this.confirmOnServer();
        if (this.data.state === 'authorized') await this.loadReceived(true);
      } finally {
        wx.stopPullDownRefresh();
      }
    },

    signer(): SignAdapter {
      this.signAdapter ??= createSignAdapter(wxSignDeps({ transport: env.transport, sandboxUrl: env.sandboxUrl }));
      return this.signAdapter;
    },

    async load() {
      this.setData({ state: 'loading', errorMessage: '', errorCode: '', notice: '' });
      const status = await call('payee.status', {});
      if (!status.ok) return this.fail(status);
      const profile = await call('payee.profile', {});
      if (!profile.ok) return this.fail(profile);
      this.setData({ displayName: profile.data.displayName, nameDraft: profile.data.displayName, shareCode: profile.data.shareCode });
      this.showStatus(status.data);
    },

    fail(error: { code: string; message: string }) {
      this.setData({ state: 'error', errorMessage: describeError({ code: error.code as never, message: error.message }), errorCode: error.code });
    },

    showStatus(status: PayeeStatus) {
      const wasAuthorized = this.data.state === 'authorized';
      this.setData({ state: status.authorized ? 'authorized' : 'unauthorized', checkedAtText: formatDateTime(status.checkedAt) });
      if (status.authorized && !wasAuthorized) void this.loadReceived(true);
    },

    async onSign() {
      if (this.data.signing) return;
      this.setData({ signing: true, notice: '' });
      try {
        const params = await call('payee.signParams', {});
        if (!params.ok) {
          // Already authorized (e.g. signed on another device): show the gateway's word for it.
          if (params.code === 'PAYEE_ALREADY_AUTHORIZED') await this.confirmOnServer();
          else showError(this, params);
          return;
        }
        const outcome = await this.signer().requestSign(params.data);
        if (outcome.kind === 'cancelled') {
          showToast(this, '已取消开通');
          return;
        }
        if (outcome.kind === 'failed') {
          this.setData({ notice: `签约未完成：${outcome.message}（${outcome.code}）` });
          return;
        }
        await this.confirmOnServer();
      } finally {
        this.setData({ signing: false });
      }
    },

    /** Whatever the signing page said, the server's gateway query decides. */
    async confirmOnServer() {
      const confirmed = await call('payee.confirm', {});
      if (!confirmed.ok) {
        showError(this, confirmed);
        this.setData({ notice: '暂时无法向微信支付确认签约结果，请稍后下拉刷新重试' });
        return;
      }
      this.showStatus(confirmed.data);
      if (confirmed.data.authorized) showToast(this, '已开通个人收款', 'success');
      else this.setData({ notice: '微信支付尚未确认你的授权，请完成签约后再试' });
    },

    /** van-field `change`: detail is the text. */
    onNameInput(event: { detail: unknown }) {
      this.setData({ nameDraft: typeof event.detail === 'string' ? event.detail : '' });
    },

    async onSaveName() {
      if (this.data.savingName) return;
      this.setData({ savingName: true });
      const res = await call('payee.profile', { displayName: this.data.nameDraft });
      this.setData({ savingName: false });
      if (!res.ok) {
        showError(this, res);
        return;
      }
      this.setData({ displayName: res.data.displayName, nameDraft: res.data.displayName, shareCode: res.data.shareCode });
      showToast(this, '已保存', 'success');
    },

    onCopyCode() {
      wx.setClipboardData({ data: this.data.shareCode });
    },

    onShareAppMessage() {
      return {
        title: `向「${this.data.displayName}」付款`,
        path: `/pages/checkout/index?payeeCode=${encodeURIComponent(this.data.shareCode)}`,
      };
    },

    onReloadReceived() {
      void this.loadReceived(true);
    },
    onMoreReceived() {
      void this.loadReceived(false);
    },

    /** Money others paid me (combine orders whose payee I am), newest first. */
    async loadReceived(reset: boolean) {
      if (this.data.receivedState === 'loading') return;
      const cursor = reset ? undefined : this.data.receivedNext || undefined;
      this.setData({ receivedState: 'loading' });
      const res = await call('pay.list', cursor ? { role: 'payee', pageSize: RECEIVED_PAGE_SIZE, cursor } : { role: 'payee', pageSize: RECEIVED_PAGE_SIZE });
      if (!res.ok) {
        this.setData({ receivedState: 'error' });
        return;
      }
      // Money received: orders still awaiting payment (or closed unpaid) are not income.
      const received = res.data.orders.filter((o) => RECEIVED_STATES.includes(o.state));
      this.setData({
        received: reset ? received : [...this.data.received, ...received],
        receivedNext: res.data.nextCursor ?? '',
        receivedState: 'idle',
      });
    },
  },
});
