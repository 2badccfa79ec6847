/**
 * The merchant console's home: today's and this month's takings in China time (`admin.totals`),
 * and the way to every order and to the alerts. A caller who is not an admin sees "no access":
 * the server refuses them whatever this page shows.
 */
import type { PeriodTotals } from '../../../../typings/api';
import { call } from '../../../services/api';
import { messageForCode } from '../../../utils/error-messages';
import { formatFen } from '../../../utils/money';

type Phase = 'loading' | 'ready' | 'forbidden' | 'error';

interface TotalsView {
  payments: string;
  paymentsCount: number;
  refunds: string;
  refundsCount: number;
  net: string;
}

function totalsView(period: PeriodTotals): TotalsView {
  return {
    payments: formatFen(period.payments.amount),
    paymentsCount: period.payments.count,
    refunds: formatFen(period.refunds.amount),
    refundsCount: period.refunds.count,
    net: formatFen(period.net),
  };
}

Component({
  data: {
    phase: 'loading' as Phase,
    error: '',
    today: null as TotalsView | null,
    month: null as TotalsView | null,
  },
  methods: {
    onLoad() {
      void this.load();
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onRetry() {
      void this.load();
    },
    async load() {
      this.setData({ phase: 'loading', error: '' });
      const res = await call('admin.totals', {});
      if (!res.ok) {
        this.setData({ phase: res.code === 'FORBIDDEN' ? 'forbidden' : 'error', error: messageForCode(res.code) });
        return;
      }
      this.setData({ phase: 'ready', today: totalsView(res.data.today), month: totalsView(res.data.month) });
    },
  },
});
