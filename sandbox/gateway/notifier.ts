import { randomUUID } from 'node:crypto';
import { NotificationPoster } from '../common/notify-post';
import { DeliveryRounds } from '../common/delivery-rounds';
import { encryptAes256Gcm, randomAlnum, responseMessage, signSha256Rsa, type PlatformSigner } from './crypto';
import type { Corruption, Faults } from './faults';
import type { GatewayState, NotificationRecord } from './state';
import { rfc3339China } from './time';

/**
 * Posts encrypted, signed notifications to merchants with WeChat Pay's retry schedule: a reply
 * other than 200/204, a timeout (5 s) or a connection error is retried after
 * 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (16 attempts in all), every delay divided
 * by the time scale. Every attempt is logged in the state for the admin API. Other formats (APIv2
 * XML, `v2/notify.ts`) register how an attempt is posted and what reply acknowledges it.
 */

export const RETRY_DELAYS_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_S.length + 1;
export const NOTIFY_TIMEOUT_MS = 5000;
/** How much of a merchant's reply an attempt keeps. */
const MAX_REPLY_KEPT = 500;
/** A stale timestamp corruption sits just outside the 300 s window. */
const STALE_BY_S = 310;

export interface NotificationInput {
  eventType: string;
  summary: string;
  /** `transaction` or `refund`: also the AEAD associated data, as real. */
  originalType: string;
  resource: unknown;
  url: string;
  subject: string;
  /** Another product's retry schedule (e.g. PayScore's); default RETRY_DELAYS_S. */
  retryDelaysS?: readonly number[];
  /** Another product's reply window; default NOTIFY_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface NotifierDeps {
  state: GatewayState;
  apiV3Key: string;
  signer: () => PlatformSigner;
  faults: Faults;
  timeScale: number;
  log: (line: string) => void;
}

/** A notification format other than APIv3's, registered by name (`NotificationRecord.format`). */
export interface NotificationFormat {
  /** The body and headers of one attempt; `corruption` is set on a faulted first round only. */
  request(record: NotificationRecord, corruption: Corruption | undefined): { body: string; headers: Record<string, string | number> };
  /** Whether the merchant's answer acknowledges the notification. */
  delivered(statusCode: number, body: string): boolean;
}

export class Notifier {
  private readonly formats = new Map<string, NotificationFormat>();
  private readonly poster = new NotificationPoster();
  private readonly rounds: DeliveryRounds<NotificationRecord>;
  private closed = false;

  constructor(private readonly deps: NotifierDeps) {
    this.rounds = new DeliveryRounds<NotificationRecord>({
      // A faulted record's corruption applies to its first round only.
      post: (record, round) => this.post(record, round, round === 1 ? (record.corruption as Corruption | undefined) : undefined),
      retryDelayMs: (record, round) => {
        const delaysS = record.retryDelaysS ?? RETRY_DELAYS_S;
        return round >= delaysS.length + 1 ? undefined : (delaysS[round - 1]! * 1000) / deps.timeScale;
      },
      gaveUp: (record, round) => deps.log(`notify ${record.id} ${record.eventType} gave up after ${round} attempts`),
      afterRound: () => deps.state.changed(),
    });
  }

  /** Builds, records and schedules one notification (subject to notification faults). */
  send(input: NotificationInput): NotificationRecord {
    const nonce = randomAlnum(12);
    const payload = {
      id: randomUUID(),
      create_time: rfc3339China(),
      resource_type: 'encrypt-resource',
      event_type: input.eventType,
      summary: input.summary,
      resource: {
        original_type: input.originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptAes256Gcm(JSON.stringify(input.resource), this.deps.apiV3Key, nonce, input.originalType),
        associated_data: input.originalType,
        nonce,
      },
    };
    return this.enqueue({
      id: payload.id,
      eventType: input.eventType,
      url: input.url,
      subject: input.subject,
      createdAt: payload.create_time,
      body: JSON.stringify(payload),
      status: 'pending',
      rounds: 0,
      attempts: [],
      ...(input.retryDelaysS ? { retryDelaysS: [...input.retryDelaysS] } : {}),
      ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    });
  }

  /** Another notification format (e.g. APIv2 XML): how an attempt is posted and what acknowledges it. */
  registerFormat(name: string, format: NotificationFormat): void {
    this.formats.set(name, format);
  }

