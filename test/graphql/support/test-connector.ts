import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ConnectorApi, DimensionRecord, JobStatus, MappingChangeResult, MappingHistoryEntry, ProjectionStatus, SyncRunSummary } from '../../../src/app/connector-api.js';
import { newEvent, type RecordedEvent } from '../../../src/domain/events/envelope.js';
import type { EventStore } from '../../../src/domain/eventstore/port.js';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.js';
import { postingStateProjection } from '../../../src/projections/posting-state.js';
import type { ProjectionContext } from '../../../src/projections/projection.js';
import { PostingQueries, type PostingFilter, type PostingPage, type PostingRow } from '../../../src/projections/posting-queries.js';
import { ReportingService } from '../../../src/app/reporting.js';

/**
 * A ConnectorApi over real parts: the reference event store, the posting-state projection applied
 * to a SQLite file in a temp dir, and PostingQueries on top. Mappings, jobs and reference sync are
 * kept as real state here (events in the store for mappings) because their application services
 * live in src/app, which the GraphQL tests must not depend on.
 */
export const MAPPING_STREAM = 'mapping-set';

/** The fake answers like the service for a change that was recorded (no diff kept here). */
const changed = (revision: number): MappingChangeResult => ({ revision, changed: true, dryRun: false, message: `Recorded revision ${revision}.`, diff: [], unchecked: [], forced: [] });

export class TestConnector implements ConnectorApi {
  readonly store: EventStore = new MemoryEventStore();
  readonly dir = mkdtempSync(join(tmpdir(), 'ml-graphql-'));
  readonly db = new Database(join(this.dir, 'read-models.db'));
  readonly queries = new PostingQueries(this.db);
  private checkpoint = -1n;
  private readonly jobs = new Map<string, JobStatus>();
  private readonly runs: SyncRunSummary[] = [];
  private readonly dimensionCache: DimensionRecord[] = [];
  /** When set, the next call of this method throws it (to see how errors reach a client). */
  failNext: { method: keyof ConnectorApi; error: Error } | null = null;

  readonly reporting = new ReportingService({
    db: this.db,
    postings: this.queries,
    timeline: (id) => this.timeline(id),
    // The fake cache names kinds as the application layer does (glaccount, employees, …).
    referenceName: (kind, id) => this.dimensionCache.find((d) => d.kind.toUpperCase().startsWith(kind) && d.id === id)?.name ?? null,
    employeeMapping: () => new Map(),
    mappingChanges: () => [],
  });

  /** The runner's context with logical = physical table names (one generation). */
  private readonly ctx: ProjectionContext = { db: this.db, table: (logical: string) => logical };

  constructor() {
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
    postingStateProjection.setup(this.ctx);
  }

  /** Appends document events to a stream and brings the read model up to date. */
  async append(streamId: string, events: Array<{ type: string; data: unknown; actor?: string; occurredAt?: string }>): Promise<void> {
    await this.store.appendToStream(
      streamId,
      events.map((e) => newEvent(e.type, e.data, { actor: e.actor ?? 'concur:webhook', occurredAt: e.occurredAt })),
    );
    await this.project();
  }

