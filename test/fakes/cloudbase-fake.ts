/**
 * An in-process stand-in for the CloudBase database, implementing exactly `CloudbaseDb`.
 *
 * It exists so the store contract suite runs in CI without a cloud account; when `TCB_ENV` and
 * credentials are in the environment the same suite also runs against a real environment
 * (`test/unit/store/cloudbase-real.test.ts`). It is not a database for production use.
 *
 * Faithful where the store depends on it:
 * - a missing document's `doc().get()` rejects ("… does not exist"), `add` of an existing `_id`
 *   rejects, `set` with `_id` in `data` rejects;
 * - every call yields to the event loop, so concurrent callers really interleave;
 * - transactions buffer their writes and commit atomically; a transaction whose written document
 *   changed since it first touched it loses a write-write conflict, is re-run up to `retries`
 *   times (default 3, like the SDK), then rejects with DATABASE_TRANSACTION_CONFLICT;
 * - queries return copies, at most `limit` (default 100, max 1000) documents, with `_id`.
 */
import { randomBytes } from 'node:crypto';
import type {
  CloudbaseCollection,
  CloudbaseCommand,
  CloudbaseDb,
  CloudbaseDocument,
  CloudbaseQuery,
  CloudbaseTransaction,
  DocumentData,
  QueryCondition,
  StoredDocument,
} from '../../cloudfunctions/core/store/cloudbase/db';

interface Stored {
  revision: number;
  data: DocumentData;
}

class FakeCondition {
  constructor(
    readonly op: 'lt' | 'gt' | 'gte' | 'or' | 'and',
    readonly args: unknown[],
  ) {}
}

class FakeDbError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
    readonly code?: string,
  ) {
    super(errMsg);
    this.name = 'FakeDbError';
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const copy = <T>(value: T): T => structuredClone(value);

function fieldValue(doc: StoredDocument, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed or missing values never satisfy a range operator.
  return Number.NaN;
}

function matches(doc: StoredDocument, condition: QueryCondition): boolean {
  if (condition instanceof FakeCondition) {
    if (condition.op === 'or') return condition.args.some((c) => matches(doc, c as QueryCondition));
    if (condition.op === 'and') return condition.args.every((c) => matches(doc, c as QueryCondition));
    throw new FakeDbError(-502002, `operator ${condition.op} must be applied to a field`);
  }
  return Object.entries(condition).every(([path, expected]) => {
    const actual = fieldValue(doc, path);
    if (expected instanceof FakeCondition) {
      const [operand] = expected.args;
      if (expected.op === 'lt') return compare(actual, operand) < 0;
      if (expected.op === 'gt') return compare(actual, operand) > 0;
      if (expected.op === 'gte') return compare(actual, operand) >= 0;
      throw new FakeDbError(-502002, `${expected.op}() cannot be applied to a field here`);
    }
    return actual === expected;
  });
}

export class FakeCloudbaseDb implements CloudbaseDb {
  private readonly collections = new Map<string, Map<string, Stored>>();
  /** Transactions committed / re-run after a conflict, for tests that want to see contention. */
  readonly stats = { commits: 0, conflicts: 0 };

  readonly command: CloudbaseCommand = {
    lt: (value) => new FakeCondition('lt', [value]),
    gt: (value) => new FakeCondition('gt', [value]),
    gte: (value) => new FakeCondition('gte', [value]),
    or: (...conditions) => new FakeCondition('or', conditions),
    and: (...conditions) => new FakeCondition('and', conditions),
  };

  /** @internal */
  table(name: string): Map<string, Stored> {
    let table = this.collections.get(name);
    if (!table) this.collections.set(name, (table = new Map()));
    return table;
  }

  collection(name: string): CloudbaseCollection {
    return new FakeCollection(this, name, [], [], undefined);
  }

  async runTransaction<T>(run: (transaction: CloudbaseTransaction) => Promise<T>, retries = 3): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const transaction = new FakeTransaction(this);
      const result = await run(transaction); // a throw here discards the buffered writes
      await tick();
      if (transaction.commit()) {
        this.stats.commits++;
        return result;
      }
      this.stats.conflicts++;
      if (attempt >= retries) {
        throw new FakeDbError(-502001, 'DATABASE_TRANSACTION_CONFLICT: database transaction conflict', 'DATABASE_TRANSACTION_CONFLICT');
      }
    }
  }
}

function notFound(id: string): FakeDbError {
  return new FakeDbError(-502001, `document.get:fail document with _id ${id} does not exist`);
}

function checkData(data: DocumentData, api: string): void {
  if (!data || typeof data !== 'object') throw new FakeDbError(-501007, `${api}:fail options.data must be an object`);
  if (Object.prototype.hasOwnProperty.call(data, '_id')) throw new FakeDbError(-501007, `${api}:fail 不能更新_id的值`);
}

