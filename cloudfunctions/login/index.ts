// valibot (tree-shakeable); kernel/validation.ts words its issues.
import * as v from 'valibot';
import { createHandler, type ContractActions } from '../core/kernel/platform/handler';

/** login: who am I? The answer comes from the platform's caller identity, never from the event. */
const actions = {
  default: {
    schema: v.object({}),
    run: async (_request, caller) => (caller.unionid ? { openid: caller.openid, appid: caller.appid, unionid: caller.unionid } : { openid: caller.openid, appid: caller.appid }),
  },
} satisfies ContractActions<'login'>;

export const main = createHandler({ actions });
