import { randomBytes, randomInt } from 'node:crypto';

/**
 * The sandbox's notion of "now": a base clock (Date.now unless injected) plus an offset that the
 * admin API can advance, so rules measured in Huifu time (the 1-minute close rule, `time_expire`,
 * the reconciliation day) are tested without waiting. Delivery timers stay on the wall clock.
 */
export class Clock {
  private offsetMs = 0;
  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('advance must be a non-negative number of ms');
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** `yyyyMMddHHmmss` in China time (Huifu's 14-digit times). */
export function time14(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** `yyyyMMdd` in China time. */
export const date8 = (ms: number) => time14(ms).slice(0, 8);

/** Epoch ms of a `yyyyMMddHHmmss` China time, or undefined when it is not a real time. */
export function parseTime14(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
  return time14(ms) === text ? ms : undefined;
}

/** True for a real calendar day `yyyyMMdd`. */
export const isDate8 = (text: string) => /^\d{8}$/.test(text) && parseTime14(`${text}000000`) !== undefined;

/** The day after `yyyyMMdd`. */
export function nextDay(day: string): string {
  return date8(parseTime14(`${day}000000`)! + 86_400_000);
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/**
 * Identifiers shaped like the published samples: `hf_seq_id` "0029000topA250804164235P330c0a8200900000"
 * (payment), "0031000topA250804164514P944c0a842bf00000" (refund), 40 characters.
 */
export function hfSeqId(prefix: '0029' | '0030' | '0031', ms: number): string {
  return `${prefix}000topA${time14(ms).slice(2)}P${digits(3)}${randomBytes(4).toString('hex')}00000`;
}
/** WeChat transaction id on the user's bill (`out_trans_id`): 28 digits starting 4200. */
export const outTransId = (ms: number) => `4200${date8(ms)}${digits(16)}`;
/** Merchant order number on the user's bill (`party_order_id`): "2508046015554200132" style. */
export const partyOrderId = (ms: number) => `${date8(ms).slice(2)}${digits(13)}`;
/** A WeChat-shaped prepay id for `pay_info.package`. */
export const prepayId = (ms: number) => `wx${time14(ms)}${randomBytes(10).toString('hex')}`;
export const nonce = () => randomBytes(16).toString('hex');
