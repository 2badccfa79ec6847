// valibot (tree-shakeable); kernel/validation.ts words its issues.
import * as v from 'valibot';
import { AppError } from '../core/kernel/errors';
import { SHARE_CODE_PATTERN } from '../core/domain/payees/share-code';
import type { PayeeService } from '../core/domain/payees/service';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';
import type { Caller } from '../core/kernel/platform/identity';
import { runtime } from '../core/runtime';

/**
 * payee: sign up to receive money as an individual (seed 000) and be found by payers.
 * The caller is always the payee in question (openid from the platform); the `individual_auth_id`
 * never leaves the server.
 */
const noFields = v.object({});

/**
 * The contract is held under the platform appid; an openid of another mini-program is a different
 * person to the gateway, so such callers get a clear refusal instead of someone else's state.
 */
function payeesFor(caller: Caller): PayeeService {
  const rt = runtime();
  if (caller.appid !== rt.config.appid) throw new AppError('FORBIDDEN', 'individual payees are only available in the platform mini-program');
  return rt.payees;
}

const actions = {
  status: { schema: noFields, run: (_request, caller) => payeesFor(caller).status(caller.openid) },
  signParams: { schema: noFields, run: (_request, caller) => payeesFor(caller).signParams(caller.openid) },
  // The page calls this when the signing page returns; the service re-queries the gateway.
  confirm: { schema: noFields, run: (_request, caller) => payeesFor(caller).confirm(caller.openid) },
  profile: {
    schema: v.object({ displayName: v.optional(v.pipe(v.string(), v.maxLength(64))) }),
    run: (request, caller) => payeesFor(caller).profile(caller.openid, request.displayName === undefined ? {} : { displayName: request.displayName }),
  },
  card: {
    schema: v.object({ shareCode: v.pipe(v.string(), v.regex(SHARE_CODE_PATTERN, 'not a share code')) }),
    run: (request) => runtime().payees.card(request.shareCode),
  },
} satisfies ContractActions<'payee'>;

export const main = createHandler({ actions });
