export type PayeeAuthState = 'AUTHORIZED' | 'UNAUTHORIZED';

export interface Payee {
  openid: string;
  displayName: string;
  /** Others pay this person by this code; unique. */
  shareCode: string;
  individualAuthId?: string;
  authState: PayeeAuthState;
  /** ms epoch of the gateway query `authState` comes from. */
  checkedAt: number;
  /** The version being written: 1 creates, n > 1 replaces the stored version n − 1. */
  version: number;
}

/** Individual payees (seed 000), one per openid, each with a unique share code. */
export interface PayeeRepository {
  /**
   * CAS upsert: `version` 1 creates (false if the openid exists), n > 1 replaces only the stored
   * version n − 1 (false otherwise). Throws DUPLICATE (field shareCode) if another openid holds
   * the share code.
   */
  upsertPayee(payee: Payee): Promise<boolean>;
  getPayee(openid: string): Promise<Payee | null>;
  getPayeeByShareCode(shareCode: string): Promise<Payee | null>;
}
