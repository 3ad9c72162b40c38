import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import type { NewEvent } from '../../src/domain/events/envelope.js';
import { readModelPath } from '../../src/projections/read-model-db.js';
import type { Row } from './account-totals.js';

/** A real SQLite event store and a read-model path in a fresh temp ML_DATA_DIR. */
export async function tempEnvironment(): Promise<{ store: SqliteEventStore; dataDir: string; readModels: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-projections-'));
  const store = await SqliteEventStore.open(join(dataDir, 'events.db'));
  return {
    store,
    dataDir,
    readModels: readModelPath(dataDir),
    async cleanup() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Appends events spread over a few streams, in chunks (as many documents would). */
export async function appendSpread(store: SqliteEventStore, events: readonly NewEvent[], chunk = 50): Promise<bigint> {
  let last = -1n;
  for (let i = 0; i < events.length; i += chunk) {
    const result = await store.appendToStream(`doc-${i / chunk}`, events.slice(i, i + chunk));
    last = result.position;
  }
  return last;
}

export function rows(db: Database.Database, table = 'account_totals'): Row[] {
  return db.prepare<[], Row>(`SELECT account, deposits, balance_cents FROM ${table} ORDER BY account`).all();
}

/** A second connection, as the API would use, to prove readers are not blocked by the runner. */
export function openReader(path: string): Database.Database {
  return new Database(path, { readonly: true });
}
