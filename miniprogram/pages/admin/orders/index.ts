/**
 * Every payer's orders for an admin (`admin.orders`), newest first, a page at a time, narrowed by
 * state, channel and a creation date range (China-time days). Changing a filter reloads from the
 * top; an answer for an older filter set or page generation is dropped, never shown.
 */
import type { AdminOrdersRequest, OrderView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { CHANNEL_CHOICES, STATE_CHOICES } from '../admin-view';
import { componentWithFields } from '../../../utils/component';
import { pagedList, type PagedList } from '../../../utils/paged-list';

const PAGE_SIZE = 20;
const DETAIL_PAGE = '/pages/admin/order/index';

interface Fields {
  orderList?: PagedList;
}

componentWithFields<Fields>()({
  data: {
    orders: [] as OrderView[],
    loading: false,
    finished: false,
    error: '',
    forbidden: false,
    stateLabels: STATE_CHOICES.map((c) => c.label),
    channelLabels: CHANNEL_CHOICES.map((c) => c.label),
    stateIndex: 0,
    channelIndex: 0,
    createdFrom: '',
    createdTo: '',
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
      void this.list().loadMore();
    },
    onRetry() {
      void this.list().retry();
    },
    onStateChange(event: WechatMiniprogram.PickerChange) {
      this.setData({ stateIndex: Number(event.detail.value) });
      void this.reload();
    },
    onChannelChange(event: WechatMiniprogram.PickerChange) {
      this.setData({ channelIndex: Number(event.detail.value) });
      void this.reload();
    },
    onFromChange(event: WechatMiniprogram.PickerChange) {
      this.setData({ createdFrom: String(event.detail.value) });
      void this.reload();
    },
    onToChange(event: WechatMiniprogram.PickerChange) {
      this.setData({ createdTo: String(event.detail.value) });
      void this.reload();
    },
    onClearDates() {
      this.setData({ createdFrom: '', createdTo: '' });
      void this.reload();
    },
    onSelect(event: WechatMiniprogram.CustomEvent<{ outTradeNo: string }>) {
      wx.navigateTo({ url: `${DETAIL_PAGE}?outTradeNo=${encodeURIComponent(event.detail.outTradeNo)}` });
    },

    /** The filters as the server takes them (empty choices left out). */
    filters(): AdminOrdersRequest {
      const request: AdminOrdersRequest = {};
      const state = STATE_CHOICES[this.data.stateIndex as number]?.value;
      const channel = CHANNEL_CHOICES[this.data.channelIndex as number]?.value;
      if (state) request.state = state;
      if (channel) request.channel = channel;
      if (this.data.createdFrom) request.createdFrom = this.data.createdFrom as string;
      if (this.data.createdTo) request.createdTo = this.data.createdTo as string;
      return request;
    },

    reload(): Promise<void> {
      return this.list().reload();
    },

    /** The paging of `admin.orders` under the filters of the moment, made on first use. */
    list(): PagedList {
      this.orderList ??= pagedList<OrderView>({
        fetch: async (cursor) => {
          const res = await call('admin.orders', { ...this.filters(), pageSize: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
          return res.ok ? { ok: true, data: { items: res.data.orders, nextCursor: res.data.nextCursor } } : res;
        },
        shown: () => this.data.orders as OrderView[],
        show: ({ items, failure, ...rest }) => this.setData({ ...rest, ...(items ? { orders: items } : {}), forbidden: failure?.code === 'FORBIDDEN' }),
        // A filter changed: rows of the old filters must not stay on screen while the new ones load.
        clearOnReload: true,
      });
      return this.orderList;
    },
  },
});
