import { adminCaller } from '../admin';
import type { NotificationRecord } from '../state';
import type { ConfirmDecision } from './confirm-page';
import type { PayScoreIdentity } from './identity';
import type { ClearingOutcome, PayScoreOrderRecord, PayScoreState } from './records';

/** A typed client of the PayScore admin API and confirmation page (plain HTTP; curl works too). */
export interface PayScoreAdmin {
  overview(): Promise<{ identity: PayScoreIdentity; clock: { offsetMs: number; now: number }; clearingScript: ClearingOutcome[]; orders: PayScoreOrderRecord[] }>;
  identity(): Promise<PayScoreIdentity>;
  order(outOrderNo: string): Promise<{ order: PayScoreOrderRecord; notifications: NotificationRecord[] }>;
  /** What the confirmation page does when the user taps a button (by `package`). */
  decide(pkg: string, decision: ConfirmDecision, openid?: string): Promise<ConfirmResult>;
  confirm(outOrderNo: string, openid?: string): Promise<ConfirmResult>;
  refuse(outOrderNo: string): Promise<ConfirmResult>;
  collect(outOrderNo: string, outcome: 'succeed' | 'fail'): Promise<{ out_trade_no: string; outcome: string; state: PayScoreState }>;
  scriptClearing(outcomes: ClearingOutcome[]): Promise<{ clearingScript: ClearingOutcome[] }>;
  advanceClock(advanceMs: number): Promise<{ offsetMs: number; now: number }>;
}

export interface ConfirmResult {
  out_order_no: string;
  query_id: string;
  state: PayScoreState;
  state_description?: string;
}

export function createPayScoreAdmin(baseUrl: string): PayScoreAdmin {
  const call = adminCaller(baseUrl);
  const seg = encodeURIComponent;
  const base = '/sandbox/admin/payscore';
  const overview: PayScoreAdmin['overview'] = () => call('GET', base);
  return {
    overview,
    identity: async () => (await overview()).identity,
    order: (no) => call('GET', `${base}/orders/${seg(no)}`),
    decide: (pkg, decision, openid) => call('POST', '/sandbox/payscore/confirm', { package: pkg, decision, ...(openid !== undefined ? { openid } : {}) }),
    confirm: (no, openid) => call('POST', `${base}/orders/${seg(no)}/confirm`, openid === undefined ? {} : { openid }),
    refuse: (no) => call('POST', `${base}/orders/${seg(no)}/refuse`, {}),
    collect: (no, outcome) => call('POST', `${base}/orders/${seg(no)}/collect`, { outcome }),
    scriptClearing: (outcomes) => call('POST', `${base}/clearing`, { outcomes }),
    advanceClock: (advanceMs) => call('POST', `${base}/clock`, { advanceMs }),
  };
}
