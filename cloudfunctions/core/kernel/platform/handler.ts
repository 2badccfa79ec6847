import type { ApiError, ApiResult, CallName, CallRequest, CallResponse } from '../../../../typings/api';
import { AppError, isAppError } from '../errors';
import { isObject } from '../is-object';
import { describeIssues, validate, type Output, type Schema } from '../validation';
import { callerIdentity, type Caller } from './identity';
import { refuseIllFormedText } from './well-formed';

/** One action of a function: its event schema and what it does for a validated request. */
export interface ActionDef<Req, Res> {
  schema: Schema<Req>;
  run: (request: Req, caller: Caller) => Promise<Res>;
}

/** Name of the action a single-job function (e.g. `login`) answers when the event has none. */
export const DEFAULT_ACTION = 'default';

/**
 * The actions a function must implement to honour `typings/api.d.ts`: `ContractActions<'pay'>`
 * has `create`, `query`, …; a single-job function (`login`) has `default`. Use it as
 * `const actions = { … } satisfies ContractActions<'pay'>`, so a drifted request or response type
 * fails the build.
 */
export type ContractActions<F extends string> = {
  [N in CallName as N extends `${F}.${infer A}` ? A : N extends F ? typeof DEFAULT_ACTION : never]: ActionDef<CallRequest<N>, CallResponse<N>>;
};

/** Pair a schema with its runner, inferring the request type from the schema. */
export function action<S extends Schema, Res>(
  schema: S,
  run: (request: Output<S>, caller: Caller) => Promise<Res>,
): ActionDef<Output<S>, Res> {
  return { schema: schema as Schema<Output<S>>, run };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: each action has its own types
type AnyAction = ActionDef<any, unknown>;

export interface HandlerSpec<A extends Record<string, AnyAction>> {
  actions: A;
}

export type FunctionMain = (event: unknown, context?: unknown) => Promise<ApiResult<unknown>>;

/** Event keys the client may send but must never be trusted: identity comes from the platform. */
const UNTRUSTED_KEYS = ['openid', 'userInfo', 'OPENID', 'APPID', 'UNIONID'] as const;

/**
 * Build a cloud function's `main(event, context)`: pick the action, strip untrusted keys, refuse
 * ill-formed text anywhere in the event, validate, resolve the caller, run, and map every outcome
 * to an `ApiResult`.
 */
export function createHandler<A extends Record<string, AnyAction>>(spec: HandlerSpec<A>): FunctionMain {
  return async (event) => {
    try {
      const { name, data } = splitEvent(event);
      const def = Object.prototype.hasOwnProperty.call(spec.actions, name) ? spec.actions[name] : undefined;
      if (!def) {
        throw new AppError('UNKNOWN_ACTION', name === DEFAULT_ACTION ? 'this function needs an action' : `unknown action "${name}"`);
      }
      const request = parseRequest(def.schema, data);
      const caller = callerIdentity();
      return { ok: true, data: await def.run(request, caller) };
    } catch (err) {
      return toApiError(err);
    }
  };
}

function splitEvent(event: unknown): { name: string; data: Record<string, unknown> } {
  const source = isObject(event) ? event : {};
  const { action: rawAction, ...rest } = source;
  for (const key of UNTRUSTED_KEYS) delete rest[key];
  if (rawAction !== undefined && typeof rawAction !== 'string') {
    throw new AppError('INVALID_ARGUMENT', 'action: expected a string');
  }
  // Once here for every field of every function, so no schema can forget it (a lone surrogate
  // passes a string schema, its length checks and most refinements, then reaches the gateway garbled).
  refuseIllFormedText(rawAction === undefined ? rest : { action: rawAction, ...rest });
  return { name: rawAction ?? DEFAULT_ACTION, data: rest };
}

/** The validated request, or INVALID_ARGUMENT naming every failing field (`validation.ts` words it). */
function parseRequest<Req>(schema: Schema<Req>, data: Record<string, unknown>): Req {
  const parsed = validate(schema, data);
  if (parsed.success) return parsed.data;
  throw new AppError('INVALID_ARGUMENT', describeIssues(parsed.issues));
}

export function toApiError(err: unknown): ApiError {
  if (isAppError(err)) return { ok: false, code: err.code, message: err.message, retryable: err.retryable };
  // Unexpected: the stack goes to the function log, never to the caller.
  console.error('[handler] unexpected error', err);
  return { ok: false, code: 'INTERNAL', message: 'internal error', retryable: false };
}
