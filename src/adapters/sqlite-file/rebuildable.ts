import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * SQLite files that hold only what the event log can give again (the read models, the Intacct posting
 * queue). When SQLite cannot open one, or it fails `PRAGMA quick_check`, it is moved aside (with its
 * -wal and -shm files, named in the log) and a fresh file is opened; its owner then rebuilds it from
 * the log. Never used for the event store itself: a damaged log is refused (eventstore/sqlite/schema.ts).
 */
export interface MovedAside {
  path: string;
  movedTo: string;
  reason: string;
}

export interface RebuildableDatabase {
  db: Database.Database;
  /** Set when the file was damaged and replaced by an empty one. */
  movedAside: MovedAside | null;
}

export function openRebuildableDatabase(
  path: string,
  prepare: (db: Database.Database) => void,
  onMovedAside?: (info: MovedAside) => void,
): RebuildableDatabase {
  if (path === ':memory:') {
    const db = new Database(path);
    prepare(db);
    return { db, movedAside: null };
  }
  mkdirSync(dirname(path), { recursive: true });
  const problem = damage(path);
  let movedAside: MovedAside | null = null;
  if (problem) {
    const movedTo = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    movedAside = { path, movedTo, reason: problem };
    onMovedAside?.(movedAside);
  }
  const db = new Database(path);
  prepare(db);
  return { db, movedAside };
}

/** Why the file cannot be used as it is, or null when it is sound (or absent). */
function damage(path: string): string | null {
  if (!existsSync(path)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    const rows = db.pragma('quick_check(5)') as Array<Record<string, string>>;
    const lines = rows.map((r) => Object.values(r)[0]).filter((l) => l !== 'ok');
    return lines.length > 0 ? `integrity check: ${lines.join('; ')}` : null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
  } finally {
    try {
      db?.close();
    } catch {
      // closing a damaged handle
    }
  }
}
