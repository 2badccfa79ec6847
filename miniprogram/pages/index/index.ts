import { call } from '../../services/api';
import { env } from '../../services/env';
import { describeError, showError } from '../../services/feedback';
import { maskOpenid } from './mask';

interface Entry {
  name: string;
  title: string;
  label: string;
  url: string;
  coming: boolean;
}

const ENTRIES: Entry[] = [
  { name: 'checkout', title: '付款', label: '输入金额，微信支付', url: '/pages/checkout/index', coming: false },
  { name: 'orders', title: '我的订单', label: '查看支付结果、退款', url: '/pages/orders/index', coming: false },
  { name: 'payee', title: '收款', label: '开通个人收款，分享收款码', url: '/pages/payee/index', coming: false },
  { name: 'payscore', title: '支付分', label: '先享后付：充电宝租借', url: '/pages/payscore/index', coming: false },
];

type LoadState = 'loading' | 'ready' | 'error';

/** Home: logs in (openid from the platform), then offers the other pages. */
Component({
  data: {
    state: 'loading' as LoadState,
    maskedOpenid: '',
    errorMessage: '',
    errorCode: '',
    merchantName: env.merchantName,
    transport: env.transport,
    entries: ENTRIES,
    /** Merchant admins (config `admins`) also get the console; the server enforces it either way. */
    isAdmin: false,
  },
  methods: {
    onLoad() {
      void this.load();
    },
    onRetry() {
      void this.load();
    },
    async load() {
      this.setData({ state: 'loading', errorMessage: '', errorCode: '' });
      const result = await call('login', {});
      if (result.ok) {
        // Whether to offer the merchant console, asked before the page settles (one round trip) so
        // no call is left in flight; a failed check only hides the entry, it never blocks the page.
        const status = await call('admin.status', {});
        this.setData({ state: 'ready', maskedOpenid: maskOpenid(result.data.openid), isAdmin: status.ok && status.data.admin });
        return;
      }
      this.setData({ state: 'error', errorMessage: describeError(result), errorCode: result.code });
      showError(this, result);
    },
  },
});
