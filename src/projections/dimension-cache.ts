import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../domain/events/envelope.js';
import type { MappingReference } from '../domain/mapping/value-check.js';
import type { DimensionCheck, ReferenceStatus } from '../domain/posting/types.js';
import { kindOfTarget, REFERENCE_EVENT_TYPES, type ReferenceDataSynced, type ReferenceKind, type ReferenceRecord } from '../domain/reference/events.js';
import type { Projection, ProjectionContext } from './projection.js';
import { isReferenceEvent } from '../domain/reference/events.js';

/**
 * Dimension cache: the Intacct accounts, departments, locations, projects, customers, classes,
 * employees and vendors the postings may use, with their status. Fed by `ReferenceDataSynced`.
 * A complete sync removes what Intacct no longer has; a delta only upserts.
 */
export const dimensionCacheProjection: Projection = {
  name: 'dimension-cache',
  version: 1,
  eventTypes: REFERENCE_EVENT_TYPES,
  tables: ['reference_records', 'reference_kinds'],

  setup(ctx: ProjectionContext): void {
    // ctx.table is a method of the runner's generation: called on ctx, never destructured.
    const db = ctx.db;
    const records = ctx.table('reference_records');
    const kinds = ctx.table('reference_kinds');
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${records} (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        seen_position INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE TABLE IF NOT EXISTS ${kinds} (
        kind TEXT PRIMARY KEY,
        record_count INTEGER NOT NULL,
        last_synced_at TEXT NOT NULL,
        last_complete_at TEXT
      );
    `);
  },

  apply(event: RecordedEvent, ctx: ProjectionContext): void {
    const db = ctx.db;
    if (!isReferenceEvent(event, 'ReferenceDataSynced')) return;
    const data = event.data;
    const records = ctx.table('reference_records');
    const kinds = ctx.table('reference_kinds');
    const position = Number(event.position);
    const at = event.metadata.occurredAt;
    const upsert = db.prepare(
      `INSERT INTO ${records} (kind, id, name, status, seen_position, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(kind, id) DO UPDATE SET name = excluded.name, status = excluded.status, seen_position = excluded.seen_position, updated_at = excluded.updated_at`,
    );
    for (const r of data.records) upsert.run(data.kind, r.id, r.name ?? '', r.status, position, at);
    if (data.complete) db.prepare(`DELETE FROM ${records} WHERE kind = ? AND seen_position < ?`).run(data.kind, position);
    const count = (db.prepare(`SELECT COUNT(*) AS n FROM ${records} WHERE kind = ?`).get(data.kind) as { n: number }).n;
    db.prepare(
      `INSERT INTO ${kinds} (kind, record_count, last_synced_at, last_complete_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(kind) DO UPDATE SET record_count = excluded.record_count, last_synced_at = excluded.last_synced_at,
         last_complete_at = COALESCE(excluded.last_complete_at, ${kinds}.last_complete_at)`,
    ).run(data.kind, count, at, data.complete ? at : null);
  },
};

/**
 * A `DimensionCheck` reading the cache (logical table names: the runner's views of the live
 * generation). A kind that was never synced cannot be judged, so its values pass: otherwise a fresh
 * install would block every posting until the first sync. ITEMID is never checked.
 */
export function dimensionCheckFrom(db: Database.Database, names = { records: 'reference_records', kinds: 'reference_kinds' }): DimensionCheck {
  const status = db.prepare(`SELECT status FROM ${names.records} WHERE kind = ? AND id = ?`).pluck();
  const synced = db.prepare(`SELECT 1 FROM ${names.kinds} WHERE kind = ?`).pluck();
  return (target, value): ReferenceStatus => {
    const kind = kindOfTarget(target);
    if (kind === null) return 'ok';
    const found = status.get(kind, value) as string | undefined;
    if (found !== undefined) return found === 'active' ? 'ok' : 'inactive';
    return synced.get(kind) === undefined ? 'ok' : 'missing';
  };
}

/**
 * The cache as mapping changes see it (domain/mapping/value-check.ts): a value is ok, missing or
 * inactive, or `unchecked` when its kind was never synced (first start, sync still running) or is
 * not synced at all (ITEMID). Active ids are read per kind once per command, for suggestions.
 */
export function mappingReferenceFrom(db: Database.Database, names = { records: 'reference_records', kinds: 'reference_kinds' }): MappingReference {
  const status = db.prepare(`SELECT status FROM ${names.records} WHERE kind = ? AND id = ?`).pluck();
  const synced = db.prepare(`SELECT 1 FROM ${names.kinds} WHERE kind = ? AND record_count > 0`).pluck();
  const active = db.prepare(`SELECT id FROM ${names.records} WHERE kind = ? AND status = 'active' ORDER BY id`).pluck();
  const activeByKind = new Map<ReferenceKind, string[]>();
  return {
    status(target, value) {
      const kind = kindOfTarget(target);
      if (kind === null || synced.get(kind) === undefined) return 'unchecked';
      const found = status.get(kind, value) as string | undefined;
      return found === undefined ? 'missing' : found === 'active' ? 'ok' : 'inactive';
    },
    activeValues(target) {
      const kind = kindOfTarget(target);
      if (kind === null) return [];
      let ids = activeByKind.get(kind);
      if (ids === undefined) activeByKind.set(kind, (ids = active.all(kind) as string[]));
      return ids;
    },
  };
}

export interface ReferenceKindSummary {
  kind: ReferenceKind;
  recordCount: number;
  lastSyncedAt: string;
  lastCompleteAt: string | null;
}

export function listReferenceKinds(db: Database.Database, table = 'reference_kinds'): ReferenceKindSummary[] {
  return (db.prepare(`SELECT kind, record_count, last_synced_at, last_complete_at FROM ${table} ORDER BY kind`).all() as Record<string, unknown>[]).map(
    (r) => ({
      kind: r['kind'] as ReferenceKind,
      recordCount: r['record_count'] as number,
      lastSyncedAt: r['last_synced_at'] as string,
      lastCompleteAt: (r['last_complete_at'] as string | null) ?? null,
    }),
  );
}

export function listReferenceRecords(
  db: Database.Database,
  kind: ReferenceKind,
  options: { status?: 'active' | 'inactive'; table?: string } = {},
): ReferenceRecord[] {
  const table = options.table ?? 'reference_records';
  const rows = options.status
    ? db.prepare(`SELECT id, name, status FROM ${table} WHERE kind = ? AND status = ? ORDER BY id`).all(kind, options.status)
    : db.prepare(`SELECT id, name, status FROM ${table} WHERE kind = ? ORDER BY id`).all(kind);
  return rows as ReferenceRecord[];
}
