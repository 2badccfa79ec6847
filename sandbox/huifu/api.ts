import { DESC, HuifuRefusal, missing, refuse, RESP } from './codes';
import type { HuifuContext } from './context';
import { EnvelopeError, parseRequest, requestSignatureValid, signedAnswer, type Json } from './envelope';
import { FAULT_RESP_CODES } from './faults';
import type { Reply } from './http';
import { close, closeQuery, query } from './orders';
import { fileQuery } from './recon';
import { refund, refundQuery } from './refunds';
import { jspay } from './trades';

/**
 * The API paths (host https://api.huifu.com; published in the SDKs' function codes, e.g. bspay-php-sdk
 * BsPay::getRequestUrl turns `v2.trade.payment.jspay` into `/v2/trade/payment/jspay`) and the
 * envelope checks every call goes through, in this order:
 * 1. the body is `{sys_id, product_id, data, sign}` (else 10000000);
 * 2. `sys_id` and `product_id` are the sandbox's, and `data.huifu_id` a merchant under that sys_id
 *    (else `resp_desc` "数据权限认证失败", seed 002 FAQ: "检查报文中的产品号(product_id)是否填写正确;
 *    检查报文中的系统号(sys_id)和商户号(huifu_Id)从属关系是否正确");
 * 3. `sign` verifies with the merchant public key (else 10000000 "签名验证失败" — SANDBOX code);
 * then the handler; every answer, refusals included, is HTTP 200 with a signed `{data, sign}`.
 */
export const API_HANDLERS: Record<string, (ctx: HuifuContext, data: Json) => Json> = {
  '/v2/trade/payment/jspay': jspay,
  '/v2/trade/payment/scanpay/query': query,
  '/v2/trade/payment/scanpay/close': close,
  '/v2/trade/payment/scanpay/closequery': closeQuery,
  '/v2/trade/payment/scanpay/refund': refund,
  '/v2/trade/payment/scanpay/refundquery': refundQuery,
  '/v2/trade/check/filequery': fileQuery,
};

/** The request fields a refusal echoes (published answers carry them as required). */
function echo(data: Json | undefined): Json {
  const out: Json = {};
  for (const k of ['huifu_id', 'req_date', 'req_seq_id']) if (data && typeof data[k] === 'string') out[k] = data[k];
  return out;
}

export function answer(ctx: HuifuContext, data: Json): Reply {
  const { body } = signedAnswer(data, ctx.keys.huifu.privateKeyPem);
  return { status: 200, raw: { body, headers: { 'Content-Type': 'application/json;charset=UTF-8' } } };
}

export function handleApi(ctx: HuifuContext, path: string, body: string, fault?: { resp_code?: string }): Reply {
  let data: Json | undefined;
  try {
    const req = parseRequest(body);
    data = req.data;
    if (fault) {
      const code = fault.resp_code ?? RESP.SYSTEM;
      return answer(ctx, { resp_code: code, resp_desc: FAULT_RESP_CODES[code] ?? DESC.system, ...echo(data) });
    }
    if (req.sysId !== ctx.keys.sysId || req.productId !== ctx.keys.productId) throw refuse(RESP.BUSINESS, DESC.dataPermission);
    if (!requestSignatureValid(req, ctx.keys.merchant.publicKeyPem)) throw refuse(RESP.PARAM, '签名验证失败');
    const huifuId = data.huifu_id;
    if (huifuId === undefined || huifuId === '') throw missing('huifu_id');
    if (huifuId !== ctx.keys.huifuId) throw refuse(RESP.BUSINESS, DESC.dataPermission);
    return answer(ctx, API_HANDLERS[path]!(ctx, data));
  } catch (err) {
    if (err instanceof HuifuRefusal) return answer(ctx, { resp_code: err.respCode, resp_desc: err.respDesc, ...echo(data) });
    if (err instanceof EnvelopeError) return answer(ctx, { resp_code: RESP.PARAM, resp_desc: err.message });
    ctx.log(`huifu: unhandled ${(err as Error).stack ?? String(err)}`);
    return answer(ctx, { resp_code: RESP.SYSTEM, resp_desc: DESC.system, ...echo(data) });
  }
}
