import type Database from 'better-sqlite3';

export interface CheckpointRow {
  name: string;
  version: number;
  generation: number;
  /** Last applied global position; -1n before the first event. */
  position: bigint;
}

export interface RebuildRow extends CheckpointRow {
  startedAt: string;
}

/** The runner's bookkeeping tables (`projection_checkpoints`, `projection_rebuilds`). */
export class ProjectionCatalog {
  private readonly getLive: Database.Statement<[string], { version: number; generation: number; position: bigint }>;
  private readonly putLive: Database.Statement<[string, number, number, bigint]>;
  private readonly movePosition: Database.Statement<[bigint, string]>;
  private readonly getRebuild: Database.Statement<[string], { version: number; generation: number; position: bigint; started_at: string }>;
  private readonly putRebuild: Database.Statement<[string, number, number, bigint, string]>;
  private readonly moveRebuild: Database.Statement<[bigint, string]>;
  private readonly deleteRebuild: Database.Statement<[string]>;

  constructor(readonly db: Database.Database) {
    this.getLive = db.prepare<[string], { version: number; generation: number; position: bigint }>(
      'SELECT version, generation, position FROM projection_checkpoints WHERE name = ?',
    );
    this.getLive.safeIntegers(true);
    this.putLive = db.prepare(
      `INSERT INTO projection_checkpoints (name, version, generation, position) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET version = excluded.version, generation = excluded.generation, position = excluded.position`,
    );
    this.movePosition = db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?');
    this.getRebuild = db.prepare<[string], { version: number; generation: number; position: bigint; started_at: string }>(
      'SELECT version, generation, position, started_at FROM projection_rebuilds WHERE name = ?',
    );
    this.getRebuild.safeIntegers(true);
    this.putRebuild = db.prepare(
      `INSERT INTO projection_rebuilds (name, version, generation, position, started_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET version = excluded.version, generation = excluded.generation, position = excluded.position, started_at = excluded.started_at`,
    );
    this.moveRebuild = db.prepare('UPDATE projection_rebuilds SET position = ? WHERE name = ?');
    this.deleteRebuild = db.prepare('DELETE FROM projection_rebuilds WHERE name = ?');
  }

  live(name: string): CheckpointRow | undefined {
    const row = this.getLive.get(name);
    return row && { name, version: Number(row.version), generation: Number(row.generation), position: row.position };
  }

  setLive(row: CheckpointRow): void {
    this.putLive.run(row.name, row.version, row.generation, row.position);
  }

  moveLive(name: string, position: bigint): void {
    this.movePosition.run(position, name);
  }

  rebuild(name: string): RebuildRow | undefined {
    const row = this.getRebuild.get(name);
    return row && { name, version: Number(row.version), generation: Number(row.generation), position: row.position, startedAt: row.started_at };
  }

  startRebuild(row: RebuildRow): void {
    this.putRebuild.run(row.name, row.version, row.generation, row.position, row.startedAt);
  }

  moveRebuildTo(name: string, position: bigint): void {
    this.moveRebuild.run(position, name);
  }

  endRebuild(name: string): void {
    this.deleteRebuild.run(name);
  }
}
