import Database from 'better-sqlite3';

/** Format of the event store file, kept in `PRAGMA user_version`. Bump on an incompatible change. */
export const STORE_FORMAT_VERSION = 1;

export type SynchronousMode = 'FULL' | 'NORMAL';

export interface OpenDatabaseOptions {
  /** `FULL` (default) fsyncs the WAL on every commit: an acknowledged append survives power loss. */
  synchronous?: SynchronousMode;
  /** How long a write waits for another process holding the file's write lock. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * `position` is the rowid: the B-tree is ordered by it, so reading the log in global order is a plain
 * range scan. It is assigned as max + 1 inside the write transaction (see sqlite-event-store.ts).
 * `UNIQUE (stream_id, revision)` both serves stream reads and makes a lost revision race impossible
 * even if two processes write to one file.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  id             TEXT    NOT NULL UNIQUE,
  stream_id      TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  recorded_at    TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
`;

const EXPECTED_COLUMNS = ['position', 'id', 'stream_id', 'revision', 'type', 'schema_version', 'data', 'metadata', 'recorded_at'];

/** The reason an event store file could not be used, with what to do about it. */
export class EventStoreFileError extends Error {
  override readonly name = 'EventStoreFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Opens (creating if needed) an event store file in WAL mode and checks that it is one of ours. */
export function openEventDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new EventStoreFileError(
      `Cannot open the event store file ${path}: ${describe(error)}. Check that the directory exists and is writable (ML_STORE=sqlite:<path>).`,
      { cause: error },
    );
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > STORE_FORMAT_VERSION) {
      throw new EventStoreFileError(
        `The event store file ${path} has format version ${version}, but this version of ml-connector reads up to ${STORE_FORMAT_VERSION}. Upgrade ml-connector; do not edit the file.`,
      );
    }
    if (version === 0) assertNotAnotherDatabase(db, path);
    if (!options.readonly) {
      db.exec(DDL);
      if (version === 0) db.pragma(`user_version = ${STORE_FORMAT_VERSION}`);
    }
    assertEventsTable(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof EventStoreFileError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new EventStoreFileError(
        `The event store file ${path} is not a SQLite database or is corrupt (${code}). Restore it from a backup, or point ML_STORE at a new file; do not delete it if it holds unposted documents.`,
        { cause: error },
      );
    }
    throw new EventStoreFileError(`Cannot use the event store file ${path}: ${describe(error)}.`, { cause: error });
  }
}

/** A file without our format version is only adopted when it is empty (or a half-initialized store). */
function assertNotAnotherDatabase(db: Database.Database, path: string): void {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]).filter(
    (t) => t !== 'events',
  );
  if (tables.length > 0) {
    throw new EventStoreFileError(
      `The file ${path} is a SQLite database of something else (tables: ${tables.slice(0, 5).join(', ')}), not an ml-connector event store. Point ML_STORE at the event store file, or at a new path to create one.`,
    );
  }
}

function assertEventsTable(db: Database.Database, path: string): void {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('events')`).all() as { name: string }[]).map((c) => c.name);
  const missing = EXPECTED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new EventStoreFileError(
      `The file ${path} is a SQLite database but not an ml-connector event store (table "events" ${columns.length === 0 ? 'is missing' : `lacks ${missing.join(', ')}`}). Point ML_STORE at the right file.`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
