/**
 * The business layer of an APIv2 answer. The client has already verified the sign and turned a
 * `return_code` FAIL into `V2_RETURN_FAIL`; here `result_code` FAIL becomes a `WechatPayError`
 * whose `code` is the published `err_code` (ORDERPAID, ORDERNOTEXIST, NOTENOUGH, …) and whose
 * reason is `err_code_des`, so a channel maps codes, never texts.
 */
import { WechatPayError } from '../errors';

/** Marks errors that carry the gateway's own `err_code` (a signed `result_code` FAIL). */
export const V2_RESULT_FAIL = 'v2-result-fail';

export function resultOrThrow(answer: Record<string, string>, path: string): Record<string, string> {
  if (answer.result_code === 'SUCCESS') return answer;
  const code = answer.err_code || 'RESULT_FAIL';
  // A signed answer: the refusal is the gateway's, not a proxy's (status 200 on the wire).
  throw new WechatPayError(code, `${path}: ${answer.err_code_des || answer.result_code || 'result_code is not SUCCESS'}`, { status: 200, detail: V2_RESULT_FAIL });
}

/** True for a signed `result_code` FAIL with one of `codes` (any code when none are given). */
export function isV2ResultFail(error: unknown, ...codes: string[]): boolean {
  return error instanceof WechatPayError && error.detail === V2_RESULT_FAIL && (codes.length === 0 || codes.includes(error.code));
}
