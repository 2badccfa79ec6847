import type { ApiResult, CallName, CallRequest, CallResponse } from '../../typings/api';
import { currentTransport } from './transport';

/**
 * The one way pages talk to cloud functions, typed by `typings/api.d.ts`:
 * `call('pay.create', req)` → function `pay` with event `{ ...req, action: 'create' }`;
 * `call('login', {})` → function `login`. Failures come back as `{ ok: false, code, … }`, never
 * as a rejected promise, so a page must handle them (usually with `services/feedback`).
 */
export async function call<N extends CallName>(name: N, data: CallRequest<N>): Promise<ApiResult<CallResponse<N>>> {
  const dot = name.indexOf('.');
  const fn = dot < 0 ? name : name.slice(0, dot);
  const payload: Record<string, unknown> = dot < 0 ? { ...data } : { ...data, action: name.slice(dot + 1) };
  const result = (await currentTransport()(fn, payload)) as ApiResult<CallResponse<N>>;
  if (!result.ok) console.warn(`[api] ${name} failed: ${result.code} ${result.message}`);
  return result;
}
