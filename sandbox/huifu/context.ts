import type { RequestLog } from '../common/request-log';
import type { Faults } from '../gateway/faults';
import type { Clock } from './clock';
import type { HuifuKeys } from './keys';
import type { HuifuNotifier } from './notifier';
import type { HuifuState } from './state';

/** What every Huifu sandbox module needs. */
export interface HuifuContext {
  keys: HuifuKeys;
  state: HuifuState;
  clock: Clock;
  notifier: HuifuNotifier;
  faults: Faults;
  /** `POST /sandbox/admin/reset`: every trade, refund, notification, fault and pending timer forgotten; keys kept. */
  reset(): void;
  /** Notification retry and refund delays are divided by this. */
  timeScale: number;
  /** Mini-program appids configured for the merchant at Huifu (`sub_appid` must be one). */
  appids: string[];
  /** Seed 002 / trade-close.md: no close within this long after the order (published: 1 minute). */
  minCloseIntervalMs: number;
  /** Fee rate in basis points of the trade amount (sandbox choice, see fees.ts). */
  feeRateBp: number;
  /** How long a refund stays P before it turns final (wall clock, ÷ timeScale). */
  refundDelayMs: number;
  /** The gateway's own base URL (download links). */
  baseUrl(): string;
  log: (line: string) => void;
  /** Timers owned by the gateway, cleared on close. */
  later(fn: () => void, delayMs: number): void;
  /** The calls answered, for the WeChat sandbox console's timelines (console-feed.ts). */
  requests: RequestLog;
}
