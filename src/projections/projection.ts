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
}

export interface Projection {
  readonly name: string;
  /** Bump when the read model's shape or meaning changes: the runner then rebuilds it. */
  readonly version: number;
  /** Event types applied; other events only advance the checkpoint. */
  readonly eventTypes: readonly string[];
  /** Logical table names the projection owns. */
  readonly tables: readonly string[];
  /**
   * Creates the tables (and indexes) of one generation. Name indexes after `ctx.table(...)` (e.g.
   * `${ctx.table('postings')}_by_status`): two generations exist side by side during a rebuild.
   */
  setup(ctx: ProjectionContext): void;
  /** Applies one event synchronously, inside the runner's transaction. Must not do I/O besides `ctx.db`. */
  apply(event: RecordedEvent, ctx: ProjectionContext): void;
}

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * `ctx.db.prepare(sql)`, cached per database and SQL text. Preparing once per event would dominate a
 * replay of a million events; the SQL names the generation's physical tables, so each generation
 * gets its own statements.
 */
export function prepareCached(ctx: Pick<ProjectionContext, 'db'>, sql: string): Database.Statement {
  let cache = statementCaches.get(ctx.db);
  if (!cache) statementCaches.set(ctx.db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = ctx.db.prepare(sql)));
  return statement;
}
