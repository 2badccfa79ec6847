import * as v from 'valibot';
import type { ApiError } from '../../../../typings/api';
import { AppError } from '../errors';
import { initCloud } from './cloud';
import { isObject } from '../is-object';
import { describeIssues, validate } from '../validation';
import { toApiError } from './handler';
import { refuseIllFormedText } from './well-formed';

/**
 * Timer-only functions (`reconcile`): WeChat cloud starts them from the triggers in their
 * `config.json`, but `wx.cloud.callFunction` reaches them too — any logged-in user could spend
 * the merchant's gateway quota. `createTimerHandler` runs the job only for a timer trigger and
 * refuses everything else with FORBIDDEN before touching the store or the gateway.
 *
 * The event of a timer trigger, as Tencent Cloud publishes it ("Timer 触发器的事件消息结构",
 * https://cloud.tencent.com/document/product/583/31927):
 *   {"Type":"Timer","TriggerName":"EveryDay","Time":"2019-02-21T11:49:00Z","Message":"user define msg body"}
 * Trigger names: up to 60 of [A-Za-z0-9_-], starting with a letter
 * (https://tencentcloudbase.github.io/2019-09-03-cloudfunction-timingtrigger). `Message` is the
 * optional custom input of an SCF timer (at most 4 KB, https://cloud.tencent.com/document/product/583/9708);
 * WeChat cloud's config.json has none.
 */
function buildTimerEventSchema() {
  return v.looseObject({
    // "Timer" on Tencent's own page; serverless.com's Tencent provider page prints "timer".
    // Accepting both costs nothing: the caller check below, not the event, is what keeps users out.
    Type: v.picklist(['Timer', 'timer']),
    TriggerName: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_-]{0,59}$/, 'not a trigger name')),
    Time: v.pipe(v.string(), v.isoTimestamp()),
    Message: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  });
}
let timerEventSchema: ReturnType<typeof buildTimerEventSchema> | undefined;
/** Built on first use, not at module load: a cold start pays for it only when a timer fires. */
const timerEvent = () => (timerEventSchema ??= buildTimerEventSchema());

export type TimerEvent = v.InferOutput<ReturnType<typeof buildTimerEventSchema>>;

export interface TimerSpec<R> {
  /** The function's timer trigger names (its config.json); an event naming another is refused. */
  triggers: readonly string[];
  run: (event: TimerEvent) => Promise<R>;
}

/** What a timer function answers: the job's result, or the refusal a caller gets. */
export type TimerFunctionMain<R> = (event: unknown, context?: unknown) => Promise<R | ApiError>;

/**
 * Identity fields `getWXContext()` fills when a user is behind the call: OPENID/APPID/UNIONID for
 * a mini-program call, FROM_* for a cross-account one
 * (https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/utils/Cloud.getWXContext.html).
 * A timer run has none of them.
 */
const CALLER_CONTEXT_KEYS = ['OPENID', 'APPID', 'UNIONID', 'FROM_OPENID', 'FROM_APPID', 'FROM_UNIONID'] as const;
/** `SOURCE` of a run started by a timer trigger (same page). */
const TIMER_SOURCE = 'wx_trigger';
/** Keys a mini-program call puts in the event (WeChat cloud adds `userInfo`) or a client may forge. */
const CALLER_EVENT_KEYS = ['userInfo', 'openid', 'OPENID', 'APPID', 'UNIONID'] as const;

export function createTimerHandler<R>(spec: TimerSpec<R>): TimerFunctionMain<R> {
  return async (event) => {
    let timerEvent: TimerEvent;
    try {
      timerEvent = acceptTimerEvent(event, spec.triggers);
    } catch (err) {
      const refusal = toApiError(err);
      console.warn(`[timer] refused: ${refusal.message}`);
      return refusal;
    }
    // The job's own failures propagate: the platform records a failed timer run.
    return spec.run(timerEvent);
  };
}

/** The validated timer event, or FORBIDDEN saying why this run is not one. */
export function acceptTimerEvent(event: unknown, triggers: readonly string[]): TimerEvent {
  const ctx = initCloud().getWXContext();
  const caller = CALLER_CONTEXT_KEYS.find((key) => ctx[key]);
  if (caller) throw forbidden(`called by a user (${caller} in the platform context)`);
  // Absent outside WeChat cloud's context (the SDK returns {} then); when present it must say timer.
  if (ctx.SOURCE !== undefined && ctx.SOURCE !== TIMER_SOURCE) throw forbidden(`started by "${ctx.SOURCE}", not by a timer trigger`);
  if (!isObject(event)) throw forbidden('not a timer event');
  const forged = CALLER_EVENT_KEYS.find((key) => key in event);
  if (forged) throw forbidden(`the event carries a caller (${forged})`);
  refuseIllFormedText(event);
  const parsed = validate(timerEvent(), event);
  if (!parsed.success) throw forbidden(`not a timer event: ${describeIssues(parsed.issues, { root: '(event)' })}`);
  if (!triggers.includes(parsed.data.TriggerName)) throw forbidden(`"${parsed.data.TriggerName}" is not a timer trigger of this function`);
  return parsed.data;
}

function forbidden(reason: string): AppError {
  return new AppError('FORBIDDEN', `this function runs only on its timer trigger: ${reason}`);
}

/** Timer trigger names from a WeChat cloud function's `config.json` (`{ triggers: [{ name, type: 'timer', config }] }`). */
export function timerTriggerNames(config: { triggers?: ReadonlyArray<{ name?: string; type?: string }> }): string[] {
  return (config.triggers ?? []).filter((t) => t.type === 'timer' && typeof t.name === 'string').map((t) => t.name as string);
}
