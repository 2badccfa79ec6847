/**
 * How the APIv2 gateway says no. Two layers, as the published pages describe them
 * (e.g. https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1, 返回结果):
 *
 * - `return_code` FAIL + `return_msg` — "此字段是通信标识 … 返回信息，如非空，为错误原因 签名失败
 *   参数格式校验错误": the request itself is unusable (not POST, empty, not XML, unknown merchant,
 *   bad sign, malformed parameter). Nothing else is returned and nothing is signed, as observed
 *   on the wire (`<return_code>FAIL</return_code><return_msg>签名错误</return_msg>`,
 *   `…<return_msg>XML格式错误</return_msg>`, `…<return_msg>mch_id参数格式错误</return_msg>`:
 *   binarywang/weixin-java-pay-demo issues #14 and #136, KevinWG/OSS.Clients.Pay issue #28).
 *   The error tables also list these failures as SIGNERROR / XML_FORMAT_ERROR /
 *   REQUIRE_POST_METHOD / POST_DATA_EMPTY; their 名称 is the `return_msg` used here.
 * - `return_code` SUCCESS + `result_code` FAIL + `err_code` / `err_code_des`, signed like any
 *   answer: a business refusal, with the codes of each page's 错误码 table; `err_code_des` is the
 *   table's 名称/描述 text.
 */

/** return_code FAIL: the request could not be taken at all. */
export class V2ReturnFail extends Error {
  constructor(readonly returnMsg: string) {
    super(returnMsg);
  }
}

/** result_code FAIL: a signed business refusal. */
export class V2ResultFail extends Error {
  constructor(
    readonly errCode: string,
    readonly errCodeDes: string,
  ) {
    super(`${errCode}: ${errCodeDes}`);
  }
}

/** The return_msg texts (the 名称 column of the tables for these codes). */
export const RETURN_MSG = {
  SIGNERROR: '签名错误',
  XML_FORMAT_ERROR: 'XML格式错误',
  REQUIRE_POST_METHOD: '请使用post方法',
  POST_DATA_EMPTY: 'post数据为空',
} as const;

/** A malformed or missing parameter, in the wording observed on the wire ("mch_id参数格式错误"). */
export const badParam = (field: string) => new V2ReturnFail(`${field}参数格式错误`);
