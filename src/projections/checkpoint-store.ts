import type Database from 'better-sqlite3';
import { openReadModelDb } from './read-model-db.js';

/**
 * A named position in the global log, for reactors that are not projections (the posting worker, the
 * Kafka publisher). Kept in the read-model database so a reactor that writes its own rows there can
 * save the checkpoint in the same transaction (`save` joins an open transaction).
 */
export class SqliteCheckpointStore {
  private readonly loadStmt: Database.Statement<[string], { position: bigint }>;
  private readonly saveStmt: Database.Statement<[string, bigint]>;

  constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS reactor_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    this.loadStmt = db.prepare<[string], { position: bigint }>('SELECT position FROM reactor_checkpoints WHERE name = ?').safeIntegers(true);
    this.saveStmt = db.prepare<[string, bigint]>(
      'INSERT INTO reactor_checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position',
    );
  }

  static open(path: string): SqliteCheckpointStore {
    return new SqliteCheckpointStore(openReadModelDb(path));
  }

  /** The saved position, or undefined when the reactor has never saved one (start from the beginning). */
  load(name: string): bigint | undefined {
    return this.loadStmt.get(name)?.position;
  }

  save(name: string, position: bigint): void {
    this.saveStmt.run(name, position);
  }

  close(): void {
    this.db.close();
  }
}
