import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/adapters/eventstore/sqlite/index.js';

/** A SQLite event store in a fresh temp directory; `cleanup` closes it and removes the directory. */
export async function openTempSqliteStore(
  options: SqliteEventStoreOptions = {},
): Promise<{ store: SqliteEventStore; path: string; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-eventstore-'));
  const path = join(dir, 'events.db');
  const store = await SqliteEventStore.open(path, options);
  return {
    store,
    path,
    dir,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