class FakeCollection implements CloudbaseCollection {
  constructor(
    private readonly db: FakeCloudbaseDb,
    private readonly name: string,
    private readonly conditions: QueryCondition[],
    private readonly order: Array<[string, 'asc' | 'desc']>,
    private readonly max: number | undefined,
  ) {}

  where(condition: QueryCondition): CloudbaseQuery {
    return new FakeCollection(this.db, this.name, [...this.conditions, condition], this.order, this.max);
  }
  orderBy(field: string, order: 'asc' | 'desc'): CloudbaseQuery {
    return new FakeCollection(this.db, this.name, this.conditions, [...this.order, [field, order]], this.max);
  }
  limit(max: number): CloudbaseQuery {
    if (!Number.isInteger(max) || max < 1) throw new FakeDbError(-501007, 'limit must be a positive integer');
    return new FakeCollection(this.db, this.name, this.conditions, this.order, Math.min(max, 1000));
  }

  async get(): Promise<{ data: StoredDocument[] }> {
    await tick();
    const docs = [...this.db.table(this.name).entries()]
      .map(([id, stored]) => ({ ...copy(stored.data), _id: id }) as StoredDocument)
      .filter((doc) => this.conditions.every((c) => matches(doc, c)));
    docs.sort((a, b) => {
      for (const [field, direction] of this.order) {
        const c = compare(fieldValue(a, field), fieldValue(b, field)) || 0;
        if (c !== 0) return direction === 'asc' ? c : -c;
      }
      return 0;
    });
    return { data: docs.slice(0, this.max ?? 100) };
  }

  doc(id: string): CloudbaseDocument {
    const table = () => this.db.table(this.name);
    return {
      get: async () => {
        await tick();
        const stored = table().get(id);
        if (!stored) throw notFound(id);
        return { data: { ...copy(stored.data), _id: id } };
      },
      set: async ({ data }) => {
        checkData(data, 'document.set');
        await tick();
        const stored = table().get(id);
        table().set(id, { revision: (stored?.revision ?? 0) + 1, data: copy(data) });
        return { _id: id, stats: { updated: stored ? 1 : 0, created: stored ? 0 : 1 } };
      },
      remove: async () => {
        await tick();
        const removed = table().delete(id);
        return { stats: { removed: removed ? 1 : 0 } };
      },
    };
  }

  async add({ data }: { data: DocumentData }): Promise<{ _id: string }> {
    if (!data || typeof data !== 'object') throw new FakeDbError(-501007, 'collection.add:fail options.data must be an object');
    await tick();
    const { _id, ...rest } = data;
    const id = _id === undefined ? randomBytes(16).toString('hex') : String(_id);
    const table = this.db.table(this.name);
    if (table.has(id)) throw new FakeDbError(-502001, `collection.add:fail E11000 duplicate key error collection: ${this.name} index: _id_ dup key: { _id: "${id}" }`);
    table.set(id, { revision: 1, data: copy(rest) });
    return { _id: id };
  }
}

/** Buffers writes; remembers the revision of each document when first touched. */
class FakeTransaction implements CloudbaseTransaction {
  private readonly seen = new Map<string, { table: string; id: string; revision: number }>();
  private readonly writes = new Map<string, { table: string; id: string; data: DocumentData | null }>();

  constructor(private readonly db: FakeCloudbaseDb) {}

  private key(table: string, id: string): string {
    return `${table}\u0000${id}`;
  }

  private touch(table: string, id: string): void {
    const key = this.key(table, id);
    if (!this.seen.has(key)) this.seen.set(key, { table, id, revision: this.db.table(table).get(id)?.revision ?? 0 });
  }

  collection(name: string): { doc(id: string): CloudbaseDocument } {
    return {
      doc: (id: string): CloudbaseDocument => ({
        get: async () => {
          await tick();
          this.touch(name, id);
          const write = this.writes.get(this.key(name, id));
          const data = write ? write.data : (this.db.table(name).get(id)?.data ?? null);
          if (!data) throw notFound(id);
          return { data: { ...copy(data), _id: id } };
        },
        set: async ({ data }) => {
          checkData(data, 'document.set');
          await tick();
          this.touch(name, id);
          this.writes.set(this.key(name, id), { table: name, id, data: copy(data) });
          return {};
        },
        remove: async () => {
          await tick();
          this.touch(name, id);
          this.writes.set(this.key(name, id), { table: name, id, data: null });
          return {};
        },
      }),
    };
  }

  /** Applies all writes at once, or none if a written document moved. Synchronous: atomic. */
  commit(): boolean {
    for (const [key, write] of this.writes) {
      const before = this.seen.get(key)?.revision ?? 0;
      if ((this.db.table(write.table).get(write.id)?.revision ?? 0) !== before) return false;
    }
    for (const write of this.writes.values()) {
      const table = this.db.table(write.table);
      const revision = (table.get(write.id)?.revision ?? 0) + 1;
      if (write.data === null) table.delete(write.id);
      else table.set(write.id, { revision, data: write.data });
    }
    return true;
  }
}
