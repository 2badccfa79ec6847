/**
 * Huifu answers → channel-neutral `ChannelError`s (`../port.ts`). Huifu answers every call with
 * HTTP 200 and a signed `data` whose `resp_code` says what happened (PROTOCOL.md §3; codes from
 * the dg-payment-skills transcripts listed in sandbox/huifu/codes.ts): the channel reads it after
 * the client verified the signature, and a transport or verification failure (`HuifuError`) is
 * mapped here too. `00000000` / `00000100` are "accepted / processing" and never mean "paid".
 */
import { HuifuError } from '../../gateways/huifu/errors';
import { HUIFU_RESP, type HuifuAnswer } from '../../gateways/huifu/trade';
import { ChannelError, type ChannelOperation } from '../port';

/** resp_desc of a foreign sys_id / product_id / huifu_id (seed 002 FAQ "数据权限认证失败"). */
export const DATA_PERMISSION_DENIED = '数据权限认证失败';
/** resp_desc of a request whose signature Huifu could not verify (shared-signing-v2.md). */
const SIGNATURE_REFUSED = '签名验证失败';

/** Codes after which a retry (same request) may succeed: 91111119 通道异常，请稍后重试, 98888888 系统错误, 99999999. */
const RETRYABLE: ReadonlySet<string> = new Set([HUIFU_RESP.CHANNEL, HUIFU_RESP.SYSTEM, HUIFU_RESP.SYSTEM_RETRY]);

/** True when the answer was accepted (`00000000`) or is processing (`00000100`). */
export function isAccepted(data: Partial<HuifuAnswer>): boolean {
  return data.resp_code === HUIFU_RESP.OK || data.resp_code === HUIFU_RESP.PROCESSING;
}

/** A Huifu refusal (`resp_code` other than accepted/processing) in channel terms. */
export function refusalError(data: Partial<HuifuAnswer>, operation: ChannelOperation): ChannelError {
  const code = String(data.resp_code ?? '');
  const desc = String(data.resp_desc ?? '');
  const said = `Huifu ${code} ${desc}`.trim();
  if (desc.includes(DATA_PERMISSION_DENIED)) {
    return new ChannelError('misconfigured', `${said}: Huifu does not recognise this server's sys_id / product_id / huifu_id together; check the huifu config section`);
  }
  if (code === HUIFU_RESP.PARAM && desc.includes(SIGNATURE_REFUSED)) {
    return new ChannelError('misconfigured', `${said}: Huifu refused this server's request signature; check huifu.privateKey against the public key registered at Huifu`);
  }
  if (RETRYABLE.has(code)) return new ChannelError('unavailable', `${said}; try again`);
  if (code === HUIFU_RESP.NOT_FOUND) return new ChannelError('notFound', said);
  if (operation === 'close' && code === HUIFU_RESP.CLOSE_TOO_EARLY) return new ChannelError('tooEarly', `${said}: Huifu closes an order only 1 minute after it was placed`);
  // 关单状态为终态，不能重复关单: the trade was closed already.
  if (operation === 'close' && code === HUIFU_RESP.STATE && desc.includes('不能重复关单')) return new ChannelError('closed', said);
  if (operation === 'refund' && (code === HUIFU_RESP.AMOUNT || code === HUIFU_RESP.STATE || code === HUIFU_RESP.PARAM)) return new ChannelError('refundNotTaken', said);
  return new ChannelError('rejected', said);
}

/** A `HuifuError` (transport, verification, key) in channel terms; anything else as it is. */
export function huifuChannelError(error: unknown): unknown {
  if (!(error instanceof HuifuError)) return error;
  const options = { cause: error };
  switch (error.code) {
    case 'SIGNATURE_INVALID':
    case 'RESPONSE_UNSIGNED':
    case 'RESPONSE_MALFORMED':
    case 'AMOUNT_INVALID':
    case 'NOTIFICATION_MALFORMED':
      return new ChannelError('untrusted', `Huifu's answer failed verification (${error.code})`, options);
    case 'KEY_INVALID':
    case 'ARGUMENT_INVALID':
      return new ChannelError('misconfigured', `Huifu client: ${error.message}`, options);
    case 'NETWORK_ERROR':
    case 'TIMEOUT':
    case 'HTTP_ERROR':
      return new ChannelError('unavailable', `Huifu unavailable (${error.code}); try again`, options);
  }
}
