/**
 * Every row of the local stack's SQLite store, table by table, for "nothing was written"
 * comparisons (every table the migrations made, so a new aggregate is covered without an edit).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Snapshot = Record<string, unknown[]>;

export function snapshotStore(dataDir: string): Snapshot {
  const db = new Database(join(dataDir, 'store.sqlite'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

/** The tables whose rows differ, by name (empty when equal). */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => JSON.stringify(before[t] ?? []) !== JSON.stringify(after[t] ?? []));
}