  /** Applies every event after the checkpoint, each in one transaction with the checkpoint. */
  async project(): Promise<void> {
    const events = await this.store.readAll(this.checkpoint < 0n ? {} : { after: this.checkpoint });
    const apply = this.db.transaction((e: RecordedEvent) => {
      if (postingStateProjection.eventTypes.includes(e.type)) postingStateProjection.apply(e, this.ctx);
      this.db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position').run(postingStateProjection.name, e.position.toString());
    });
    for (const e of events) {
      apply(e);
      this.checkpoint = e.position;
    }
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private trip(method: keyof ConnectorApi): void {
    if (this.failNext?.method === method) {
      const { error } = this.failNext;
      this.failNext = null;
      throw error;
    }
  }

  listPostings(filter: PostingFilter, first: number, after?: string): PostingPage {
    this.trip('listPostings');
    return this.queries.list(filter, first, after);
  }
  getPosting(id: string): PostingRow | null {
    return this.queries.get(id);
  }
  async timeline(postingId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(postingId);
  }
  statistics(from?: string, to?: string) {
    return this.queries.statistics(from, to);
  }

  async mappings(asOf?: string): Promise<{ json: string; revision: number; asOf: string | null }> {
    const events = (await this.store.readStream(MAPPING_STREAM)).filter((e) => asOf === undefined || e.recordedAt <= asOf);
    const set: Record<string, unknown> = {};
    for (const e of events) {
      const d = e.data as { section?: string; key?: string; value?: unknown; json?: string };
      if (e.type === 'MappingsImported') {
        for (const k of Object.keys(set)) delete set[k];
        Object.assign(set, JSON.parse(d.json!));
      } else if (e.type === 'MappingChanged' || e.type === 'MappingRemoved') {
        const section = d.section!;
        const scalar = section === 'journal' || section === 'cashAdvanceAccount';
        if (scalar) set[section] = e.type === 'MappingChanged' ? d.value : undefined;
        else {
          const current = (set[section] ?? {}) as Record<string, unknown>;
          if (e.type === 'MappingChanged') current[d.key!] = d.value;
          else delete current[d.key!];
          set[section] = current;
        }
      }
    }
    return { json: JSON.stringify(set), revision: events.length - 1, asOf: asOf ?? null };
  }
  async mappingHistory(): Promise<MappingHistoryEntry[]> {
    return (await this.store.readStream(MAPPING_STREAM)).map((e) => {
      const d = e.data as { section?: string; key?: string; value?: unknown; reason: string };
      return {
        revision: e.revision,
        type: e.type,
        section: d.section ?? null,
        key: d.key ?? null,
        value: d.value === undefined ? null : JSON.stringify(d.value),
        reason: d.reason,
        actor: e.metadata.actor,
        occurredAt: e.metadata.occurredAt,
        diff: [],
        forced: [],
        unchecked: [],
      };
    });
  }
  async setMapping(section: string, key: string, value: unknown, reason: string, actor: string): Promise<MappingChangeResult> {
    const r = await this.store.appendToStream(MAPPING_STREAM, [newEvent('MappingChanged', { section, key, value, reason }, { actor })]);
    return changed(r.nextExpectedRevision);
  }
  async removeMapping(section: string, key: string, reason: string, actor: string): Promise<MappingChangeResult> {
    const current = JSON.parse((await this.mappings()).json) as Record<string, Record<string, unknown> | undefined>;
    if (!Object.hasOwn(current, section) || !Object.hasOwn(current[section] ?? {}, key)) throw Object.assign(new Error(`No mapping ${section}.${key} to remove`), { code: 'NOT_FOUND' });
    const r = await this.store.appendToStream(MAPPING_STREAM, [newEvent('MappingRemoved', { section, key, reason }, { actor })]);
    return changed(r.nextExpectedRevision);
  }
  async importMappings(json: string, reason: string, actor: string): Promise<MappingChangeResult> {
    const r = await this.store.appendToStream(MAPPING_STREAM, [newEvent('MappingsImported', { json, reason }, { actor })]);
    return changed(r.nextExpectedRevision);
  }

  dimensions(kind?: string): DimensionRecord[] {
    return this.dimensionCache.filter((d) => kind === undefined || d.kind === kind);
  }
  async syncRuns(): Promise<SyncRunSummary[]> {
    return [...this.runs].reverse();
  }
  /** "Syncs" from a fixed reference list: the point is that the state it leaves is real and queryable. */
  async syncReferenceData(kinds: string[], actor: string): Promise<JobStatus> {
    const source: DimensionRecord[] = [
      { kind: 'department', id: 'D100', name: 'Sales', status: 'active' },
      { kind: 'department', id: 'D200', name: 'Old', status: 'inactive' },
      { kind: 'glaccount', id: '6500', name: 'Travel', status: 'active' },
      { kind: 'employees', id: 'E1', name: 'Ada', status: 'active' },
    ];
    const wanted = source.filter((d) => kinds.includes(d.kind) || (kinds.includes('dimensions') && !['employees', 'vendors'].includes(d.kind)));
    for (const d of wanted) if (!this.dimensionCache.some((x) => x.kind === d.kind && x.id === d.id)) this.dimensionCache.push(d);
    const at = new Date().toISOString();
    this.runs.push({ id: `sync-${this.runs.length + 1}`, kinds, state: 'succeeded', startedAt: at, finishedAt: at, counts: { upserted: wanted.length }, errors: [] });
    return this.addJob({ kind: 'sync', dryRun: false, processed: wanted.length, total: wanted.length, items: wanted.map((d) => `${d.kind} ${d.id}`), actor });
  }

  async projections(): Promise<ProjectionStatus[]> {
    const head = this.checkpoint;
    const row = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(postingStateProjection.name) as { position: string } | undefined;
    const position = row ? BigInt(row.position) : -1n;
    return [{ name: postingStateProjection.name, version: postingStateProjection.version, position: position.toString(), headPosition: head.toString(), lag: Number(head - position), state: 'live', rebuildProgress: null, error: null }];
  }
  async replayProjection(name: string, _actor: string): Promise<ProjectionStatus> {
    this.db.exec('DROP TABLE postings; DELETE FROM checkpoints');
    postingStateProjection.setup(this.ctx);
    this.checkpoint = -1n;
    await this.project();
    return (await this.projections()).find((p) => p.name === name)!;
  }

  async retryPosting(id: string, actor: string): Promise<PostingRow> {
    this.trip('retryPosting');
    await this.append(id, [{ type: 'PostingRetryRequested', data: { reason: 'retry requested through the API' }, actor }]);
    return this.queries.get(id)!;
  }
  async backfill(from: string, to: string, dryRun: boolean, actor: string): Promise<JobStatus> {
    const rows = this.queries.list({ updatedFrom: from, updatedTo: to }, 1000).rows;
    return this.addJob({ kind: 'backfill', dryRun, processed: rows.length, total: rows.length, items: rows.map((r) => `${dryRun ? 'would post' : 'posted'} ${r.concurDocumentId}`), actor });
  }
  job(id: string): JobStatus | null {
    return this.jobs.get(id) ?? null;
  }
  listJobs(): JobStatus[] {
    return [...this.jobs.values()].reverse();
  }

  private addJob(j: { kind: JobStatus['kind']; dryRun: boolean; processed: number; total: number; items: string[]; actor: string }): JobStatus {
    const at = new Date().toISOString();
    const job: JobStatus = { id: `job-${this.jobs.size + 1}`, kind: j.kind, state: 'succeeded', dryRun: j.dryRun, processed: j.processed, total: j.total, startedAt: at, finishedAt: at, items: j.items, error: null };
    this.jobs.set(job.id, job);
    return job;
  }
}
