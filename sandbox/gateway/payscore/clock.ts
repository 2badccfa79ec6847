import type { GatewayContext } from '../context';

/**
 * PayScore's own deadlines, on a clock an admin can advance (`POST /sandbox/admin/payscore/clock`)
 * and divided by the gateway's time scale like every other sandbox delay:
 * - a CREATED order untouched for 30 days becomes EXPIRED (PROTOCOL.md §2 [ref]);
 * - a deduct registration lives 24 h (PROTOCOL.md §2 [ref]);
 * - the clearing stub collects a moment after registration (sandbox choice: 2 s).
 */
export const IDLE_EXPIRY_MS = 30 * 24 * 3600_000;
export const REGISTRATION_LIFETIME_MS = 24 * 3600_000;
export const CLEARING_DELAY_MS = 2000;

/** Now on the PayScore clock (epoch ms plus the admin's advance). */
export function payscoreNow(ctx: GatewayContext): number {
  return Date.now() + ctx.state.data.payscore.clockOffsetMs;
}

/** A published duration on this gateway's time scale. */
export function scaled(ctx: GatewayContext, ms: number): number {
  return ms / ctx.timeScale;
}
