import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../domain/events/envelope.js';
import {
  diffMappingSets,
  emptyMappingSet,
  evolveMappingSet,
  MAPPING_EVENT_TYPES,
  isMappingEvent,
  MAPPINGS_STREAM,
  mappingSetFromJson,
  mappingSetToJson,
  type ForcedMappingValue,
  type MappingChanged,
  type MappingDiffEntry,
  type MappingSet,
  type MappingSetJson,
  type MappingsImported,
  type MappingValueRef,
} from '../domain/mapping/index.js';
import type { Projection, ProjectionContext } from './projection.js';

/**
 * Mapping read model: the current mapping set (one row, in its JSON form: a Map would be stored as
 * `{}`) and the history of every change with its actor, reason and diff (what was added, changed or
 * removed, computed against the set before the event), for `mappings(asOf)`, `mappingHistory` and
 * the audit screen. v2 added the diff and the forced / unchecked values.
 */
export const mappingReadModelProjection: Projection = {
  name: 'mapping-read-model',
  version: 2,
  eventTypes: MAPPING_EVENT_TYPES,
  tables: ['mapping_current', 'mapping_history'],

  setup(ctx: ProjectionContext): void {
    // ctx.table is a method of the runner's generation: called on ctx, never destructured.
    const db = ctx.db;
    const current = ctx.table('mapping_current');
    const history = ctx.table('mapping_history');
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${current} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL,
        mappings_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${history} (
        position INTEGER PRIMARY KEY,
        revision INTEGER NOT NULL,
        type TEXT NOT NULL,
        section TEXT,
        key TEXT,
        value_json TEXT,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        diff_json TEXT NOT NULL,
        forced_json TEXT NOT NULL,
        unchecked_json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${history}_occurred ON ${history}(occurred_at);
      CREATE INDEX IF NOT EXISTS ${history}_section ON ${history}(section, key);
    `);
  },

  apply(event: RecordedEvent, ctx: ProjectionContext): void {
    const db = ctx.db;
    if (event.streamId !== MAPPINGS_STREAM || (event.type !== 'MappingChanged' && event.type !== 'MappingsImported')) return;
    const current = ctx.table('mapping_current');
    const history = ctx.table('mapping_history');
    const row = db.prepare(`SELECT mappings_json FROM ${current} WHERE id = 1`).get() as { mappings_json: string } | undefined;
    const before: MappingSet = row ? mappingSetFromJson(JSON.parse(row.mappings_json) as MappingSetJson) : emptyMappingSet();
    const after = evolveMappingSet(before, event);
    const { actor, occurredAt, correlationId } = event.metadata;
    db.prepare(
      `INSERT INTO ${current} (id, revision, mappings_json, updated_at, updated_by) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET revision = excluded.revision, mappings_json = excluded.mappings_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(event.revision, JSON.stringify(mappingSetToJson(after)), occurredAt, actor);
    const d = isMappingEvent(event, 'MappingChanged') || isMappingEvent(event, 'MappingsImported') ? event.data : { forced: [], unchecked: [] };
    const checks = [JSON.stringify(diffMappingSets(before, after)), JSON.stringify(d.forced ?? []), JSON.stringify(d.unchecked ?? [])];
    if (isMappingEvent(event, 'MappingChanged')) {
      const c = event.data;
      db.prepare(`INSERT OR IGNORE INTO ${history} VALUES (?, ?, 'MappingChanged', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        Number(event.position),
        event.revision,
        c.section,
        c.key,
        JSON.stringify(c.value),
        c.reason,
        actor,
        occurredAt,
        correlationId,
        ...checks,
      );
    } else if (isMappingEvent(event, 'MappingsImported')) {
      const i = event.data;
      db.prepare(`INSERT OR IGNORE INTO ${history} VALUES (?, ?, 'MappingsImported', NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        Number(event.position),
        event.revision,
        JSON.stringify(i.mappings),
        i.reason,
        actor,
        occurredAt,
        correlationId,
        ...checks,
      );
    }
  },
};

export interface MappingHistoryItem {
  revision: number;
  type: 'MappingChanged' | 'MappingsImported';
  section: string | null;
  key: string | null;
  value: unknown;
  reason: string;
  actor: string;
  occurredAt: string;
  /** What this revision added, changed or removed. */
  diff: MappingDiffEntry[];
  forced: ForcedMappingValue[];
  unchecked: MappingValueRef[];
}

export function readCurrentMappings(
  db: Database.Database,
  table = 'mapping_current',
): { set: MappingSet; revision: number; updatedAt: string | null; updatedBy: string | null } {
  const row = db.prepare(`SELECT revision, mappings_json, updated_at, updated_by FROM ${table} WHERE id = 1`).get() as
    | { revision: number; mappings_json: string; updated_at: string; updated_by: string }
    | undefined;
  if (!row) return { set: emptyMappingSet(), revision: -1, updatedAt: null, updatedBy: null };
  return {
    set: mappingSetFromJson(JSON.parse(row.mappings_json) as MappingSetJson),
    revision: row.revision,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export function readMappingHistory(
  db: Database.Database,
  options: { section?: string; key?: string; limit?: number; table?: string } = {},
): MappingHistoryItem[] {
  const table = options.table ?? 'mapping_history';
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.section !== undefined) where.push('section = ?'), params.push(options.section);
  if (options.key !== undefined) where.push('key = ?'), params.push(options.key);
  const sql = `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position DESC LIMIT ?`;
  return (db.prepare(sql).all(...params, options.limit ?? 100) as Record<string, unknown>[]).map(toItem);
}

/** The set as of a time, folded from the history rows (same rule as `mappingSetFromEvents`). */
export function readMappingsAsOf(db: Database.Database, asOf: string | Date, table = 'mapping_history'): { set: MappingSet; revision: number } {
  const limit = asOf instanceof Date ? asOf.toISOString() : new Date(asOf).toISOString();
  let set = emptyMappingSet();
  let revision = -1;
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY position`).all() as Record<string, unknown>[]) {
    const item = toItem(row);
    if (Date.parse(item.occurredAt) > Date.parse(limit)) continue;
    const data =
      item.type === 'MappingsImported'
        ? { mappings: item.value, reason: item.reason }
        : { section: item.section, key: item.key, value: item.value, reason: item.reason };
    set = evolveMappingSet(set, { type: item.type, data });
    revision = item.revision;
  }
  return { set, revision };
}

function toItem(r: Record<string, unknown>): MappingHistoryItem {
  return {
    revision: r['revision'] as number,
    type: r['type'] as MappingHistoryItem['type'],
    section: (r['section'] as string | null) ?? null,
    key: (r['key'] as string | null) ?? null,
    value: r['value_json'] === null ? null : JSON.parse(r['value_json'] as string),
    reason: r['reason'] as string,
    actor: r['actor'] as string,
    occurredAt: r['occurred_at'] as string,
    // Absent while a frozen v1 generation still serves during the rebuild to v2.
    diff: typeof r['diff_json'] === 'string' ? (JSON.parse(r['diff_json']) as MappingDiffEntry[]) : [],
    forced: typeof r['forced_json'] === 'string' ? (JSON.parse(r['forced_json']) as ForcedMappingValue[]) : [],
    unchecked: typeof r['unchecked_json'] === 'string' ? (JSON.parse(r['unchecked_json']) as MappingValueRef[]) : [],
  };
}
