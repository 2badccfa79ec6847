/**
 * APIv2 client over an injected `fetch`: adds `nonce_str`, `sign_type` and `sign`, posts XML,
 * verifies the signature of every SUCCESS answer. A `return_code` FAIL (communication failure,
 * unsigned) becomes `V2_RETURN_FAIL`; business results (`result_code`, `err_code`) are returned
 * for the caller to interpret.
 */
import { exchange, httpFetch, tlsFetch, type ClientTls, type ExchangeFetch } from '../../../kernel/http-exchange';
import { WechatPayError } from '../errors';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from '../consts';
import { randomNonce, type NonceSource } from '../../../kernel/nonce';
import { parseSignedXml } from './notify';
import type { Signer } from '../auth/signer';
import { signV2With, v2Signer, v2SignTypeOf, type V2SignType } from './sign';
import { buildXml } from './xml';

export type V2Fetch = ExchangeFetch;

export interface V2ClientOptions {
  appId: string;
  mchId: string;
  /** The 32-character APIv2 key: verifies answers (a v2 check recomputes the sign). */
  key: string;
  signType?: V2SignType;
  /** Signs requests; default `v2Signer(key, signType)`. Its algorithm is the request's sign type. */
  signer?: Signer;
  baseUrl?: string;
  fetch?: V2Fetch;
  /** Mutual TLS: the merchant API certificate presented on every call (refunds require it); ignored with `fetch`. */
  tls?: ClientTls;
  timeoutMs?: number;
  nonce?: NonceSource;
}

export interface V2Client {
  /** `params` without appid/mch_id/nonce_str/sign: those are added. */
  post(path: string, params: Record<string, string | number | undefined>): Promise<Record<string, string>>;
}

export function createV2Client(options: V2ClientOptions): V2Client {
  const signer = options.signer ?? v2Signer(options.key, options.signType ?? 'MD5');
  const signType = v2SignTypeOf(signer);
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const doFetch = options.fetch ?? (options.tls ? tlsFetch(options.tls) : httpFetch());
  const nonce = options.nonce ?? randomNonce;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async post(path, params) {
      const request: Record<string, string | number | undefined> = {
        appid: options.appId,
        mch_id: options.mchId,
        nonce_str: nonce(),
        ...(signType === 'MD5' ? {} : { sign_type: signType }),
        ...params,
      };
      request.sign = await signV2With(request, signer);
      const { status, text } = await exchange(
        doFetch,
        baseUrl + path,
        { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' }, body: buildXml(request) },
        timeoutMs,
        (kind, cause) =>
          kind === 'TIMEOUT'
            ? new WechatPayError('TIMEOUT', `POST ${path} got no answer within ${timeoutMs} ms`, { retryable: true, cause })
            : new WechatPayError('NETWORK_ERROR', `POST ${path} failed`, { cause }),
      );
      if (status < 200 || status > 299) throw new WechatPayError(`HTTP_${status}`, `POST ${path} answered HTTP ${status}`, { status });
      const answer = parseSignedXml(text, options.key, signType);
      if (answer.return_code !== 'SUCCESS') {
        throw new WechatPayError('V2_RETURN_FAIL', answer.return_msg ?? 'return_code is not SUCCESS', { status });
      }
      return answer;
    },
  };
}
