/**
 * The user's own orders (`pay.list`), newest first, a page at a time: reaching the bottom loads
 * the next page with `nextCursor`, pulling down reloads from the top. A reload makes any page
 * still in flight from before it stale, so an old answer never lands on a fresh list.
 */
import type { OrderView } from '../../../typings/api';
import { call } from '../../services/api';
import { messageForCode } from '../../utils/error-messages';
import { componentWithFields } from '../../utils/component';

const ORDERS_PAGE_SIZE = 10;
const RESULT_PAGE = '/pages/result/index';

interface OrdersFields {
  cursor?: string;
  /** Bumped by every reload; answers from an older generation are dropped. */
  generation?: number;
  inFlight?: boolean;
}

componentWithFields<OrdersFields>()({
  data: {
    orders: [] as OrderView[],
    loading: false,
    finished: false,
    error: '',
  },
  methods: {
    onLoad() {
      void this.reload();
    },

    async onPullDownRefresh() {
      await this.reload();
      wx.stopPullDownRefresh();
    },

    onReachBottom() {
      void this.loadMore();
    },

    onRetry() {
      void ((this.data.orders as OrderView[]).length === 0 ? this.reload() : this.loadMore());
    },

    onSelect(event: WechatMiniprogram.CustomEvent<{ outTradeNo: string }>) {
      wx.navigateTo({ url: `${RESULT_PAGE}?outTradeNo=${encodeURIComponent(event.detail.outTradeNo)}` });
    },

    async reload() {
      this.generation = (this.generation ?? 0) + 1;
      this.cursor = undefined;
      this.inFlight = false;
      await this.fetchPage(true);
    },

    async loadMore() {
      if (this.inFlight || this.data.finished || !this.cursor) return;
      await this.fetchPage(false);
    },

    async fetchPage(fromTop: boolean) {
      const generation = this.generation ?? 0;
      this.inFlight = true;
      this.setData({ loading: true, error: '' });
      const request: { pageSize: number; cursor?: string } = { pageSize: ORDERS_PAGE_SIZE };
      if (!fromTop && this.cursor) request.cursor = this.cursor;
      const res = await call('pay.list', request);
      if (generation !== this.generation) return; // a reload started meanwhile
      this.inFlight = false;
      if (!res.ok) {
        this.setData({ loading: false, error: messageForCode(res.code) });
        return;
      }
      this.cursor = res.data.nextCursor;
      const orders = fromTop ? res.data.orders : [...(this.data.orders as OrderView[]), ...res.data.orders];
      this.setData({ orders, loading: false, finished: !res.data.nextCursor });
    },
  },
});
