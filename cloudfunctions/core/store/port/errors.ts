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

/**
 * Marks store errors by a registry symbol, not by class identity: the sqlite adapter ships as a
 * bundle of its own beside each function (gulpfile.ts SIDE_MODULES), with its own copy of this
 * class, and its errors must still be recognised.
 */
const STORE_ERROR = Symbol.for('wxpay-miniprogram-stack.StoreError');

export class StoreError extends Error {
  readonly [STORE_ERROR] = true;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For DUPLICATE: which unique key collided. */
    readonly field?: 'outTradeNo' | 'outOrderNo' | 'idempotencyKey' | 'combineOutTradeNo' | 'combineTransactionId' | 'outRefundNo' | 'shareCode' | 'openid',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return typeof error === 'object' && error !== null && (error as { [STORE_ERROR]?: unknown })[STORE_ERROR] === true && (code === undefined || (error as StoreError).code === code);
}
