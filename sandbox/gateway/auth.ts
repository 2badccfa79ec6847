import type { SandboxKeys } from '../keys';
import { parseAuthorization, requestMessage, verifySha256Rsa } from './crypto';
import { GatewayError, type RequestContext } from './http';

/** The gateway's window: a request timestamp more than 5 minutes off is refused. */
export const MAX_CLOCK_SKEW_S = 300;

const signError = (message: string) => new GatewayError(401, 'SIGN_ERROR', message);

/**
 * Checks a merchant request's `Authorization` header the way the real gateway does and returns
 * the signer's mchid. Every failure is 401 SIGN_ERROR.
 */
export function authenticate(rc: RequestContext, keys: SandboxKeys): string {
  const auth = parseAuthorization(rc.req.headers.authorization);
  if (!auth) throw signError('Authorization不合法: 缺少或格式错误的 WECHATPAY2-SHA256-RSA2048 认证信息');
  if (auth.mchid !== keys.mchid) throw signError(`商户号 ${auth.mchid} 不存在或与证书不匹配`);
  if (auth.serial_no.toUpperCase() !== keys.merchant.serialNo) throw signError(`商户证书序列号 ${auth.serial_no} 有误或证书已失效`);
  const ts = Number(auth.timestamp);
  if (!/^\d+$/.test(auth.timestamp) || Math.abs(Date.now() / 1000 - ts) > MAX_CLOCK_SKEW_S) {
    throw signError(`时间戳 ${auth.timestamp} 与系统时间相差超过 ${MAX_CLOCK_SKEW_S} 秒`);
  }
  const message = requestMessage(rc.method, rc.rawPath, auth.timestamp, auth.nonce_str, rc.body);
  if (!verifySha256Rsa(message, auth.signature, keys.merchant.certificatePem)) throw signError('错误的签名，验签失败');
  return auth.mchid;
}
