import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { ConnectorError } from '../../../domain/errors.js';

/** Format of the event store file, kept in `PRAGMA user_version`. Bump on an incompatible change. */
export const STORE_FORMAT_VERSION = 1;

export type SynchronousMode = 'FULL' | 'NORMAL';

export interface OpenDatabaseOptions {
  /** `FULL` (default) fsyncs the WAL on every commit: an acknowledged append survives power loss. */
  synchronous?: SynchronousMode;
  /** How long a write waits for another process holding the file's write lock. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /**
   * At open, SQLite's `PRAGMA quick_check` runs on files up to this size (default 256 MiB, about a
   * second per 100 MiB here); larger files get the bounded tail check only. 0 skips quick_check.
   */
  quickCheckMaxBytes?: number;
}

/** Events read back from the end of the log at every open: they must parse and be numbered densely. */
const TAIL_CHECK_EVENTS = 1000;
export const DEFAULT_QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;

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
export class EventStoreFileError extends ConnectorError {
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
    verifyIntegrity(db, path, options.quickCheckMaxBytes ?? DEFAULT_QUICK_CHECK_MAX_BYTES);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof EventStoreFileError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new EventStoreFileError(
        `The event store file ${path} is not a SQLite database or is corrupt (${code}); do not delete it if it holds unposted documents. ${WHAT_TO_DO}`,
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

const WHAT_TO_DO =
  'The service does not start on a damaged log. Stop it, keep a copy of the file (with its -wal file), and restore the last backup; ' +
  'or recover what SQLite can read with "sqlite3 <file> \'.recover\' | sqlite3 <new file>" and point ML_STORE at the new file. Read models and the posting queue are rebuilt from the log by themselves.';

/**
 * A bounded check at open, so a damaged log is refused at start instead of accepting webhooks whose
 * documents never appear: SQLite's quick_check (size-bounded), then the last events read back, parsed,
 * and numbered without a gap.
 */
function verifyIntegrity(db: Database.Database, path: string, quickCheckMaxBytes: number): void {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // in-memory or not yet on disk
  }
  if (quickCheckMaxBytes > 0 && size > 0 && size <= quickCheckMaxBytes) {
    const problems = db.pragma('quick_check(5)', { simple: false }) as Array<Record<string, string>>;
    const lines = problems.map((p) => Object.values(p)[0]).filter((l) => l !== 'ok');
    if (lines.length > 0) throw new EventStoreFileError(`The event store file ${path} failed SQLite's integrity check (${lines.join('; ')}). ${WHAT_TO_DO}`);
  }
  const rows = db.prepare(`SELECT position, data, metadata FROM events ORDER BY position DESC LIMIT ${TAIL_CHECK_EVENTS}`).raw().safeIntegers(true).all() as [
    bigint,
    string,
    string,
  ][];
  for (let i = 0; i < rows.length; i++) {
    const [position, data, metadata] = rows[i]!;
    if (i > 0 && rows[i - 1]![0] !== position + 1n) {
      throw new EventStoreFileError(`The event store file ${path} has a gap in its log before position ${rows[i - 1]![0]} (after ${position}). ${WHAT_TO_DO}`);
    }
    try {
      JSON.parse(data);
      JSON.parse(metadata);
    } catch {
      throw new EventStoreFileError(`The event store file ${path} holds an unreadable event at position ${position}. ${WHAT_TO_DO}`);
    }
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
