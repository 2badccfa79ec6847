/**
 * The port the payee service asks whether a person may receive money (seed 000 §2.1.2.1). The
 * domain owns it; `channels/wechatpay-contracts` implements it over the v3 individual-contracts
 * query. Failures are channel-neutral `ChannelError`s, never a gateway's code.
 */

export type ContractState =
  | { authState: 'AUTHORIZED'; individualAuthId: string; operationTime?: string }
  | { authState: 'UNAUTHORIZED'; operationTime?: string };

/** The signing page's parameters, signed by the merchant (the contract's `PayeeSignParams`). */
export type SigningPageParams = import('../../../../typings/api').PayeeSignParams;

export interface IndividualContracts {
  /**
   * The gateway's current answer for `openid` under `appid`. A person the gateway does not know
   * is UNAUTHORIZED; an unreachable or untrusted gateway is an error, never "unauthorized".
   */
  query(input: { appid: string; openid: string }): Promise<ContractState>;
  /**
   * Parameters for the signing page (seed 000 §2.1.2.2), signed in the layout the merchant
   * configured. `nonce`/`clock` are for deterministic tests.
   */
  signingParams(input: { appid: string; mchid: string; openid: string }, options?: { nonce?: () => string; clock?: () => number }): Promise<SigningPageParams>;
}
