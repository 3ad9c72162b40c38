import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../domain/events/envelope.js';
import type { Projection, ProjectionContext } from './projection.js';
import { ConnectorError } from '../domain/errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Physical table of one generation of a logical read-model table. */
export function physicalTable(logical: string, generation: number): string {
  return `${logical}__g${generation}`;
}

/** One generation of a projection's tables: where a live run or a rebuild writes. */
export class Generation implements ProjectionContext {
  private readonly handled: ReadonlySet<string>;

  constructor(
    readonly db: Database.Database,
    readonly projection: Projection,
    readonly number: number,
  ) {
    for (const logical of projection.tables) {
      if (!IDENTIFIER.test(logical)) throw new Error(`Projection ${projection.name}: table name "${logical}" is not a plain SQL identifier`);
    }
    this.handled = new Set(projection.eventTypes);
  }

  table(logical: string): string {
    if (!this.projection.tables.includes(logical)) {
      throw new Error(`Projection ${this.projection.name} does not declare table "${logical}" (declared: ${this.projection.tables.join(', ')})`);
    }
    return physicalTable(logical, this.number);
  }

  /** Creates the generation's tables (dropping leftovers of an interrupted earlier attempt). */
  create(): void {
    this.drop();
    this.projection.setup(this);
  }

  drop(): void {
    for (const logical of this.projection.tables) this.db.exec(`DROP TABLE IF EXISTS "${physicalTable(logical, this.number)}"`);
  }

  /** Points the logical names (views readers query) at this generation. Call inside a transaction. */
  serve(): void {
    for (const logical of this.projection.tables) {
      this.db.exec(`DROP VIEW IF EXISTS "${logical}"`);
      this.db.exec(`CREATE VIEW "${logical}" AS SELECT * FROM "${physicalTable(logical, this.number)}"`);
    }
  }

  /**
   * Applies the events after `after` (skipping any at or before it, e.g. redelivered after a swap)
   * and returns the new position. Runs inside the caller's transaction: an error rolls back the whole
   * batch, checkpoint included, so no event is ever applied twice or half.
   */
  applyAll(events: readonly RecordedEvent[], after: bigint): bigint {
    let position = after;
    for (const event of events) {
      if (event.position <= position) continue;
      if (this.handled.has(event.type)) {
        try {
          this.projection.apply(event, this);
        } catch (error) {
          throw new ProjectionApplyError(this.projection, event, error);
        }
      }
      position = event.position;
    }
    return position;
  }
}

/** Generation tables that are neither served nor being rebuilt (left by a crash between swap and drop). */
export function dropOrphanGenerations(db: Database.Database, projection: Projection, keep: readonly number[]): void {
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  for (const logical of projection.tables) {
    const pattern = new RegExp(`^${logical}__g(\\d+)$`);
    for (const { name } of tables) {
      const match = pattern.exec(name);
      if (match && !keep.includes(Number(match[1]))) db.exec(`DROP TABLE IF EXISTS "${name}"`);
    }
  }
}

/** A projection's `apply` threw: names the projection, the event and what to do. */
export class ProjectionApplyError extends ConnectorError {
  override readonly name = 'ProjectionApplyError';
  constructor(projection: Projection, event: RecordedEvent, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Projection ${projection.name} v${projection.version} could not apply event ${event.id} (${event.type}, stream ${event.streamId}, ` +
        `position ${event.position}): ${reason}. Nothing of its batch was kept; fix the projection and restart (it resumes from its checkpoint).`,
      { cause },
    );
  }
}
