import { Faults, type ArmedFault, type FaultSpec } from '../gateway/faults';
import { DESC, RESP } from './codes';
import { AdminError } from './http';

/**
 * Fault switches, the WeChat gateway's engine (sandbox/gateway/faults.ts, imported: armed in memory,
 * used up one call at a time) with what applies to Huifu:
 * - `{kind:'endpoint', path, effect:'SYSTEM_ERROR', resp_code?}` → a signed answer with resp_code
 *   98888888 "系统错误" (default), 91111119 "通道异常，请稍后重试" or 99999999 "系统异常，请稍后重试",
 *   the request not processed;
 * - `{kind:'endpoint', path, effect:'hang', holdMs?, processed?}` → no answer (as the WeChat gateway);
 * - `{kind:'notification', effect:'drop'|'delay'|'duplicate'|'corrupt', eventType?:'trade'|'acct'|'refund'}`,
 *   corruption `signature` only (Huifu notifications carry no serial or timestamp).
 * `FREQUENCY_LIMITED` is refused: Huifu publishes no rate-limit answer to imitate.
 */

export const FAULT_RESP_CODES: Record<string, string> = { [RESP.SYSTEM]: DESC.system, [RESP.CHANNEL]: DESC.channel, [RESP.SYSTEM_RETRY]: DESC.systemRetry };
const EVENT_TYPES = ['trade', 'acct', 'refund'];

export type HuifuFaultSpec = FaultSpec & { resp_code?: string };

export function addHuifuFault(faults: Faults, spec: Record<string, unknown>): ArmedFault {
  const bad = (message: string) => new AdminError(400, 'PARAM_ERROR', message);
  if (spec.kind === 'endpoint') {
    if (spec.effect === 'FREQUENCY_LIMITED') throw bad('FREQUENCY_LIMITED does not apply to Huifu (no published rate-limit answer); use SYSTEM_ERROR with a resp_code');
    if (spec.resp_code !== undefined && (typeof spec.resp_code !== 'string' || !(spec.resp_code in FAULT_RESP_CODES))) {
      throw bad(`resp_code must be one of ${Object.keys(FAULT_RESP_CODES).join(', ')}`);
    }
  }
  if (spec.kind === 'notification') {
    if (spec.corruption !== undefined && spec.corruption !== 'signature') throw bad('corruption must be "signature" (Huifu notifications carry no serial or timestamp)');
    if (spec.eventType !== undefined && !EVENT_TYPES.includes(String(spec.eventType))) throw bad(`eventType must be one of ${EVENT_TYPES.join(', ')}`);
  }
  try {
    return faults.add(spec);
  } catch (err) {
    throw bad((err as Error).message);
  }
}

export { Faults };
