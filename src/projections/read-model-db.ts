import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openRebuildableDatabase, type MovedAside } from '../adapters/sqlite-file/rebuildable.js';

/** The read-model file under ML_DATA_DIR; it is rebuildable from the event log at any time. */
export function readModelPath(dataDir: string): string {
  return join(dataDir, 'read-models.db');
}

/**
 * Opens (creating) the read-model database. WAL lets the API read while the runner writes.
 * `synchronous = NORMAL` is enough: a read model's changes and its checkpoint commit together, so a
 * power cut can only lose a suffix of both, which the runner then re-applies from the log.
 */
export function openReadModelDb(path: string, onMovedAside?: (info: MovedAside) => void): Database.Database {
  // A file SQLite cannot open or that fails quick_check is moved aside and rebuilt from the log.
  return openRebuildableDatabase(path, prepareReadModelDb, onMovedAside).db;
}

function prepareReadModelDb(db: Database.Database): void {
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
}
