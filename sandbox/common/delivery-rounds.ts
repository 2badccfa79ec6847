import { TimerSet } from './timers';

/**
 * The round-by-round delivery of notifications: a round posts one or more copies (a duplicate
 * fault), any acknowledged copy delivers, otherwise the emulator's rules say when the next round
 * comes or that it gives up. Pending records are picked up again after a restart; a round cut short
 * by close() does not count and is made again then.
 */

export interface DeliveryRecord {
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  /** Delivery rounds made so far. */
  rounds: number;
  /** Epoch ms of the next scheduled round while pending. */
  nextAttemptAt?: number;
}

/** What a notification fault says about delivery (drops are the emulator's to record). */
export interface DeliveryFault {
  effect: string;
  corruption?: string;
  copies?: number;
  delayMs?: number;
}

export interface DeliveryRules<R extends DeliveryRecord> {
  /** One copy of round `round` (1-based); true when the merchant acknowledged it. */
  post(record: R, round: number): Promise<boolean>;
  /** The wait after failed round `round`, or undefined when that was the last one. */
  retryDelayMs(record: R, round: number): number | undefined;
  gaveUp(record: R, round: number): void;
  /** After every completed round (to save the state). */
  afterRound(record: R): void;
}

export class DeliveryRounds<R extends DeliveryRecord> {
  private readonly timers = new TimerSet();
  private closed = false;

  constructor(private readonly rules: DeliveryRules<R>) {}

  /** The first round, shaped by a fault: `corrupt` marks it, `duplicate` sends copies, `delay` waits. */
  start(record: R & { corruption?: string }, fault: DeliveryFault | undefined): void {
    if (fault?.effect === 'corrupt') record.corruption = fault.corruption ?? 'signature';
    const copies = fault?.effect === 'duplicate' ? (fault.copies ?? 2) : 1;
    this.schedule(record, fault?.effect === 'delay' ? (fault.delayMs ?? 5000) : 0, copies);
  }

  private schedule(record: R, delayMs: number, copies: number): void {
    if (this.closed) return;
    record.nextAttemptAt = Date.now() + delayMs;
    this.timers.later(() => void this.round(record, copies), delayMs);
  }

  /** After a restart: records still pending go on when they were due. */
  resume(records: Iterable<R>): void {
    for (const record of records) {
      if (record.status === 'pending') this.schedule(record, Math.max(0, (record.nextAttemptAt ?? Date.now()) - Date.now()), 1);
    }
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
  }

  /** Drops every scheduled round (a sandbox reset) and goes on accepting new records. */
  cancelScheduled(): void {
    this.timers.clear();
  }

  private async round(record: R, copies: number): Promise<void> {
    const round = record.rounds + 1;
    record.rounds = round;
    const results = await Promise.all(Array.from({ length: copies }, () => this.rules.post(record, round)));
    if (this.closed) {
      record.rounds = round - 1; // cut short by close(): this round is made again after a restart
      return;
    }
    const delivered = results.some(Boolean);
    const retryDelay = delivered ? undefined : this.rules.retryDelayMs(record, round);
    if (delivered) {
      record.status = 'delivered';
      delete record.nextAttemptAt;
    } else if (retryDelay === undefined) {
      record.status = 'failed';
      delete record.nextAttemptAt;
      this.rules.gaveUp(record, round);
    } else {
      this.schedule(record, retryDelay, 1);
    }
    this.rules.afterRound(record);
  }
}