  /** Records and schedules a ready-made notification (subject to notification faults). */
  enqueue(record: NotificationRecord): NotificationRecord {
    this.deps.state.data.notifications.push(record);
    this.deps.state.changed();

    const fault = this.deps.faults.takeNotification(record.eventType);
    if (fault?.effect === 'drop') {
      record.status = 'dropped';
      this.deps.log(`notify ${record.id} ${record.eventType} dropped by fault`);
      return record;
    }
    this.rounds.start(record, fault);
    return record;
  }

  /**
   * Posts a recorded notification again as a new delivery (the console's and CLI's replay): the
   * same body, so the same notification id in it — what the merchant sees when WeChat Pay re-sends one.
   * Subject to notification faults like any other.
   */
  replay(id: string): NotificationRecord | undefined {
    const original = this.deps.state.data.notifications.find((n) => n.id === id);
    if (!original) return undefined;
    const { attempts: _attempts, rounds: _rounds, nextAttemptAt: _next, corruption: _corruption, status: _status, ...rest } = original;
    // A record of its own (its own attempts); the body, hence the notification id, is the original's.
    return this.enqueue({ ...rest, id: randomUUID(), createdAt: rfc3339China(), status: 'pending', rounds: 0, attempts: [], replayOf: original.id });
  }

  /** A sandbox reset: no round of a forgotten notification is posted any more. */
  cancelScheduled(): void {
    this.rounds.cancelScheduled();
  }

  /** After a restart: pick up notifications that were still being retried. */
  resume(): void {
    this.rounds.resume(this.deps.state.data.notifications);
  }

  close(): void {
    this.closed = true;
    this.rounds.close();
    this.poster.abortAll();
  }

  /** One POST; true on 200/204 (or what the record's format accepts). */
  private async post(record: NotificationRecord, round: number, corruption: Corruption | undefined): Promise<boolean> {
    const started = Date.now();
    const format = record.format === undefined ? undefined : this.formats.get(record.format);
    if (record.format !== undefined && !format) return false;
    const { body, headers } = format ? format.request(record, corruption) : { body: record.body, headers: this.signedHeaders(record.body, corruption) };
    const timeoutMs = record.timeoutMs ?? NOTIFY_TIMEOUT_MS;
    const outcome = await this.poster.post(record.url, body, headers, timeoutMs);
    const { statusCode } = outcome;
    let { error } = outcome;
    if (format && statusCode !== undefined && !error && !format.delivered(statusCode, outcome.reply ?? '')) error = 'reply does not acknowledge';
    // A request cut short by close() is not an attempt: it is retried after a restart.
    if (this.closed) return false;
    record.attempts.push({
      round,
      at: new Date(started).toISOString(),
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(error ? { error } : {}),
      durationMs: Date.now() - started,
      ...(corruption ? { fault: `corrupt:${corruption}` } : {}),
      ...(outcome.reply ? { reply: outcome.reply.slice(0, MAX_REPLY_KEPT) } : {}),
    });
    this.deps.log(`notify ${record.id} ${record.eventType} #${round} → ${record.url}: ${statusCode ?? error}`);
    return format ? !error && statusCode !== undefined : statusCode === 200 || statusCode === 204;
  }

  private signedHeaders(body: string, corruption: Corruption | undefined): Record<string, string | number> {
    const signer = this.deps.signer();
    const nowS = Math.floor(Date.now() / 1000);
    const timestamp = String(corruption === 'stale-timestamp' ? nowS - STALE_BY_S : nowS);
    const nonce = randomAlnum(32);
    let signature = signSha256Rsa(responseMessage(timestamp, nonce, body), signer.privateKeyPem);
    let serial = signer.serial;
    if (corruption === 'signature') signature = signSha256Rsa(responseMessage(timestamp, nonce, body + ' '), signer.privateKeyPem);
    if (corruption === 'signtest') signature = 'WECHATPAY/SIGNTEST/' + signature;
    if (corruption === 'serial') serial = serial.startsWith('PUB_KEY_ID_') ? 'PUB_KEY_ID_0000000000000000000000000000' : '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
    return {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'User-Agent': 'Mozilla/4.0',
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature': signature,
      'Wechatpay-Serial': serial,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    };
  }
}
