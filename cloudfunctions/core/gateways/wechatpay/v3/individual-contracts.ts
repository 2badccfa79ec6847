/**
 * Individual-payee contracts (平台收付通 个人收款方授权, seed 000 §2.1.2.1): the server-side query
 * of a payee's authorization. `GET /v3/ecommerce/individual-contracts/{openid}?appid=…&permission_type=INDIVIDUAL_PAYEE`
 * (https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/query-contracts.html).
 */
import { INDIVIDUAL_PAYEE_PERMISSION } from '../contract-sign';
import { seg } from './requester';

export const INDIVIDUAL_CONTRACT_PATHS = {
  query: (openid: string, appid: string) => `/v3/ecommerce/individual-contracts/${seg(openid)}?appid=${seg(appid)}&permission_type=${INDIVIDUAL_PAYEE_PERMISSION}`,
} as const;

export interface Contract {
  auth_state: 'AUTHORIZED' | 'UNAUTHORIZED';
  /** Present when AUTHORIZED: every combine sub-order to this payee carries it. */
  individual_auth_id?: string;
  operation_time?: string;
  [extra: string]: unknown;
}

/**
 * The answer as the requester gives it (the v3 client: a verified `V3Response`); read its `data`
 * as a `Partial<Contract>` — strictly, since AUTHORIZED without an auth id is unusable.
 */
export function query<Answer>(client: { request(method: 'GET', path: string): Promise<Answer> }, appid: string, openid: string): Promise<Answer> {
  return client.request('GET', INDIVIDUAL_CONTRACT_PATHS.query(openid, appid));
}
