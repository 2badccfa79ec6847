import type { GatewayContext } from '../context';
import type { Route } from '../http';
import { confirmPageRoutes } from './confirm-page';
import { payscoreRoutes } from './routes';

/**
 * PayScore (微信支付分, acquiring-bank mode, seed 001): the six APIv3 calls, the confirmation page,
 * the stub clearing institution and PayScore's notification schedule. See README.md (PayScore)
 * and docs/references/sandbox-payscore.md.
 */
export function payscoreApiRoutes(ctx: GatewayContext): Route[] {
  return [...payscoreRoutes(ctx), ...confirmPageRoutes(ctx)];
}

export { payscoreAdminRoutes } from './admin-routes';
export { renderPayScoreSection } from './dashboard';
export { createPayScoreAdmin, type PayScoreAdmin, type ConfirmResult } from './admin-client';
export { payscoreIdentity, type PayScoreIdentity } from './identity';
export { PAYSCORE_RETRY_DELAYS_S, PAYSCORE_MAX_ATTEMPTS, PAYSCORE_NOTIFY_TIMEOUT_MS, USER_CONFIRM, USER_PAID } from './notify';
export { IDLE_EXPIRY_MS, REGISTRATION_LIFETIME_MS, CLEARING_DELAY_MS } from './clock';
export type { PayScoreOrderRecord, PayScoreState, ClearingOutcome, DeductRegistration } from './records';
