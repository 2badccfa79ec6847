/**
 * The slice of the wx-server-sdk database API the cloudbase store uses — and nothing more.
 * Declared structurally so the store never imports wx-server-sdk (whose own .d.ts types results as
 * `Promise | void | string`); `cloud.database()` is passed in as `CloudbaseDb`, and the test
 * double `test/fakes/cloudbase-fake.ts` implements exactly this for CI (never bundled).
 *
 * Semantics the store relies on (true of the real service and of the fake):
 * - `doc(id).get()` rejects when the document does not exist (wx-server-sdk default
 *   `throwOnNotFound`), with a message containing "does not exist".
 * - `add({ data: { _id } })` rejects when a document with that `_id` exists.
 * - `doc(id).set({ data })` creates or replaces; `data` must not contain `_id`.
 * - `runTransaction` gives single-document operations (`doc().get/set/remove`) that commit
 *   together or not at all; a write-write conflict with a concurrent transaction aborts one of
 *   them, and the run is retried up to `retries` times before rejecting with a conflict error.
 *   An exception thrown by the callback rolls back and is rethrown unchanged.
 * - Queries return at most `limit` documents (100 when not set, 1000 at most), each with `_id`.
 */

export type DocumentData = Record<string, unknown>;
/** A stored document as read back: the data plus its `_id`. */
export type StoredDocument = DocumentData & { _id: string };

/** Opaque value built by `CloudbaseCommand` (a query operator). */
export type CloudbaseCondition = object;

export type QueryCondition = Record<string, unknown> | CloudbaseCondition;

export interface CloudbaseCommand {
  lt(value: unknown): CloudbaseCondition;
  gt(value: unknown): CloudbaseCondition;
  /** Greater than or equal (查询指令 gte: https://developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/database/query.html). */
  gte(value: unknown): CloudbaseCondition;
  or(...conditions: QueryCondition[]): CloudbaseCondition;
  /** Every condition at once, at the root of a query (逻辑指令 and, same page). */
  and(...conditions: QueryCondition[]): CloudbaseCondition;
}

export interface CloudbaseQuery {
  where(condition: QueryCondition): CloudbaseQuery;
  orderBy(field: string, order: 'asc' | 'desc'): CloudbaseQuery;
  limit(max: number): CloudbaseQuery;
  get(): Promise<{ data: StoredDocument[] }>;
}

export interface CloudbaseDocument {
  get(): Promise<{ data: StoredDocument }>;
  set(options: { data: DocumentData }): Promise<unknown>;
  remove(): Promise<unknown>;
}

export interface CloudbaseCollection extends CloudbaseQuery {
  doc(id: string): CloudbaseDocument;
  add(options: { data: DocumentData }): Promise<{ _id?: string | number }>;
}

export interface CloudbaseTransaction {
  collection(name: string): { doc(id: string): CloudbaseDocument };
}

export interface CloudbaseDb {
  readonly command: CloudbaseCommand;
  collection(name: string): CloudbaseCollection;
  runTransaction<T>(run: (transaction: CloudbaseTransaction) => Promise<T>, retries?: number): Promise<T>;
}

/** Best-effort text of an SDK error (they carry `errMsg`, `message` or are plain strings). */
export function cloudbaseErrorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = error as { errMsg?: unknown; message?: unknown; code?: unknown; errCode?: unknown } | null;
  return [e?.code, e?.errCode, e?.errMsg, e?.message].filter((part) => part !== undefined).join(' ');
}

export function isNotFoundError(error: unknown): boolean {
  return /does not exist/i.test(cloudbaseErrorText(error));
}

export function isConflictError(error: unknown): boolean {
  return /conflict/i.test(cloudbaseErrorText(error));
}
