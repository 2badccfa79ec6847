/**
 * What every CloudBase repository of a store shares: the database handle, collection names (with
 * the optional prefix), the transaction runner, and the document helpers.
 *
 * Guards: the database has no multi-field unique index we can create from code, so unique keys
 * other than `_id` (idempotency key, combine number, gateway combine transaction id, share code)
 * are guard documents in the `uniques` collection whose `_id` is (a hash of) the key. A
 * transaction that writes a record also creates its guards, and a concurrent duplicate conflicts
 * on the guard's `_id`. Orders and payees both keep their guards there.
 */
import { createHash } from 'node:crypto';
import type { CloudbaseCollection, CloudbaseCommand, CloudbaseDb, CloudbaseDocument, CloudbaseTransaction, DocumentData, QueryCondition, StoredDocument } from './db';
import { isConflictError, isNotFoundError } from './db';

export interface CloudbaseStoreOptions {
  /** Prepended to every collection name (isolates test runs in a shared environment). */
  collectionPrefix?: string;
  /** Extra whole-transaction attempts after the SDK's own conflict retries are used up. */
  conflictAttempts?: number;
}

/** Server-side SDK queries return at most this many documents. */
export const QUERY_MAX = 1000;

/** JSON round trip: drops `undefined` fields, which the SDK would otherwise reject or store as null. */
export function toData<T>(record: T): DocumentData {
  return JSON.parse(JSON.stringify(record)) as DocumentData;
}

export function fromDocument<T>(doc: StoredDocument | undefined | null): T | null {
  if (!doc) return null;
  const { _id: _ignored, _openid: _alsoIgnored, ...data } = doc as StoredDocument & { _openid?: unknown };
  return data as T;
}

export function fromDocuments<T>(docs: StoredDocument[]): T[] {
  return docs.map((doc) => fromDocument<T>(doc) as T);
}

/** The `_id` of the guard document of one unique key in `uniques`. */
export function guardId(kind: 'idem' | 'combine' | 'combineTx' | 'share', ...parts: string[]): string {
  // Hashed: guard ids stay short and free of characters a document id may not hold.
  return `${kind}_${createHash('sha256').update(parts.join('\u0000')).digest('hex')}`;
}

/** A document read inside a transaction; `null` when it does not exist. */
export async function getInTransaction<T>(doc: CloudbaseDocument): Promise<T | null> {
  try {
    const { data } = await doc.get();
    return fromDocument<T>(data);
  } catch (error) {
    if (isNotFoundError(error)) return null;
    throw error;
  }
}

export interface CloudbaseConnection {
  readonly command: CloudbaseCommand;
  collection(name: string): CloudbaseCollection;
  /** The same collection inside a transaction. */
  inTransaction(tx: CloudbaseTransaction, name: string): { doc(id: string): CloudbaseDocument };
  /** Runs a transaction, re-running it when it keeps losing conflicts; other errors pass through. */
  transact<T>(run: (tx: CloudbaseTransaction) => Promise<T>): Promise<T>;
  findOne<T>(name: string, condition: QueryCondition): Promise<T | null>;
  /** `add` with a chosen `_id`; `false` when that `_id` already exists. */
  addUnique(name: string, id: string, data: DocumentData): Promise<boolean>;
}

export function cloudbaseConnection(db: CloudbaseDb, options: CloudbaseStoreOptions = {}): CloudbaseConnection {
  const prefix = options.collectionPrefix ?? '';
  const conflictAttempts = options.conflictAttempts ?? 8;
  const collection = (name: string): CloudbaseCollection => db.collection(`${prefix}${name}`);
  const findOne = async <T>(name: string, condition: QueryCondition): Promise<T | null> => {
    const { data } = await collection(name).where(condition).limit(1).get();
    return fromDocument<T>(data[0]);
  };
  return {
    command: db.command,
    collection,
    inTransaction: (tx, name) => tx.collection(`${prefix}${name}`),
    async transact(run) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.runTransaction(run);
        } catch (error) {
          if (!isConflictError(error) || attempt >= conflictAttempts) throw error;
          // Jittered backoff so the contenders that lost do not collide again in lockstep.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        }
      }
    },
    findOne,
    async addUnique(name, id, data) {
      try {
        await collection(name).add({ data: { ...data, _id: id } });
        return true;
      } catch (error) {
        // The SDK's duplicate-key error text is not a stable contract; the document existing is.
        if (await findOne(name, { _id: id })) return false;
        throw error;
      }
    },
  };
}
