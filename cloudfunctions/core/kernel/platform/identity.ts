import { AppError } from '../errors';
import { initCloud } from './cloud';

/** Who is calling, as the platform (never the event) says. */
export interface Caller {
  openid: string;
  appid: string;
  unionid?: string;
  /** The user's IP as the platform saw it (CLIENTIP); combine orders must report it. */
  clientIp?: string;
}

/**
 * The caller's identity from `cloud.getWXContext()`: WeChat cloud fills it from the signed-in
 * mini-program user, the local function host from the session token. An openid in the event body
 * is never looked at.
 */
export function callerIdentity(): Caller {
  const ctx = initCloud().getWXContext();
  if (!ctx.OPENID || !ctx.APPID) {
    throw new AppError('UNAUTHENTICATED', 'no caller identity: call this function from the mini-program');
  }
  return {
    openid: ctx.OPENID,
    appid: ctx.APPID,
    ...(ctx.UNIONID ? { unionid: ctx.UNIONID } : {}),
    ...(ctx.CLIENTIP ? { clientIp: ctx.CLIENTIP } : {}),
  };
}
