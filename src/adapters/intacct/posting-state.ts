import type Database from 'better-sqlite3';
import { openRebuildableDatabase, type MovedAside } from '../sqlite-file/rebuildable.js';

/** Where a subscriber resumes: the global position of the last event it handled. */
export interface CheckpointStore {
  load(name: string): Promise<bigint | undefined>;
  save(name: string, position: bigint): Promise<void>;
}

export interface QueuedPosting {
  postingKey: string;
  streamId: string;
  dueAt: number;
  attempts: number;
  /** A create may have reached Intacct without us learning the outcome: read back before posting. */
  uncertain: boolean;
}

/**
 * The posting worker's durable state in one SQLite file: its subscription checkpoint and the queue of
 * postings still to be done with their next due time. The queue is what makes retries survive a
 * restart; it is derived from the event log (PostingRequested / PostingRetryRequested, then outcomes),
 * and the checkpoint moves in the same transaction as the queue change of each event.
 */
export class SqlitePostingState implements CheckpointStore {
  private readonly db: Database.Database;

  /**
   * The file was damaged and replaced by an empty one: the queue is rebuilt from the log, and since
   * what was being sent is no longer known, every posting rebuilt this way reads back first.
   */
  readonly movedAside: MovedAside | null;
  private readBackFirst: boolean;

  private constructor(path: string, onMovedAside?: (info: MovedAside) => void) {
    const opened = openRebuildableDatabase(
      path,
      (db) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec(`
      CREATE TABLE IF NOT EXISTS intacct_checkpoint (name TEXT PRIMARY KEY, position TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS intacct_posting_queue (
        posting_key TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        uncertain INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS intacct_posting_queue_due ON intacct_posting_queue (due_at);
    `);
      },
      onMovedAside,
    );
    this.db = opened.db;
    this.movedAside = opened.movedAside;
    this.readBackFirst = opened.movedAside !== null;
  }

  /** `onMovedAside` is told when a damaged file was moved aside (log it: it names both files). */
  static open(path: string, onMovedAside?: (info: MovedAside) => void): SqlitePostingState {
    return new SqlitePostingState(path, onMovedAside);
  }

  /** The worker caught up with the log after a rebuild: postings queued from now on are new ones. */
  endRecovery(): void {
    this.readBackFirst = false;
  }

  async load(name: string): Promise<bigint | undefined> {
    const row = this.db.prepare('SELECT position FROM intacct_checkpoint WHERE name = ?').get(name) as { position: string } | undefined;
    return row ? BigInt(row.position) : undefined;
  }

  async save(name: string, position: bigint): Promise<void> {
    this.saveSync(name, position);
  }

  /** Applies the queue change of one event and moves the checkpoint past it, atomically. */
  handled(name: string, position: bigint, change: () => void): void {
    this.db.transaction(() => {
      change();
      this.saveSync(name, position);
    })();
  }

  /** A new posting; a repeat of a queued one changes nothing. */
  enqueue(postingKey: string, streamId: string, dueAt: number): void {
    this.db
      .prepare('INSERT INTO intacct_posting_queue (posting_key, stream_id, due_at, uncertain) VALUES (?, ?, ?, ?) ON CONFLICT (posting_key) DO NOTHING')
      .run(postingKey, streamId, dueAt, this.readBackFirst ? 1 : 0);
  }

  /** An operator's retry: due now, whether queued or not. */
  makeDue(postingKey: string, streamId: string, dueAt: number): void {
    this.db
      .prepare(
        'INSERT INTO intacct_posting_queue (posting_key, stream_id, due_at, uncertain) VALUES (?, ?, ?, ?) ON CONFLICT (posting_key) DO UPDATE SET due_at = excluded.due_at, uncertain = max(uncertain, excluded.uncertain)',
      )
      .run(postingKey, streamId, dueAt, this.readBackFirst ? 1 : 0);
  }

  due(now: number, limit: number): QueuedPosting[] {
    const rows = this.db
      .prepare('SELECT posting_key, stream_id, due_at, attempts, uncertain FROM intacct_posting_queue WHERE due_at <= ? ORDER BY due_at, posting_key LIMIT ?')
      .all(now, limit) as { posting_key: string; stream_id: string; due_at: number; attempts: number; uncertain: number }[];
    return rows.map((r) => ({ postingKey: r.posting_key, streamId: r.stream_id, dueAt: r.due_at, attempts: r.attempts, uncertain: r.uncertain === 1 }));
  }

  nextDueAt(): number | null {
    const row = this.db.prepare('SELECT MIN(due_at) AS d FROM intacct_posting_queue').get() as { d: number | null };
    return row.d;
  }

  size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM intacct_posting_queue').get() as { n: number }).n;
  }

  /** Marks creates as (possibly) sent, before they are sent: a crash after this reads back first. */
  markSending(keys: readonly string[]): void {
    const stmt = this.db.prepare('UPDATE intacct_posting_queue SET attempts = attempts + 1, uncertain = 1 WHERE posting_key = ?');
    this.db.transaction(() => keys.forEach((k) => stmt.run(k)))();
  }

  reschedule(postingKey: string, dueAt: number, uncertain: boolean): void {
    this.db.prepare('UPDATE intacct_posting_queue SET due_at = ?, uncertain = ? WHERE posting_key = ?').run(dueAt, uncertain ? 1 : 0, postingKey);
  }

  /** Moves the due time only (after an unexpected local error), keeping what is known about the send. */
  postpone(postingKeys: readonly string[], dueAt: number): void {
    const stmt = this.db.prepare('UPDATE intacct_posting_queue SET due_at = ? WHERE posting_key = ?');
    this.db.transaction(() => postingKeys.forEach((k) => stmt.run(dueAt, k)))();
  }

  complete(postingKey: string): void {
    this.db.prepare('DELETE FROM intacct_posting_queue WHERE posting_key = ?').run(postingKey);
  }

  close(): void {
    this.db.close();
  }

  private saveSync(name: string, position: bigint): void {
    this.db
      .prepare('INSERT INTO intacct_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position')
      .run(name, position.toString());
  }
}
