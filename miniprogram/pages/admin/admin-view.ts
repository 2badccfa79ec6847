/**
 * How the merchant console reads: times in China time (the merchant's, whatever the phone's zone),
 * the filter choices, alert and audit wording.
 */
import type { AlertKind, LivePayChannel, OrderState } from '../../../typings/api';
import { stateView } from '../../utils/order-view';

const CHINA_OFFSET_MS = 8 * 3600_000;
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** ISO 8601 → 'YYYY-MM-DD HH:mm:ss' in China time (UTC+8, no daylight saving). */
export function formatChinaDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${chinaDateOf(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** ms epoch → 'YYYY-MM-DD', the China-time day (what `admin.orders` date filters take). */
export function chinaDateOf(ms: number): string {
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export interface Choice<T> {
  value: T | '';
  label: string;
}

const STATES: OrderState[] = ['CREATED', 'PAYING', 'PAID', 'REFUNDING', 'REFUNDED', 'CLOSED', 'FAILED'];
/** CREATED and PAYING both read 待支付 to a payer; the console tells them apart. */
const CONSOLE_STATE_LABEL: Partial<Record<OrderState, string>> = { CREATED: '已创建', PAYING: '待支付' };

export const STATE_CHOICES: Choice<OrderState>[] = [{ value: '', label: '全部状态' }, ...STATES.map((s) => ({ value: s, label: CONSOLE_STATE_LABEL[s] ?? stateView(s).label }))];

/** Every live channel's label: typed by the pay schema's live list, so a new channel fails the build until it has one. */
const CHANNEL_LABEL: Record<LivePayChannel, string> = {
  jsapi: 'JSAPI 支付',
  combine: '个人收款(合单)',
  v2: 'APIv2 小程序支付',
  v2app: 'APIv2 APP 支付',
  huifu: '汇付斗拱',
};

/** The channels a merchant can take money with, for the orders filter. */
export const CHANNEL_CHOICES: Choice<LivePayChannel>[] = [
  { value: '', label: '全部渠道' },
  ...(Object.keys(CHANNEL_LABEL) as LivePayChannel[]).map((value) => ({ value, label: CHANNEL_LABEL[value] })),
];

export const ALERT_KIND_LABEL: Record<AlertKind, string> = {
  PAID_AFTER_CLOSE: '关单后到账（已自动退款）',
  PAYMENT_NOT_APPLIED: '到账未能入账',
  REFUND_ABNORMAL: '退款异常',
  REFUND_CLOSED: '退款已关闭',
  REFUND_REJECTED: '退款被拒绝',
  REFUND_BALANCE_INSUFFICIENT: '可退余额不足',
  BOOKING_FAILED: '汇付入账失败',
  RECONCILIATION_MISMATCH: '对账不符',
};

export const ACTOR_LABEL: Record<string, string> = { notify: '支付通知', query: '主动查询', reconcile: '定时对账', user: '用户', admin: '管理员' };
