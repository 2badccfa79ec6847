/**
 * Alerts for an admin (`pay.alerts`, newest first, paged): money on closed orders, payments that
 * could not be recorded, refunds that need a person. Each can be acknowledged once
 * (`admin.acknowledgeAlert`, compare-and-set on the server: a second admin sees the first one's
 * stamp); tapping an alert opens its order.
 */
import type { AlertView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../services/feedback';
import { ALERT_KIND_LABEL, formatChinaDateTime } from '../admin-view';
import { componentWithFields } from '../../../utils/component';
import { formatFen } from '../../../utils/money';
import { pagedList, type PagedList } from '../../../utils/paged-list';

const PAGE_SIZE = 20;

interface AlertRow {
  id: string;
  outTradeNo: string;
  kindLabel: string;
  message: string;
  createdAt: string;
  amount: string;
  acknowledged: boolean;
  acknowledgedAt: string;
}

function row(alert: AlertView): AlertRow {
  return {
    id: alert.id,
    outTradeNo: alert.outTradeNo,
    kindLabel: ALERT_KIND_LABEL[alert.kind] ?? alert.kind,
    message: alert.message,
    createdAt: formatChinaDateTime(alert.createdAt),
    amount: alert.amount !== undefined ? formatFen(alert.amount) : '',
    acknowledged: alert.acknowledgedAt !== undefined,
    acknowledgedAt: alert.acknowledgedAt ? formatChinaDateTime(alert.acknowledgedAt) : '',
  };
}

interface Fields {
  alertList?: PagedList;
  acknowledging?: Set<string>;
}

componentWithFields<Fields>()({
  data: {
    alerts: [] as AlertRow[],
    loading: false,
    finished: false,
    error: '',
    forbidden: false,
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
    onOpen(event: WechatMiniprogram.BaseEvent<Record<string, never>, { outTradeNo: string }>) {
      wx.navigateTo({ url: `/pages/admin/order/index?outTradeNo=${encodeURIComponent(event.currentTarget.dataset.outTradeNo)}` });
    },

    async onAcknowledge(event: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = event.currentTarget.dataset.id;
      this.acknowledging ??= new Set();
      if (!id || this.acknowledging.has(id)) return;
      this.acknowledging.add(id);
      const res = await call('admin.acknowledgeAlert', { id });
      this.acknowledging.delete(id);
      if (!res.ok) {
        showError(this, res);
        return;
      }
      // Shows the stamp that won, whoever set it.
      const alerts = (this.data.alerts as AlertRow[]).map((a) => (a.id === id ? row(res.data.alert) : a));
      this.setData({ alerts });
    },

    /** The paging of `pay.alerts` (utils/paged-list.ts), made on first use. */
    list(): PagedList {
      this.alertList ??= pagedList<AlertRow>({
        fetch: async (cursor) => {
          const res = await call('pay.alerts', { pageSize: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
          return res.ok ? { ok: true, data: { items: res.data.alerts.map(row), nextCursor: res.data.nextCursor } } : res;
        },
        shown: () => this.data.alerts as AlertRow[],
        show: ({ items, failure, ...rest }) => this.setData({ ...rest, ...(items ? { alerts: items } : {}), forbidden: failure?.code === 'FORBIDDEN' }),
      });
      return this.alertList;
    },
  },
});
