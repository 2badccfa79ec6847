/** How an order's state reads on screen: a label and a Vant tag type. */
import type { OrderState } from '../../typings/api';

export type TagType = 'primary' | 'success' | 'danger' | 'warning' | 'default';

const STATE_VIEW: Record<OrderState, { label: string; tag: TagType }> = {
  CREATED: { label: '待支付', tag: 'warning' },
  PAYING: { label: '待支付', tag: 'warning' },
  PAID: { label: '已支付', tag: 'success' },
  CLOSED: { label: '已关闭', tag: 'default' },
  FAILED: { label: '支付失败', tag: 'danger' },
  REFUNDING: { label: '退款中', tag: 'primary' },
  REFUNDED: { label: '已退款', tag: 'default' },
};

export function stateView(state: OrderState): { label: string; tag: TagType } {
  return STATE_VIEW[state] ?? { label: state, tag: 'default' };
}

/** States after which the server's answer will not change by waiting (refunds are a later, separate step). */
export function isSettled(state: OrderState): boolean {
  return state === 'PAID' || state === 'CLOSED' || state === 'FAILED' || state === 'REFUNDING' || state === 'REFUNDED';
}

/** ISO 8601 → 'YYYY-MM-DD HH:mm' in the phone's time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
