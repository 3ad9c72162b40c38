import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../domain/events/envelope.js';

/**
 * A projection: a named, versioned read model kept in SQLite under ML_DATA_DIR (whichever event
 * store is used). The runner (`projections/runner.ts`) applies each event and moves the checkpoint in
 * one transaction, so every event is applied exactly once.
 *
 * Tables are addressed through `ctx.table(logical)`, which names the physical table of the generation
 * being written. Readers query the logical name (a view the runner points at the live generation),
 * so a rebuild can fill fresh tables while the old ones keep serving, then swap atomically.
 */
export interface ProjectionContext {
  readonly db: Database.Database;
  table(logical: string): string;
  /**
   * A prepared statement cached for this generation (the SQL names physical tables, so one cache per
   * generation). Preparing once per event would dominate a replay of a million events.
   */
  prepare(sql: string): Database.Statement;
}

export interface Projection {
  readonly name: string;
  /** Bump when the read model's shape or meaning changes: the runner then rebuilds it. */
  readonly version: number;
  /** Event types applied; other events only advance the checkpoint. */
  readonly eventTypes: readonly string[];
  /** Logical table names the projection owns. */
  readonly tables: readonly string[];
  /** Creates the tables (and indexes) of one generation. */
  setup(ctx: ProjectionContext): void;
  /** Applies one event synchronously, inside the runner's transaction. Must not do I/O besides `ctx.db`. */
  apply(event: RecordedEvent, ctx: ProjectionContext): void;
}
