import { randomBytes } from 'node:crypto';

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** A fresh random string for each signature; injected so tests are deterministic. */
export type NonceSource = () => string;

/** 32 upper-case hex characters (128 random bits), the shape WeChat Pay's own samples use. */
export const randomNonce: NonceSource = () => randomBytes(16).toString('hex').toUpperCase();

export function unixSeconds(clock: Clock): string {
  return String(Math.floor(clock() / 1000));
}
