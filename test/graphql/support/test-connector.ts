import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type {
  ConnectorApi,
  DimensionRecord,
  JobStatus,
  MappingChangeResult,
  MappingHistoryEntry,
  MappingImportOptions,
  ProjectionStatus,
  SyncRunSummary,
} from '../../../src/application/connector-api.js';
import { historyEntry, MappingChanges } from '../../../src/application/mapping-changes.js';
import { ReportingService } from '../../../src/application/reporting.js';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.js';
import { newEvent, type RecordedEvent } from '../../../src/domain/events/envelope.js';
import type { EventStore } from '../../../src/domain/eventstore/port.js';
import { exportMappingsJson, MAPPING_SECTIONS, type MappingSection } from '../../../src/domain/mapping/index.js';
import { dimensionCacheProjection } from '../../../src/projections/dimension-cache.js';
import { mappingReadModelProjection, readCurrentMappings, readMappingHistory, readMappingsAsOf } from '../../../src/projections/mapping-read-model.js';
import { PostingQueries, type PostingFilter, type PostingPage, type PostingRow } from '../../../src/projections/posting-queries.js';
import { postingStateProjection } from '../../../src/projections/posting-state.js';
import { ProjectionRunner } from '../../../src/projections/runner.js';

/**
 * A ConnectorApi over real parts: the reference event store, the real projection runner (posting
 * state, mapping read model, dimension cache) on a SQLite file in a temp dir, PostingQueries on top,
 * and mapping changes through the real mapping decider and command handler (MappingChanges). Jobs and
 * the reference sync are kept as plain state: the GraphQL tests are about the API, not about them.
 */

export class TestConnector implements ConnectorApi {
  readonly store: EventStore = new MemoryEventStore();
  readonly dir = mkdtempSync(join(tmpdir(), 'ml-graphql-'));
  readonly runner = ProjectionRunner.start({
    store: this.store,
    databasePath: join(this.dir, 'read-models.db'),
    projections: [postingStateProjection, mappingReadModelProjection, dimensionCacheProjection],
  });
  readonly db: Database.Database = this.runner.db;
  readonly queries = new PostingQueries(this.db);
  private readonly jobs = new Map<string, JobStatus>();
  private readonly runs: SyncRunSummary[] = [];
  private readonly dimensionCache: DimensionRecord[] = [];
  private readonly mappingChanges = new MappingChanges({
    store: this.store,
    db: () => this.db,
    waitFor: (position) => this.runner.waitFor(position),
    changed: () => undefined,
  });
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

  /** Appends document events to a stream and brings the read model up to date. */
  async append(streamId: string, events: Array<{ type: string; data: unknown; actor?: string; occurredAt?: string }>): Promise<void> {
    await this.store.appendToStream(
      streamId,
      events.map((e) => newEvent(e.type, e.data, { actor: e.actor ?? 'concur:webhook', occurredAt: e.occurredAt })),
    );
    await this.project();
  }

  /** Waits until the read models include everything stored. */
  async project(): Promise<void> {
    await this.runner.waitFor(await this.store.headPosition());
  }

  async close(): Promise<void> {
    await this.runner.stop();
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
    await this.project();
    const { set, revision } = asOf ? readMappingsAsOf(this.db, asOf) : readCurrentMappings(this.db);
    return { json: exportMappingsJson(set), revision, asOf: asOf ?? null };
  }
  async mappingHistory(): Promise<MappingHistoryEntry[]> {
    await this.project();
    return readMappingHistory(this.db, { limit: 500 }).map(historyEntry);
  }
  async setMapping(
    section: string,
    key: string,
    value: unknown,
    reason: string,
    actor: string,
    options: { force?: boolean } = {},
  ): Promise<MappingChangeResult> {
    this.trip('setMapping');
    return this.mappingChanges.run({ type: 'setMapping', section: this.section(section), key, value, reason, actor, force: options.force === true });
  }
  async removeMapping(section: string, key: string, reason: string, actor: string): Promise<MappingChangeResult> {
    this.trip('removeMapping');
    return this.mappingChanges.run({ type: 'removeMapping', section: this.section(section), key, reason, actor });
  }
  /** As the service: mode, dryRun and force are passed on (without options: REPLACE, as this connector always did). */
  async importMappings(json: string, reason: string, actor: string, options?: MappingImportOptions): Promise<MappingChangeResult> {
    this.trip('importMappings');
    const mode = options?.mode ?? 'replace';
    return this.mappingChanges.run({ type: 'importMappings', json, reason, actor, mode, force: options?.force === true }, options?.dryRun === true);
  }

  private section(name: string): MappingSection {
    if (!(MAPPING_SECTIONS as readonly string[]).includes(name)) {
      throw Object.assign(new Error(`Unknown mapping section "${name}": use one of ${MAPPING_SECTIONS.join(', ')}`), { code: 'BAD_USER_INPUT' });
    }
    return name as MappingSection;
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
    this.runs.push({
      id: `sync-${this.runs.length + 1}`,
      kinds,
      state: 'succeeded',
      startedAt: at,
      finishedAt: at,
      counts: { upserted: wanted.length },
      errors: [],
    });
    return this.addJob({ kind: 'sync', dryRun: false, processed: wanted.length, total: wanted.length, items: wanted.map((d) => `${d.kind} ${d.id}`), actor });
  }

  async projections(): Promise<ProjectionStatus[]> {
    return (await this.runner.status()).map((p) => ({
      name: p.name,
      version: p.version,
      position: p.position.toString(),
      headPosition: p.headPosition.toString(),
      lag: p.lag,
      state: p.state,
      rebuildProgress: p.rebuild?.progress ?? null,
      error: p.error ?? null,
    }));
  }
  async replayProjection(name: string, _actor: string): Promise<ProjectionStatus> {
    const known = (await this.runner.status()).map((s) => s.name);
    if (!known.includes(name)) throw Object.assign(new Error(`Unknown projection "${name}"; known: ${known.join(', ')}`), { code: 'NOT_FOUND' });
    await this.runner.rebuild(name);
    return (await this.projections()).find((p) => p.name === name)!;
  }

  async retryPosting(id: string, actor: string): Promise<PostingRow> {
    this.trip('retryPosting');
    await this.append(id, [{ type: 'PostingRetryRequested', data: { reason: 'retry requested through the API' }, actor }]);
    return this.queries.get(id)!;
  }
  async backfill(from: string, to: string, dryRun: boolean, actor: string): Promise<JobStatus> {
    const rows = this.queries.list({ updatedFrom: from, updatedTo: to }, 1000).rows;
    return this.addJob({
      kind: 'backfill',
      dryRun,
      processed: rows.length,
      total: rows.length,
      items: rows.map((r) => `${dryRun ? 'would post' : 'posted'} ${r.concurDocumentId}`),
      actor,
    });
  }
  job(id: string): JobStatus | null {
    return this.jobs.get(id) ?? null;
  }
  listJobs(): JobStatus[] {
    return [...this.jobs.values()].reverse();
  }

  private addJob(j: { kind: JobStatus['kind']; dryRun: boolean; processed: number; total: number; items: string[]; actor: string }): JobStatus {
    const at = new Date().toISOString();
    const job: JobStatus = {
      id: `job-${this.jobs.size + 1}`,
      kind: j.kind,
      state: 'succeeded',
      dryRun: j.dryRun,
      processed: j.processed,
      total: j.total,
      startedAt: at,
      finishedAt: at,
      items: j.items,
      error: null,
    };
    this.jobs.set(job.id, job);
    return job;
  }
}
