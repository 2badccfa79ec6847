/**
 * Server-side query of an individual payee's authorization (seed 000 §2.1.2.1):
 * `GET /v3/ecommerce/individual-contracts/{openid}?appid=…&permission_type=INDIVIDUAL_PAYEE`.
 * This answer — never the signing page's client callback — is what decides whether a person can
 * be paid, and it carries the `individual_auth_id` every combine sub-order needs. Implements the
 * payee domain's `IndividualContracts` port; v3 errors leave as `ChannelError`s.
 */
import { AppError } from '../../kernel/errors';
import { query as queryContract } from '../../gateways/wechatpay/v3/individual-contracts';
import { buildContractSignParams, type ContractSignLayout } from '../../gateways/wechatpay/contract-sign';
import type { Signer } from '../../gateways/wechatpay/auth/signer';
import type { ContractState, IndividualContracts } from '../../domain/payees/contracts';
import { toChannelAppError } from '../port';
import { isGatewayNotFound, v3ChannelError } from '../wechatpay-v3/errors';

export type { ContractState };

/** The part of the v3 client this module uses (`createV3Client(...)` satisfies it). */
export interface V3Requester {
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; data?: unknown }>;
}

/** How the signing page's parameters are signed: the merchant API key's Signer (its `keyId` is `certSerialNo`) and the configured layout. */
export interface SigningPageSigning {
  signer: Signer;
  layout: ContractSignLayout;
}

export function createV3IndividualContracts(client: V3Requester, signing?: SigningPageSigning): IndividualContracts {
  return {
    async signingParams(input, options = {}) {
      if (!signing) throw new AppError('INTERNAL', 'the signing page is not configured on this server');
      return buildContractSignParams(
        { appId: input.appid, mchid: input.mchid, openid: input.openid, signer: signing.signer, layout: signing.layout },
        { ...(options.clock ? { clock: options.clock } : {}), ...(options.nonce ? { nonce: options.nonce } : {}) },
      );
    },
    async query(input) {
      if (input.openid.length < 1 || input.openid.length > 128) throw new AppError('INVALID_ARGUMENT', 'openid must be 1–128 characters');
      let data: unknown;
      try {
        ({ data } = await queryContract(client, input.appid, input.openid));
      } catch (error) {
        // The published page lists no 404 (https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/query-contracts.html):
        // an unknown payee is answered 200 UNAUTHORIZED. Only the gateway's own "does not exist" code
        // means "no contract"; any other 404 (a proxy, an unknown path) is the gateway being
        // unreachable, and must never write a payee off as unauthorized.
        if (isGatewayNotFound(error)) return { authState: 'UNAUTHORIZED' };
        throw v3ChannelError(error, 'contractQuery');
      }
      return parseContract(data);
    },
  };
}

/** The query with its failures as the app's stable errors (what the payee service answers). */
export async function queryIndividualContract(client: V3Requester, input: { appid: string; openid: string }): Promise<ContractState> {
  try {
    return await createV3IndividualContracts(client).query(input);
  } catch (error) {
    throw toChannelAppError(error, 'individual contract query');
  }
}

/** Strict reading: AUTHORIZED without an auth id would let us build an order the gateway refuses. */
export function parseContract(data: unknown): ContractState {
  const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const operationTime = typeof body.operation_time === 'string' ? body.operation_time : undefined;
  if (body.auth_state === 'AUTHORIZED') {
    if (typeof body.individual_auth_id !== 'string' || body.individual_auth_id.length === 0) {
      throw new AppError('GATEWAY_REJECTED', 'individual contract query: AUTHORIZED without individual_auth_id');
    }
    return { authState: 'AUTHORIZED', individualAuthId: body.individual_auth_id, operationTime };
  }
  if (body.auth_state === 'UNAUTHORIZED') return { authState: 'UNAUTHORIZED', operationTime };
  throw new AppError('GATEWAY_REJECTED', `individual contract query: unknown auth_state ${JSON.stringify(body.auth_state)}`);
}
