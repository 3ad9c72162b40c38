import type Database from 'better-sqlite3';
import { openRebuildableDatabase, type MovedAside } from '../sqlite-file/rebuildable.js';

/**
 * Why an Intacct function was sent. Intacct meters API transactions per function (a created record is
 * one, a query is one, the getAPISession of a new session is assumed to be one): the connector counts
 * them by what they were for, so the cost of posting can be told from the cost of checking.
 */
export const TRANSACTION_PURPOSES = ['posting', 'read-back', 'reference-sync', 'master-data', 'session', 'attachments', 'payments', 'unattributed'] as const;
export type TransactionPurpose = (typeof TRANSACTION_PURPOSES)[number];

/** Functions sent in one calendar month (UTC, `YYYY-MM`) for one purpose. */
export interface TransactionCount {
  month: string;
  purpose: TransactionPurpose;
  count: number;
}

/** Where the gateway client keeps its counts: once per request, in the same place it counts. */
export interface TransactionLedger {
  /** Every count so far (loaded at start). */
  load(): TransactionCount[];
  /** When counting started (the first start of the service on this data dir), ISO time. */
  countingSince(): string;
  /** Adds the functions of one request, all in one write. */
  add(month: string, counts: ReadonlyMap<TransactionPurpose, number>): void;
}

/** Only in memory: what a test or a tool without a data dir uses. */
export class MemoryTransactionLedger implements TransactionLedger {
  private readonly rows = new Map<string, TransactionCount>();
  private readonly since = new Date().toISOString();

  load(): TransactionCount[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  countingSince(): string {
    return this.since;
  }

  add(month: string, counts: ReadonlyMap<TransactionPurpose, number>): void {
    for (const [purpose, n] of counts) {
      const key = `${month}\u0000${purpose}`;
      const row = this.rows.get(key) ?? { month, purpose, count: 0 };
      row.count += n;
      this.rows.set(key, row);
    }
  }
}

/**
 * The counts in a small SQLite file of the data dir (`intacct-usage.db`), so they survive a restart.
 * They cannot be rebuilt from the event log: a damaged file is moved aside (and named in the log) and
 * counting starts again from zero, with `countingSince` saying so.
 */
export class SqliteTransactionLedger implements TransactionLedger {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly since: string;

  private constructor(path: string, onMovedAside?: (info: MovedAside) => void) {
    const opened = openRebuildableDatabase(
      path,
      (db) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec(`
      CREATE TABLE IF NOT EXISTS intacct_transactions (
        month TEXT NOT NULL,
        purpose TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (month, purpose)
      );
      CREATE TABLE IF NOT EXISTS intacct_transactions_meta (id INTEGER PRIMARY KEY CHECK (id = 1), counting_since TEXT NOT NULL);
    `);
        db.prepare('INSERT INTO intacct_transactions_meta (id, counting_since) VALUES (1, ?) ON CONFLICT (id) DO NOTHING').run(new Date().toISOString());
      },
      onMovedAside,
    );
    this.db = opened.db;
    this.since = this.db.prepare('SELECT counting_since FROM intacct_transactions_meta WHERE id = 1').pluck().get() as string;
    this.upsert = this.db.prepare(
      'INSERT INTO intacct_transactions (month, purpose, count) VALUES (?, ?, ?) ON CONFLICT (month, purpose) DO UPDATE SET count = count + excluded.count',
    );
  }

  static open(path: string, onMovedAside?: (info: MovedAside) => void): SqliteTransactionLedger {
    return new SqliteTransactionLedger(path, onMovedAside);
  }

  load(): TransactionCount[] {
    const rows = this.db.prepare('SELECT month, purpose, count FROM intacct_transactions ORDER BY month, purpose').all() as TransactionCount[];
    return rows.map((r) => ({ month: r.month, purpose: r.purpose, count: r.count }));
  }

  countingSince(): string {
    return this.since;
  }

  add(month: string, counts: ReadonlyMap<TransactionPurpose, number>): void {
    // One UPSERT per purpose of the request (usually one), in one SQLite transaction.
    this.db.transaction(() => {
      for (const [purpose, n] of counts) this.upsert.run(month, purpose, n);
    })();
  }

  close(): void {
    this.db.close();
  }
}
