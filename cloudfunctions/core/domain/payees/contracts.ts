/**
 * The port the payee service asks whether a person may receive money (seed 000 §2.1.2.1). The
 * domain owns it; `channels/wechatpay-contracts` implements it over the v3 individual-contracts
 * query. Failures are channel-neutral `ChannelError`s, never a gateway's code.
 */

export type ContractState =
  | { authState: 'AUTHORIZED'; individualAuthId: string; operationTime?: string }
  | { authState: 'UNAUTHORIZED'; operationTime?: string };

export interface IndividualContracts {
  /**
   * The gateway's current answer for `openid` under `appid`. A person the gateway does not know
   * is UNAUTHORIZED; an unreachable or untrusted gateway is an error, never "unauthorized".
   */
  query(input: { appid: string; openid: string }): Promise<ContractState>;
}
