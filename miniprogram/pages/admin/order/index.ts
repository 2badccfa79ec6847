/**
 * One order for an admin (`admin.order`): its facts, audit trail, refunds and notifications, and
 * the two money buttons — refund (full or partial, with a reason) through `pay.refund` and close
 * through `pay.close` — each behind a confirmation dialog. A refund attempt keeps its idempotency
 * key until it is answered, so a retry after a lost answer resumes the same refund instead of
 * starting a second one; the server re-checks the admin and the refundable amount regardless.
 */
import type { AdminOrderDetail, ApiError, RefundView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { confirm, showError, showToast } from '../../../services/feedback';
import { ACTOR_LABEL, formatChinaDateTime } from '../admin-view';
import { componentWithFields } from '../../../utils/component';
import { messageForCode } from '../../../utils/error-messages';
import { newIdempotencyKey } from '../../../utils/idempotency';
import { fenToYuan, formatFen, yuanTextToFen } from '../../../utils/money';
import { stateView } from '../../../utils/order-view';

type Phase = 'loading' | 'ready' | 'forbidden' | 'notFound' | 'error';

const REFUND_STATE_LABEL: Record<RefundView['state'], string> = { PROCESSING: '退款中', SUCCESS: '退款成功', ABNORMAL: '退款异常', CLOSED: '退款关闭' };

interface Fields {
  outTradeNo?: string;
  busy?: boolean;
  /** The refund being asked for and its key: reused while amount and reason stay the same. */
  refundAttempt?: { fingerprint: string; idempotencyKey: string };
}

function detailView(detail: AdminOrderDetail) {
  const { order } = detail;
  const state = stateView(order.state);
  return {
    outTradeNo: order.outTradeNo,
    amount: formatFen(order.amount),
    amountFen: order.amount,
    refunded: formatFen(order.refundedAmount),
    refundable: formatFen(detail.refundable),
    refundableFen: detail.refundable,
    closable: detail.closable,
    state: order.state,
    stateLabel: state.label,
    tagType: state.tag,
    channel: order.channel,
    description: order.description,
    createdAt: formatChinaDateTime(order.createdAt),
    paidAt: order.paidAt ? formatChinaDateTime(order.paidAt) : '',
    transactionId: order.transactionId ?? '',
    reason: order.reason ?? '',
    payee: order.payee?.displayName ?? '',
    audit: detail.audit.map((entry) => ({
      at: formatChinaDateTime(entry.at),
      change: `${entry.from ?? '—'} → ${entry.to}`,
      event: entry.event,
      actor: ACTOR_LABEL[entry.actor] ?? entry.actor,
      detail: Object.entries(entry.detail)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    })),
    refunds: detail.refunds.map((r) => ({
      outRefundNo: r.outRefundNo,
      amount: formatFen(r.amount),
      stateLabel: REFUND_STATE_LABEL[r.state] ?? r.state,
      createdAt: formatChinaDateTime(r.createdAt),
      reason: r.reason ?? '',
    })),
    notifications: detail.notifications.map((n) => ({ id: n.id, eventType: n.eventType, receivedAt: formatChinaDateTime(n.receivedAt) })),
  };
}

componentWithFields<Fields>()({
  data: {
    phase: 'loading' as Phase,
    error: '',
    order: null as ReturnType<typeof detailView> | null,
    refundYuan: '',
    refundReason: '',
    formError: '',
    refunding: false,
    closing: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.outTradeNo = query.outTradeNo ? decodeURIComponent(query.outTradeNo) : '';
      void this.load();
    },
    onRetry() {
      void this.load();
    },
    async load() {
      if (!this.outTradeNo) {
        this.setData({ phase: 'notFound', error: messageForCode('NOT_FOUND') });
        return;
      }
      if (!this.data.order) this.setData({ phase: 'loading', error: '' });
      const res = await call('admin.order', { outTradeNo: this.outTradeNo });
      if (!res.ok) {
        const phase: Phase = res.code === 'FORBIDDEN' ? 'forbidden' : res.code === 'NOT_FOUND' ? 'notFound' : 'error';
        this.setData({ phase, error: messageForCode(res.code) });
        return;
      }
      const order = detailView(res.data);
      // The form starts at a full refund of what is left.
      this.setData({ phase: 'ready', order, refundYuan: order.refundableFen > 0 ? fenToYuan(order.refundableFen) : '', formError: '' });
    },

    onAmountInput(event: { detail: unknown }) {
      this.setData({ refundYuan: String(event.detail ?? ''), formError: '' });
    },
    onReasonInput(event: { detail: unknown }) {
      this.setData({ refundReason: String(event.detail ?? ''), formError: '' });
    },

    async onRefund() {
      const order = this.data.order as ReturnType<typeof detailView> | null;
      if (!order || this.busy) return;
      const amount = yuanTextToFen(String(this.data.refundYuan).trim());
      if (amount === null || amount <= 0) {
        this.setData({ formError: '请输入退款金额（元，最多两位小数）' });
        return;
      }
      if (amount > order.refundableFen) {
        this.setData({ formError: `退款金额不能超过可退金额 ${order.refundable}` });
        return;
      }
      const reason = String(this.data.refundReason).trim();
      const kind = amount === order.amountFen ? '全额退款' : '部分退款';
      const agreed = await confirm(this, {
        title: `确认${kind}`,
        message: `向付款人退款 ${formatFen(amount)}${reason ? `，原因：${reason}` : ''}。退款提交后不能撤回。`,
        confirmText: '确认退款',
      });
      if (!agreed) return;
      const fingerprint = `${amount}|${reason}`;
      if (this.refundAttempt?.fingerprint !== fingerprint) this.refundAttempt = { fingerprint, idempotencyKey: newIdempotencyKey() };
      this.busy = true;
      this.setData({ refunding: true, formError: '' });
      const res = await call('pay.refund', { outTradeNo: order.outTradeNo, amount, idempotencyKey: this.refundAttempt.idempotencyKey, ...(reason ? { reason } : {}) });
      this.busy = false;
      this.setData({ refunding: false });
      if (!res.ok) {
        // The key is kept: retrying the same refund resumes it.
        this.failed(res);
        return;
      }
      this.refundAttempt = undefined;
      this.setData({ refundReason: '' });
      showToast(this, res.data.refund.state === 'SUCCESS' ? '退款成功' : '退款已提交', 'success');
      await this.load();
    },

    async onClose() {
      const order = this.data.order as ReturnType<typeof detailView> | null;
      if (!order || this.busy) return;
      const agreed = await confirm(this, { title: '确认关闭订单', message: `关闭订单 ${order.outTradeNo}（${order.amount}）后，付款人将无法再支付。`, confirmText: '关闭订单' });
      if (!agreed) return;
      this.busy = true;
      this.setData({ closing: true, formError: '' });
      const res = await call('pay.close', { outTradeNo: order.outTradeNo });
      this.busy = false;
      this.setData({ closing: false });
      if (!res.ok) {
        this.failed(res);
        return;
      }
      showToast(this, '订单已关闭', 'success');
      await this.load();
    },

    failed(error: ApiError) {
      this.setData({ formError: messageForCode(error.code) });
      showError(this, error);
    },
  },
});
