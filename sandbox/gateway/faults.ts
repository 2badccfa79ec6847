import { randomUUID } from 'node:crypto';
import { GatewayError } from './http';

/**
 * Fault injection: what a test or a developer arms through `POST /sandbox/admin/faults` to see
 * how the merchant side copes with the gateway misbehaving. Faults live in memory only and are
 * used up call by call (`count`, default 1).
 */

/**
 * SYSTEM_ERROR / FREQUENCY_LIMITED: the gateway's own 500 / 429. hang: no answer.
 * PROXY_NOT_FOUND: a 404 that is not the gateway's (an HTML page or an empty body, unsigned), as
 * a proxy or a misrouted path answers.
 * NOT_ENOUGH: the refund API's 403 (商户可用退款余额不足; wechatpay-go refunddomestic error table),
 * request not processed — only on `POST /v3/refund/domestic/refunds`.
 */
export type EndpointEffect = 'SYSTEM_ERROR' | 'FREQUENCY_LIMITED' | 'hang' | 'PROXY_NOT_FOUND' | 'NOT_ENOUGH';
export type NotificationEffect = 'drop' | 'delay' | 'duplicate' | 'corrupt';
export type Corruption = 'signature' | 'serial' | 'signtest' | 'stale-timestamp';

export interface EndpointFaultSpec {
  kind: 'endpoint';
  /** Any method when omitted. */
  method?: string;
  /** Path without query; `*` matches one segment's characters, `**` anything. */
  path: string;
  effect: EndpointEffect;
  count?: number;
  /** hang: how long the socket is held before it is destroyed without an answer (default 15 s). */
  holdMs?: number;
  /** hang: whether the request still takes effect (the client cannot tell). Default true. */
  processed?: boolean;
  /** PROXY_NOT_FOUND: an HTML error page (default) or an empty body. */
  body?: 'html' | 'empty';
}

export interface NotificationFaultSpec {
  kind: 'notification';
  effect: NotificationEffect;
  count?: number;
  /** Only notifications of this event type (e.g. `REFUND.SUCCESS`); any when omitted. */
  eventType?: string;
  /** delay: wall-clock ms before the first attempt (not time-scaled). */
  delayMs?: number;
  /** duplicate: how many identical copies are posted at once (default 2). */
  copies?: number;
  /** corrupt: what is wrong with the first attempt; retries are sound (default signature). */
  corruption?: Corruption;
}

/**
 * How the next refunds end instead of SUCCESS: ABNORMAL (退款异常: the payer's card was cancelled or
 * frozen; a person re-routes it — `POST /sandbox/admin/refunds/{no}/resolve`) or CLOSED (退款关闭),
 * each with its `REFUND.ABNORMAL` / `REFUND.CLOSED` notification.
 */
export interface RefundFaultSpec {
  kind: 'refund';
  effect: 'ABNORMAL' | 'CLOSED';
  count?: number;
}

export type FaultSpec = EndpointFaultSpec | NotificationFaultSpec | RefundFaultSpec;
export type ArmedFault = FaultSpec & { id: string; remaining: number };

