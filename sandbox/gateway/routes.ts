import { billRoutes } from './bills';
import { cashierRoutes } from './cashier';
import { combineRoutes } from './combine';
import type { GatewayContext } from './context';
import { contractRoutes } from './contracts';
import { certificateRoutes } from './platform-certs';
import type { Route } from './http';
import { latePaymentRoutes } from './late-payment';
import { payscoreApiRoutes } from './payscore';
import { refundRoutes } from './refunds';
import { transactionRoutes } from './transactions';

/** Every gateway API and sandbox page except the admin views and fault switches. */
export function routeTable(ctx: GatewayContext): Route[] {
  return [...transactionRoutes(ctx), ...refundRoutes(ctx), ...combineRoutes(ctx), ...contractRoutes(ctx), ...cashierRoutes(ctx), ...latePaymentRoutes(ctx), ...certificateRoutes(ctx), ...payscoreApiRoutes(ctx), ...billRoutes(ctx)];
}
