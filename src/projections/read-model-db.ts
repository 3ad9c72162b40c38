import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The read-model file under ML_DATA_DIR; it is rebuildable from the event log at any time. */
export function readModelPath(dataDir: string): string {
  return join(dataDir, 'read-models.db');
}

/**
 * Opens (creating) the read-model database. WAL lets the API read while the runner writes.
 * `synchronous = NORMAL` is enough: a read model's changes and its checkpoint commit together, so a
 * power cut can only lose a suffix of both, which the runner then re-applies from the log.
 */
export function openReadModelDb(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      generation INTEGER NOT NULL,
      position INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS projection_rebuilds (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      generation INTEGER NOT NULL,
      position INTEGER NOT NULL,
      started_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS reactor_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL
    );
  `);
  return db;
}
