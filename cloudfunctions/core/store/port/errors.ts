/** The one error every repository throws; callers branch on `code`, never on an adapter's own errors. */

export type StoreErrorCode =
  /** A unique key is taken (see `field`). */
  | 'DUPLICATE'
  /** The record failed structural checks (fractional fen, broken version, …); nothing written. */
  | 'INVALID_RECORD'
  /** A cursor that this store did not issue (or for another listing). */
  | 'INVALID_CURSOR'
  /** `applyOrderEvent` kept losing compare-and-sets (pathological contention); retry later. */
  | 'CONTENDED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For DUPLICATE: which unique key collided. */
    readonly field?: 'outTradeNo' | 'idempotencyKey' | 'combineOutTradeNo' | 'combineTransactionId' | 'outRefundNo' | 'shareCode' | 'openid',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
