/**
 * The user's own orders (`pay.list`), newest first, a page at a time: reaching the bottom loads
 * the next page with `nextCursor`, pulling down reloads from the top (utils/paged-list.ts: a
 * reload makes any page still in flight from before it stale, so an old answer never lands).
 */
import type { OrderView } from '../../../typings/api';
import { call } from '../../services/api';
import { componentWithFields } from '../../utils/component';
import { pagedList, type PagedList } from '../../utils/paged-list';

const ORDERS_PAGE_SIZE = 10;
const RESULT_PAGE = '/pages/result/index';

interface OrdersFields {
  orderList?: PagedList;
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
      void this.list().reload();
    },

    async onPullDownRefresh() {
      await this.list().reload();
      wx.stopPullDownRefresh();
    },

    onReachBottom() {
      void this.list().loadMore();
    },

    onRetry() {
      void this.list().retry();
    },

    onSelect(event: WechatMiniprogram.CustomEvent<{ outTradeNo: string }>) {
      wx.navigateTo({ url: `${RESULT_PAGE}?outTradeNo=${encodeURIComponent(event.detail.outTradeNo)}` });
    },

    /** The paging of `pay.list`, made on first use. */
    list(): PagedList {
      this.orderList ??= pagedList<OrderView>({
        fetch: async (cursor) => {
          const res = await call('pay.list', { pageSize: ORDERS_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
          return res.ok ? { ok: true, data: { items: res.data.orders, nextCursor: res.data.nextCursor } } : res;
        },
        shown: () => this.data.orders as OrderView[],
        show: ({ items, failure: _failure, ...rest }) => this.setData({ ...rest, ...(items ? { orders: items } : {}) }),
      });
      return this.orderList;
    },
  },
});
