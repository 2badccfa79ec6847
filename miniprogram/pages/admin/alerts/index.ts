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
import { messageForCode } from '../../../utils/error-messages';
import { formatFen } from '../../../utils/money';

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
  cursor?: string;
  generation?: number;
  inFlight?: boolean;
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
      void ((this.data.alerts as AlertRow[]).length === 0 ? this.reload() : this.loadMore());
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
      const res = await call('pay.alerts', { pageSize: PAGE_SIZE, ...(!fromTop && this.cursor ? { cursor: this.cursor } : {}) });
      if (generation !== this.generation) return;
      this.inFlight = false;
      if (!res.ok) {
        this.setData({ loading: false, error: messageForCode(res.code), forbidden: res.code === 'FORBIDDEN' });
        return;
      }
      this.cursor = res.data.nextCursor;
      const rows = res.data.alerts.map(row);
      this.setData({ alerts: fromTop ? rows : [...(this.data.alerts as AlertRow[]), ...rows], loading: false, finished: !res.data.nextCursor });
    },
  },
});
