import type { ApiResult } from '../../typings/api';
import { isApiResult, transportError } from './transport-result';

/** WeChat cloud: the platform attaches the caller's identity; the page sends only data. */
export async function callCloud(fn: string, data: Record<string, unknown>): Promise<ApiResult<unknown>> {
  try {
    const res = await wx.cloud.callFunction({ name: fn, data });
    const result: unknown = (res as { result?: unknown }).result;
    return isApiResult(result) ? result : transportError(`function ${fn} answered no result`, 'INTERNAL', false);
  } catch (err) {
    return transportError(`cloud.callFunction(${fn}) failed: ${errMsg(err)}`);
  }
}

function errMsg(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'errMsg' in err) return String((err as { errMsg: unknown }).errMsg);
  return err instanceof Error ? err.message : String(err);
}
