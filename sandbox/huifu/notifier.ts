import { randomUUID } from 'node:crypto';
import { NotificationPoster } from '../common/notify-post';
import { DeliveryRounds } from '../common/delivery-rounds';
import type { Faults } from '../gateway/faults';
import { signText } from './envelope';
import type { HuifuState, NotificationKind, NotificationRecord } from './state';

/**
 * Huifu's asynchronous notifications to a merchant's `notify_url`:
 * - a form POST (UTF-8) of `resp_code`, `resp_desc`, `sign`, `resp_data`, where `resp_data` is the
 *   business JSON as a string and `sign` is Huifu's SHA256withRSA over that string exactly
 *   (dg-payment-skills huifu-pay-integration/references/aggregation-async-webhook.md and
 *   shared-signing-v2.md "异步回调验签: 不需要重新排序, 直接对回调里的原始业务数据体验签");
 *   the outer `resp_code` is the gateway's, "10000" / "成功调用" in the published sample;
 * - delivered when the answer is HTTP 2xx AND its body is `RECV_ORD_ID_` + the `req_seq_id` in
 *   `resp_data` (shared-async-notify.md "如果没有按这个格式回包，汇付会继续重试"; seed 002 only
 *   says "返回状态码200"); redirects are not followed (seed: "不支持HTTP重定向");
 * - 5 s timeout, then up to 3 retries (seed 002 §3.3.4; shared-async-notify.md "默认超时 5 秒,
 *   失败重试最多 3 次"): 4 attempts in all. The interval between attempts is not published:
 *   RETRY_DELAY_MS (a sandbox choice), divided by the time scale.
 */

export const NOTIFY_TIMEOUT_MS = 5000;
export const MAX_RETRIES = 3;
export const MAX_ATTEMPTS = 1 + MAX_RETRIES;
export const RETRY_DELAY_MS = 5000;
export const GATEWAY_RESP_CODE = '10000';
export const GATEWAY_RESP_DESC = '成功调用';
/** Reply bytes kept (the acknowledgement is short; a page-sized reply is cut). */
const REPLY_LIMIT_BYTES = 4096;

export interface NotificationInput {
  kind: NotificationKind;
  url: string;
  respData: Record<string, unknown>;
  /** Called once the first delivery attempt is over (or at once when the notification is dropped). */
  afterFirstAttempt?: () => void;
}

export interface NotifierDeps {
  state: HuifuState;
  huifuPrivateKeyPem: () => string;
  faults: Faults;
  timeScale: number;
  log: (line: string) => void;
}

export class HuifuNotifier {
  private readonly poster = new NotificationPoster();
  private readonly rounds: DeliveryRounds<NotificationRecord>;
  private readonly firstAttemptHooks = new Map<string, () => void>();
  private closed = false;

  constructor(private readonly deps: NotifierDeps) {
    this.rounds = new DeliveryRounds<NotificationRecord>({
      // A faulted record's corruption applies to its first round only.
      post: (record, round) => this.post(record, round, round === 1 && record.corruption !== undefined),
      retryDelayMs: (_record, round) => (round >= MAX_ATTEMPTS ? undefined : RETRY_DELAY_MS / deps.timeScale),
      gaveUp: (record, round) => deps.log(`huifu notify ${record.id} ${record.kind} gave up after ${round} attempts`),
      afterRound: (record) => {
        deps.state.changed();
        const hook = this.firstAttemptHooks.get(record.id);
        if (hook) {
          this.firstAttemptHooks.delete(record.id);
          hook();
        }
      },
    });
  }

  send(input: NotificationInput): NotificationRecord {
    const respData = JSON.stringify(input.respData);
    const record: NotificationRecord = {
      id: randomUUID(),
      kind: input.kind,
      url: input.url,
      reqSeqId: String(input.respData.req_seq_id ?? ''),
      createdAt: new Date().toISOString(),
      respCode: GATEWAY_RESP_CODE,
      respDesc: GATEWAY_RESP_DESC,
      respData,
      status: 'pending',
      rounds: 0,
      attempts: [],
    };
    this.deps.state.data.notifications.push(record);
    this.deps.state.changed();
    const fault = this.deps.faults.takeNotification(input.kind);
    if (fault?.effect === 'drop') {
      record.status = 'dropped';
      this.deps.log(`huifu notify ${record.id} ${record.kind} dropped by fault`);
      input.afterFirstAttempt?.();
      return record;
    }
    if (input.afterFirstAttempt) this.firstAttemptHooks.set(record.id, input.afterFirstAttempt);
    this.rounds.start(record, fault);
    return record;
  }

  /** A reset: retries still scheduled are dropped (their records are being forgotten). */
  cancelScheduled(): void {
    this.rounds.cancelScheduled();
  }

  /** After a restart: notifications still being retried go on. */
  resume(): void {
    this.rounds.resume(this.deps.state.data.notifications);
  }

  close(): void {
    this.closed = true;
    this.rounds.close();
    this.poster.abortAll();
  }

  /** The form body of one attempt: freshly signed over `respData` (or corrupted by a fault). */
  formOf(record: NotificationRecord, corrupt: boolean): string {
    const key = this.deps.huifuPrivateKeyPem();
    const sign = signText(corrupt ? record.respData + ' ' : record.respData, key);
    return new URLSearchParams({ resp_code: record.respCode, resp_desc: record.respDesc, sign, resp_data: record.respData }).toString();
  }

  private async post(record: NotificationRecord, round: number, corrupt: boolean): Promise<boolean> {
    const started = Date.now();
    const body = this.formOf(record, corrupt);
    const expected = `RECV_ORD_ID_${record.reqSeqId}`;
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) };
    const { statusCode, reply, error } = await this.poster.post(record.url, body, headers, NOTIFY_TIMEOUT_MS, REPLY_LIMIT_BYTES);
    if (this.closed) return false;
    const twoHundreds = statusCode !== undefined && statusCode >= 200 && statusCode < 300;
    const ok = twoHundreds && reply?.trim() === expected;
    record.attempts.push({
      round,
      at: new Date(started).toISOString(),
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(reply !== undefined ? { reply: reply.trim().slice(0, 200) } : {}),
      ...(error ? { error } : twoHundreds && !ok ? { error: `reply is not ${expected}` } : {}),
      durationMs: Date.now() - started,
      ...(corrupt ? { fault: 'corrupt:signature' } : {}),
      ok,
    });
    this.deps.log(`huifu notify ${record.id} ${record.kind} #${round} → ${record.url}: ${statusCode ?? error}${ok ? '' : ' (not delivered)'}`);
    return ok;
  }
}
