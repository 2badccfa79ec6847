/**
 * Every payer's orders for an admin (`admin.orders`), newest first, a page at a time, narrowed by
 * state, channel and a creation date range (China-time days). Changing a filter reloads from the
 * top; an answer for an older filter set or page generation is dropped, never shown.
 */
import type { AdminOrdersRequest, OrderView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { CHANNEL_CHOICES, STATE_CHOICES } from '../admin-view';
import { componentWithFields } from '../../../utils/component';
import { messageForCode } from '../../../utils/error-messages';

const PAGE_SIZE = 20;
const DETAIL_PAGE = '/pages/admin/order/index';

interface Fields {
  cursor?: string;
  generation?: number;
  inFlight?: boolean;
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
      void this.loadMore();
    },
    onRetry() {
      void ((this.data.orders as OrderView[]).length === 0 ? this.reload() : this.loadMore());
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
      this.setData({ loading: true, error: '', ...(fromTop ? { orders: [], finished: false } : {}) });
      const request: AdminOrdersRequest = { ...this.filters(), pageSize: PAGE_SIZE };
      if (!fromTop && this.cursor) request.cursor = this.cursor;
      const res = await call('admin.orders', request);
      if (generation !== this.generation) return; // filters changed or a reload started meanwhile
      this.inFlight = false;
      if (!res.ok) {
        this.setData({ loading: false, error: messageForCode(res.code), forbidden: res.code === 'FORBIDDEN' });
        return;
      }
      this.cursor = res.data.nextCursor;
      const orders = fromTop ? res.data.orders : [...(this.data.orders as OrderView[]), ...res.data.orders];
      this.setData({ orders, loading: false, finished: !res.data.nextCursor });
    },
  },
});
