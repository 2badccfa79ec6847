/**
 * What the Huifu channel e2e suites share: a stack with the Huifu sandbox and the `huifu` config
 * section, the payer's cashier on the Huifu sandbox (with `pay_info` exactly as `pay.create`
 * answered it), and notifications posted to `huifuNotify` as Huifu would, signed with the
 * sandbox's Huifu key by node:crypto (never through the code under test).
 */
import { createSign } from 'node:crypto';
import type { ClientPaymentParams } from '../../../typings/api';
import { prepayIdOf } from '../../helpers/e2e-utils';
import type { Stack } from '../../helpers/stack';

export interface HuifuPayInfo {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

export function payInfoOf(payment: ClientPaymentParams | undefined): HuifuPayInfo {
  if (payment?.kind !== 'huifu') throw new Error(`not Huifu payment parameters: ${JSON.stringify(payment)}`);
  return JSON.parse(payment.payInfo) as HuifuPayInfo;
}

/** The payer in WeChat's cashier with `pay_info`'s parameters, on the Huifu sandbox's host. */
export async function huifuCashier(stack: Stack, action: 'pay' | 'cancel' | 'fail', payment: ClientPaymentParams | undefined): Promise<void> {
  const params = payInfoOf(payment);
  const res = await fetch(`${stack.huifu!.url}/sandbox/cashier/${encodeURIComponent(prepayIdOf(params.package))}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  if (!res.ok) throw new Error(`huifu cashier ${action}: ${res.status} ${await res.text()}`);
}

/** Posts a form notification to huifuNotify, `resp_data` signed with `key` (default: the sandbox's Huifu key). */
export async function postNotification(stack: Stack, respData: Record<string, unknown> | string, key = stack.huifu!.keys.huifu.privateKeyPem): Promise<{ status: number; body: string }> {
  const text = typeof respData === 'string' ? respData : JSON.stringify(respData);
  const sign = createSign('RSA-SHA256').update(text).sign(key, 'base64');
  const body = new URLSearchParams({ resp_code: '10000', resp_desc: '成功调用', sign, resp_data: text }).toString();
  const res = await fetch(`${stack.hostUrl}/http/huifuNotify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, body: await res.text() };
}