export const ENDPOINT_EFFECTS: readonly string[] = ['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'hang', 'PROXY_NOT_FOUND', 'NOT_ENOUGH'];
export const REFUND_EFFECTS: readonly string[] = ['ABNORMAL', 'CLOSED'];
/** The only API that answers NOT_ENOUGH. */
export const REFUND_CREATE_PATH = '/v3/refund/domestic/refunds';
export const NOTIFICATION_EFFECTS: readonly string[] = ['drop', 'delay', 'duplicate', 'corrupt'];
export const CORRUPTIONS: readonly string[] = ['signature', 'serial', 'signtest', 'stale-timestamp'];

export class Faults {
  private armed: ArmedFault[] = [];

  add(spec: unknown): ArmedFault {
    const fault = validateFault(spec);
    this.armed.push(fault);
    return fault;
  }

  list(): ArmedFault[] {
    return this.armed.map((f) => ({ ...f }));
  }

  clear(): void {
    this.armed = [];
  }

  /** Uses up one matching endpoint fault, if armed. */
  takeEndpoint(method: string, pathname: string): ArmedFault & EndpointFaultSpec | undefined {
    const fault = this.armed.find(
      (f): f is ArmedFault & EndpointFaultSpec =>
        f.kind === 'endpoint' && (!f.method || f.method.toUpperCase() === method) && pathPattern(f.path).test(pathname),
    );
    return fault ? this.use(fault) : undefined;
  }

  takeNotification(eventType: string): ArmedFault & NotificationFaultSpec | undefined {
    const fault = this.armed.find(
      (f): f is ArmedFault & NotificationFaultSpec => f.kind === 'notification' && (!f.eventType || f.eventType === eventType),
    );
    return fault ? this.use(fault) : undefined;
  }

  /** Uses up one refund-outcome fault, if armed: how the refund being created ends. */
  takeRefundOutcome(): 'ABNORMAL' | 'CLOSED' | undefined {
    const fault = this.armed.find((f): f is ArmedFault & RefundFaultSpec => f.kind === 'refund');
    return fault ? this.use(fault).effect : undefined;
  }

  private use<T extends ArmedFault>(fault: T): T {
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.armed = this.armed.filter((f) => f !== fault);
    return fault;
  }
}

export function pathPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function validateFault(spec: unknown): ArmedFault {
  const bad = (message: string) => new GatewayError(400, 'PARAM_ERROR', message);
  if (!spec || typeof spec !== 'object') throw bad('fault spec must be an object');
  const s = spec as Record<string, unknown>;
  const count = s.count === undefined ? 1 : s.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw bad('count must be a positive integer');
  const id = randomUUID();
  if (s.kind === 'endpoint') {
    if (typeof s.path !== 'string' || !s.path.startsWith('/')) throw bad('endpoint fault needs a path pattern starting with /');
    if (typeof s.effect !== 'string' || !ENDPOINT_EFFECTS.includes(s.effect)) throw bad(`effect must be one of ${ENDPOINT_EFFECTS.join(', ')}`);
    if (s.method !== undefined && typeof s.method !== 'string') throw bad('method must be a string');
    if (s.holdMs !== undefined && (typeof s.holdMs !== 'number' || s.holdMs < 0)) throw bad('holdMs must be a non-negative number');
    if (s.processed !== undefined && typeof s.processed !== 'boolean') throw bad('processed must be a boolean');
    if (s.effect === 'NOT_ENOUGH' && (s.path !== REFUND_CREATE_PATH || (s.method !== undefined && s.method.toUpperCase() !== 'POST'))) {
      throw bad(`NOT_ENOUGH is an answer of POST ${REFUND_CREATE_PATH} only`);
    }
    if (s.body !== undefined && s.body !== 'html' && s.body !== 'empty') throw bad('body must be "html" or "empty"');
    return { ...(s as unknown as EndpointFaultSpec), id, remaining: count };
  }
  if (s.kind === 'notification') {
    if (typeof s.effect !== 'string' || !NOTIFICATION_EFFECTS.includes(s.effect)) throw bad(`effect must be one of ${NOTIFICATION_EFFECTS.join(', ')}`);
    if (s.corruption !== undefined && (typeof s.corruption !== 'string' || !CORRUPTIONS.includes(s.corruption))) {
      throw bad(`corruption must be one of ${CORRUPTIONS.join(', ')}`);
    }
    if (s.delayMs !== undefined && (typeof s.delayMs !== 'number' || s.delayMs < 0)) throw bad('delayMs must be a non-negative number');
    if (s.copies !== undefined && (typeof s.copies !== 'number' || !Number.isInteger(s.copies) || s.copies < 1)) throw bad('copies must be a positive integer');
    return { ...(s as unknown as NotificationFaultSpec), id, remaining: count };
  }
  if (s.kind === 'refund') {
    if (typeof s.effect !== 'string' || !REFUND_EFFECTS.includes(s.effect)) throw bad(`effect must be one of ${REFUND_EFFECTS.join(', ')}`);
    return { ...(s as unknown as RefundFaultSpec), id, remaining: count };
  }
  throw bad('kind must be "endpoint", "notification" or "refund"');
}
