import type { GatewayContext } from './context';
import type { Route } from './http';
import { transactionRoutes } from './transactions';

/** Every gateway API and sandbox page except the admin API. */
export function routeTable(ctx: GatewayContext): Route[] {
  return [...transactionRoutes(ctx)];
}
