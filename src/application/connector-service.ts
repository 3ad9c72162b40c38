import { LifecycleError } from '../domain/document/decider.js';
import { isConcurDocType } from '../domain/concur.js';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EventStore } from '../domain/eventstore/port.js';
import { parseFisDocument } from '../domain/fis/index.js';
import type { ConcurDocType } from '../domain/journal/journal-entry.js';
import { exportMappingsJson, MAPPING_SECTIONS, type MappingSection } from '../domain/mapping/index.js';
import { preparePosting } from '../domain/posting/index.js';
import { REFERENCE_KINDS, type ReferenceKind } from '../domain/reference/index.js';
import { dimensionCheckFrom, listReferenceRecords } from '../projections/dimension-cache.js';
import { readCurrentMappings, readMappingHistory, readMappingsAsOf } from '../projections/mapping-read-model.js';
import { PostingQueries, type ListOptions, type PostingFilter } from '../projections/posting-queries.js';
import type { ProjectionRunner } from '../projections/runner.js';
import type {
  ConnectorApi,
  DimensionRecord,
  JobStatus,
  MappingChangeResult,
  MappingHistoryEntry,
  MappingImportOptions,
  ProjectionStatus,
  SyncRunSummary,
} from './connector-api.js';
import { historyEntry, MappingChanges } from './mapping-changes.js';
import type { DocumentPipeline, DocumentPreparer } from '../processes/document-pipeline.js';
import type { HealthMonitor } from './health-monitor.js';
import { ReportingService } from './reporting.js';
import { ConsoleQueries } from '../projections/console-queries.js';
import { ConnectorError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { PostingReadWorker } from '../projections/query-pool.js';
import type { IntacctTransactionCounts } from './reporting.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** A request the caller got wrong (unknown id, invalid input): GraphQL shows it as BAD_USER_INPUT / NOT_FOUND. */
export class UserInputError extends ConnectorError {
  override readonly name = 'UserInputError';
  constructor(
    message: string,
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' = 'BAD_USER_INPUT',
  ) {
    super(message);
  }
}

export interface JobRunner {
  backfill(from: string, to: string, dryRun: boolean, actor: string, progress: (job: JobStatus) => void): Promise<JobStatus>;
  sync(kinds: string[], actor: string, progress: (job: JobStatus) => void, options?: { full?: boolean }): Promise<JobStatus>;
  syncRuns(): Promise<SyncRunSummary[]>;
}

/**
 * The application services behind the GraphQL API and the CLI: reads from the read models, writes as
 * events through the deciders. Long work (backfill, sync, replay) runs as jobs whose progress can be
 * polled.
 */
export class ConnectorService implements ConnectorApi {
  readonly queries: PostingQueries;
  private readonly reads: PostingReadWorker | null;
  readonly reporting: ReportingService;
  private readonly jobs = new Map<string, JobStatus>();
  private readonly mappingChanges: MappingChanges;
  /** The operator log: every action taken through the API, with its actor (README, Logs). */
  private readonly log: Logger;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly pipeline: Pick<DocumentPipeline, 'kick' | 'retry'>,
    private readonly jobRunner: JobRunner,
    private readonly defaultJournal: string,
    extras: { health?: HealthMonitor; intacctTransactions?: () => IntacctTransactionCounts; log?: Logger; reads?: PostingReadWorker } = {},
  ) {
    this.log = extras.log ?? silent;
    this.reads = extras.reads ?? null;
    this.queries = new PostingQueries(runner.db);
    this.mappingChanges = new MappingChanges({
      store,
      db: () => this.db,
      waitFor: (position) => this.runner.waitFor(position),
      changed: () => this.pipeline.kick(),
    });
    let employees: { revision: number; map: ReadonlyMap<string, string> } = { revision: -2, map: new Map() };
    this.reporting = new ReportingService({
      db: runner.db,
      postings: this.queries,
      timeline: (id) => this.timeline(id),
      referenceName: (kind, id) =>
        (this.db.prepare('SELECT name FROM reference_records WHERE kind = ? AND id = ?').pluck().get(kind, id) as string | undefined) || null,
      employeeMapping: () => {
        const revision = (this.db.prepare('SELECT revision FROM mapping_current WHERE id = 1').pluck().get() as number | undefined) ?? -1;
        if (revision !== employees.revision) employees = { revision, map: readCurrentMappings(this.db).set.employees };
        return employees.map;
      },
      mappingChanges: (from, to) => new ConsoleQueries(this.db, this.queries).mappingChangesBetween(from, to),
      health: extras.health,
      intacctTransactions: extras.intacctTransactions,
    });
  }

  private get db(): Database.Database {
    return this.runner.db;
  }

  /** Waits until the read models include everything appended so far (read-your-writes for the API). */
  async caughtUp(): Promise<void> {
    await this.runner.waitFor(await this.store.headPosition());
  }

  /** The preparer the pipeline uses: current mappings + the dimension cache + the posting rules. */
  preparer(): DocumentPreparer {
    const check = dimensionCheckFrom(this.db);
    return (item, _docType, _docId, options = {}) => {
      const { set, revision } = readCurrentMappings(this.db);
      let doc;
      try {
        doc = parseFisDocument(item);
      } catch (error) {
        return { result: 'rejected', reason: (error as Error).message, difference: null };
      }
      const result = preparePosting(doc, set, check, {
        today: new Date().toISOString().slice(0, 10),
        defaultJournal: this.defaultJournal,
        batchDate: options.batchDate ?? null,
      });
      if (result.ok)
        return {
          result: 'entry',
          entry: result.entry,
          ...(result.records.length > 1 ? { records: result.records } : {}),
          mappingRevision: revision,
          closedPeriodPolicy: set.options.closedPeriodPolicy,
        };
      if ('gaps' in result) return { result: 'gaps', gaps: result.gaps, mappingRevision: revision };
      return { result: 'rejected', reason: result.rejected.reason, difference: result.rejected.difference };
    };
  }

  /** On the read worker when there is one (a heavy list never holds the event loop that takes webhooks). */
  listPostings(filter: PostingFilter, first: number, after?: string, options?: ListOptions) {
    return this.reads ? this.reads.list(filter, first, after, options) : this.queries.list(filter, first, after, options);
  }

  getPosting(id: string) {
    return this.queries.get(id);
  }

  async timeline(postingId: string) {
    const row = this.queries.get(postingId);
    return row ? this.store.readStream(row.id) : [];
  }

  statistics(from?: string, to?: string) {
    return this.reads ? this.reads.statistics(from, to) : this.queries.statistics(from, to);
  }

  async mappings(asOf?: string) {
    if (asOf) {
      if (Number.isNaN(Date.parse(asOf))) throw new UserInputError(`asOf "${asOf}" is not a date-time`);
      const { set, revision } = readMappingsAsOf(this.db, asOf);
      return { json: exportMappingsJson(set), revision, asOf };
    }
    const { set, revision } = readCurrentMappings(this.db);
    return { json: exportMappingsJson(set), revision, asOf: null };
  }

  async mappingHistory(): Promise<MappingHistoryEntry[]> {
    return readMappingHistory(this.db, { limit: 500 }).map(historyEntry);
  }

  setMapping(section: string, key: string, value: unknown, reason: string, actor: string, options: { force?: boolean } = {}): Promise<MappingChangeResult> {
    const fields = { action: 'setMapping', actor, section, key, value, reason, force: options.force === true };
    return this.logged(`mapping ${section}.${key} set by ${actor}`, fields, () =>
      this.mappingChanges.run({ type: 'setMapping', section: this.section(section), key, value, reason, actor, force: options.force === true }),
    );
  }

  removeMapping(section: string, key: string, reason: string, actor: string): Promise<MappingChangeResult> {
    return this.logged(`mapping ${section}.${key} removed by ${actor}`, { action: 'removeMapping', actor, section, key, reason }, () =>
      this.mappingChanges.run({ type: 'removeMapping', section: this.section(section), key, reason, actor }),
    );
  }

  /** MERGE by default (docs/graphql.md); `dryRun` answers with the diff and records nothing. */
  importMappings(json: string, reason: string, actor: string, options: MappingImportOptions = {}): Promise<MappingChangeResult> {
    const mode = options.mode ?? 'merge';
    const fields = {
      action: 'importMappings',
      actor,
      mode,
      dryRun: options.dryRun === true,
      force: options.force === true,
      reason,
      bytes: Buffer.byteLength(json),
    };
    return this.logged(`mapping import (${mode}${options.dryRun ? ', dry run' : ''}) by ${actor}`, fields, () =>
      this.mappingChanges.run({ type: 'importMappings', json, reason, actor, mode, force: options.force === true }, options.dryRun === true),
    );
  }

  /** Runs a mapping change and logs its outcome with the actor. */
  private async logged(what: string, fields: Record<string, unknown>, run: () => Promise<MappingChangeResult>): Promise<MappingChangeResult> {
    // A refusal is logged once, by the GraphQL layer (graphql/refusal-log.ts), like every refused mutation.
    const result = await run();
    this.log.info(`${what}: ${result.message}`, {
      ...fields,
      revision: result.revision,
      changed: result.changed,
      changes: result.diff.length,
      ...(result.forced.length ? { forced: result.forced.map((f) => `${f.path}=${f.value}`) } : {}),
      ...(result.unchecked.length ? { unchecked: result.unchecked.length } : {}),
    });
    return result;
  }

  private section(section: string): MappingSection {
    if (!(MAPPING_SECTIONS as readonly string[]).includes(section)) {
      throw new UserInputError(`Unknown mapping section "${section}"; use one of ${MAPPING_SECTIONS.join(', ')}`);
    }
    return section as MappingSection;
  }

  dimensions(kind?: string): DimensionRecord[] {
    // The API names employees and vendors in the plural (`sync employees`); the cache kind is singular.
    const kinds = kind ? [({ EMPLOYEES: 'EMPLOYEE', VENDORS: 'VENDOR' } as Record<string, string>)[kind.toUpperCase()] ?? kind.toUpperCase()] : REFERENCE_KINDS;
    for (const k of kinds)
      if (!(REFERENCE_KINDS as readonly string[]).includes(k))
        throw new UserInputError(`Unknown dimension kind "${kind}"; use one of ${REFERENCE_KINDS.join(', ')}`);
    return kinds.flatMap((k) => listReferenceRecords(this.db, k as ReferenceKind).map((r) => ({ kind: k, id: r.id, name: r.name, status: r.status })));
  }

  syncRuns(): Promise<SyncRunSummary[]> {
    return this.jobRunner.syncRuns();
  }

  syncReferenceData(kinds: string[], actor: string, options: { full?: boolean } = {}): Promise<JobStatus> {
    return this.startJob(
      'sync',
      false,
      { action: 'syncReferenceData', actor, kinds: kinds.length ? kinds : ['all'], ...(options.full ? { full: true } : {}) },
      (progress) => this.jobRunner.sync(kinds, actor, progress, options),
    );
  }

  async projections(): Promise<ProjectionStatus[]> {
    return (await this.runner.status()).map((s) => ({
      name: s.name,
      version: s.version,
      position: s.position.toString(),
      headPosition: s.headPosition.toString(),
      lag: s.lag,
      state: s.state,
      rebuildProgress: s.rebuild ? s.rebuild.progress : null,
      error: s.error ?? null,
    }));
  }

  async replayProjection(name: string, actor: string): Promise<ProjectionStatus> {
    const known = (await this.runner.status()).map((s) => s.name);
    if (!known.includes(name)) throw new UserInputError(`Unknown projection "${name}"; known: ${known.join(', ')}`, 'NOT_FOUND');
    this.log.info(`replay of projection ${name} started by ${actor}`, { action: 'replayProjection', actor, projection: name });
    const started = Date.now();
    const rebuild = this.runner.rebuild(name);
    rebuild.then(
      () => this.log.info(`replay of projection ${name} finished`, { action: 'replayProjection', actor, projection: name, ms: Date.now() - started }),
      (error: unknown) =>
        this.log.error(`replay of projection ${name} failed: ${(error as Error).message}`, { action: 'replayProjection', actor, projection: name }),
    );
    // Let the rebuild register before reporting its state.
    await new Promise((r) => setImmediate(r));
    return (await this.projections()).find((p) => p.name === name)!;
  }

  /**
   * Another attempt for one document, re-evaluated with today's mappings and reference data. With
   * `batchDate` the entry posts on that date (a closed period, for example); a reason is then
   * required, and both are recorded with the actor.
   */
  async retryPosting(id: string, actor: string, options: { batchDate?: string | null; reason?: string | null } = {}) {
    const row = this.queries.get(id);
    const batchDate = options.batchDate ?? null;
    const reason = options.reason?.trim() || null;
    if (!row) throw new UserInputError(`No posting or document with id "${id}"`, 'NOT_FOUND');
    if (batchDate !== null && !isCalendarDate(batchDate)) throw new UserInputError(`batchDate "${batchDate}" is not a calendar date written YYYY-MM-DD`);
    if (batchDate !== null && reason === null) {
      throw new UserInputError(
        'A retry with a batch date needs a reason (it is kept in the audit trail beside the original date): say why this document posts on another date',
      );
    }
    const fields = { action: 'retryPosting', actor, documentId: row.concurDocumentId, reportName: row.reportName, batchDate, reason };
    try {
      await this.pipeline.retry(row.id, { actor, reason: reason ?? `retry requested by ${actor}`, batchDate });
    } catch (error) {
      if (error instanceof LifecycleError) throw new UserInputError(error.message, 'CONFLICT');
      throw error;
    }
    await this.caughtUp();
    const after = this.queries.get(row.id)!;
    this.log.info(
      `retry of ${row.docType} document ${row.concurDocumentId}${row.reportName ? ` "${row.reportName}"` : ''} requested by ${actor}: now ${after.status}`,
      {
        ...fields,
        docType: row.docType,
        status: after.status,
      },
    );
    return after;
  }

  backfill(from: string, to: string, dryRun: boolean, actor: string): Promise<JobStatus> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) throw new UserInputError('backfill needs dates as YYYY-MM-DD');
    if (from > to) throw new UserInputError(`backfill: from (${from}) is after to (${to})`);
    return this.startJob('backfill', dryRun, { action: 'backfill', actor, from, to, dryRun }, (progress) =>
      this.jobRunner.backfill(from, to, dryRun, actor, progress),
    );
  }

  job(id: string): JobStatus | null {
    return this.jobs.get(id) ?? null;
  }

  listJobs(): JobStatus[] {
    return [...this.jobs.values()].reverse();
  }

  /** Starts a job, returns its first status at once; the job updates its entry as it goes. */
  private async startJob(
    kind: JobStatus['kind'],
    dryRun: boolean,
    fields: Record<string, unknown>,
    run: (progress: (job: JobStatus) => void) => Promise<JobStatus>,
  ): Promise<JobStatus> {
    const id = `${kind}-${randomUUID()}`;
    const initial: JobStatus = {
      id,
      kind,
      state: 'running',
      dryRun,
      processed: 0,
      total: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      items: [],
      error: null,
    };
    this.jobs.set(id, initial);
    const what = `${kind}${dryRun ? ' (dry run)' : ''}`;
    this.log.info(`${what} started by ${String(fields['actor'])}`, { ...fields, job: id });
    const update = (job: JobStatus): void => void this.jobs.set(id, { ...job, id, kind });
    const finished = (job: JobStatus): void => {
      update(job);
      const line = { ...fields, job: id, state: job.state, processed: job.processed, ...(job.error ? { error: job.error } : {}) };
      if (job.state === 'failed') this.log.error(`${what} by ${String(fields['actor'])} failed: ${job.error ?? 'no reason given'}`, line);
      else this.log.info(`${what} by ${String(fields['actor'])} finished: ${job.processed} processed`, line);
    };
    void run(update)
      .then((final) =>
        finished({ ...final, state: final.state === 'running' ? 'succeeded' : final.state, finishedAt: final.finishedAt ?? new Date().toISOString() }),
      )
      .catch((error: unknown) =>
        finished({ ...(this.jobs.get(id) ?? initial), state: 'failed', error: (error as Error).message, finishedAt: new Date().toISOString() }),
      );
    // Short jobs (a dry run over a few documents) are usually done by now: answer with their result.
    await new Promise((r) => setTimeout(r, 50));
    return this.jobs.get(id)!;
  }
}

/** YYYY-MM-DD that names a real day (2026-02-30 does not). */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === text;
}

export const isDocType = (value: string): value is ConcurDocType => isConcurDocType(value);
