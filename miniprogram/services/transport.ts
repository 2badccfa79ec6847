import type { ApiResult } from '../../typings/api';
import { env } from './env';
import { callCloud } from './transport-cloud';
import { callLocal } from './transport-local';

export { isApiResult, transportError } from './transport-result';

/** How a call reaches its cloud function: WeChat cloud or the local function host. */
export type Transport = (fn: string, data: Record<string, unknown>) => Promise<ApiResult<unknown>>;

export function currentTransport(): Transport {
  return env.transport === 'cloud' ? callCloud : callLocal;
}
