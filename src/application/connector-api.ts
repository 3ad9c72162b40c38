import type { RecordedEvent } from '../domain/events/envelope.js';
import type { MappingDiffEntry } from '../domain/mapping/diff.js';
import type { ListOptions, PostingFilter, PostingPage, PostingRow } from '../projections/posting-queries.js';
import type { ReportingApi } from './reporting.js';

/**
 * What the GraphQL API (and the CLI) may ask of the running connector. The GraphQL layer stays thin:
 * every resolver calls one of these. Implemented by the composition root (`app/connector.ts`).
 * `actor` is `user:<token name>` for API calls and `cli:<user>` for the CLI.
 */
export type Role = 'viewer' | 'operator' | 'admin';

export interface ProjectionStatus {
  name: string;
  version: number;
  position: string;
  headPosition: string;
  lag: number;
  state: 'live' | 'rebuilding' | 'retrying' | 'stopped' | 'failed';
  rebuildProgress: number | null;
  error: string | null;
}

export interface JobStatus {
  id: string;
  kind: 'backfill' | 'sync' | 'replay';
  state: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  processed: number;
  total: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** Human-readable result lines (e.g. what a dry run would post). */
  items: string[];
  error: string | null;
  /** What the job is doing now, e.g. "CUSTOMER: 2000/4500 read from Intacct". */
  step?: string | null;
  /**
   * Counts per part of the job: per sync step (`EMPLOYEE`, `employees`, …: read, created, updated,
   * removed, conflicts) or per backfill document type (found, would-post, recorded, …).
   */
  counts?: Record<string, Record<string, number>> | null;
}

export interface MappingHistoryEntry {
  revision: number;
  type: string;
  section: string | null;
  key: string | null;
  value: string | null;
  reason: string | null;
  actor: string;
  occurredAt: string;
  /** What the revision added, changed or removed (old and new values in their JSON form). */
  diff: MappingDiffEntry[];
  forced: MappingValueNote[];
  unchecked: MappingValueNote[];
}

/** One Intacct value of a mapping change that was forced past the reference cache, or not checked. */
export interface MappingValueNote {
  path: string;
  /** The reference target: GLACCOUNT, DEPARTMENT, …, EMPLOYEEID; EXPENSETYPE or CARDACCOUNT (never checked). */
  target: string;
  value: string;
  message: string;
}

/** The answer of a mapping mutation, derived from the stored state after the append. */
export interface MappingChangeResult {
  /** The mapping stream revision after the change (the current one when nothing changed or a dry run). */
  revision: number;
  /** False when the command changed nothing (nothing was recorded), and for every dry run. */
  changed: boolean;
  dryRun: boolean;
  /** One sentence for people: what happened and, for a dry run, that nothing was changed. */
  message: string;
  diff: MappingDiffEntry[];
  unchecked: MappingValueNote[];
  forced: MappingValueNote[];
}

export interface MappingImportOptions {
  /** MERGE (default): sections and keys in the file override, the rest is kept. REPLACE: the file is the whole set. */
  mode?: 'merge' | 'replace';
  /** Computes the diff and checks the values, records nothing. */
  dryRun?: boolean;
  /** Records values the reference cache refuses (they are listed as forced in the event). */
  force?: boolean;
}

export interface DimensionRecord {
  kind: string;
  id: string;
  name: string | null;
  status: 'active' | 'inactive';
}

export interface SyncRunSummary {
  id: string;
  kinds: string[];
  state: string;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  /** `incremental` when at least one kind was read incrementally (only what changed), else `full`. */
  mode?: 'full' | 'incremental';
  /** Per step: what it read and changed (empty for runs recorded before it existed); cache kinds add `mode` and `highWaterMark`. */
  report?: Array<{ step: string; direction: string; failed: boolean; counts: Record<string, number>; mode?: string; highWaterMark?: string | null }>;
  errors: string[];
}

type StatisticsRows = ReturnType<import('../projections/posting-queries.js').PostingQueries['statistics']>;

export interface ConnectorApi {
  listPostings(filter: PostingFilter, first: number, after?: string, options?: ListOptions): PostingPage | Promise<PostingPage>;
  getPosting(id: string): PostingRow | null;
  /** The document stream: every fact about the document, in order. */
  timeline(postingId: string): Promise<RecordedEvent[]>;
  statistics(from?: string, to?: string): StatisticsRows | Promise<StatisticsRows>;

  /** The mapping set as JSON text (docs/posting-rules.md, Mapping set) as of a time, with its revision. */
  mappings(asOf?: string): Promise<{ json: string; revision: number; asOf: string | null }>;
  mappingHistory(): Promise<MappingHistoryEntry[]>;
  setMapping(section: string, key: string, value: unknown, reason: string, actor: string, options?: { force?: boolean }): Promise<MappingChangeResult>;
  removeMapping(section: string, key: string, reason: string, actor: string): Promise<MappingChangeResult>;
  importMappings(json: string, reason: string, actor: string, options?: MappingImportOptions): Promise<MappingChangeResult>;

  dimensions(kind?: string): DimensionRecord[];
  syncRuns(): Promise<SyncRunSummary[]>;
  /** `full`: read every kind whole (the reconcile that finds deleted records) instead of what changed since the last run. */
  syncReferenceData(kinds: string[], actor: string, options?: { full?: boolean }): Promise<JobStatus>;

  projections(): Promise<ProjectionStatus[]>;
  replayProjection(name: string, actor: string): Promise<ProjectionStatus>;

  /** Another attempt, re-evaluated now; `batchDate` (YYYY-MM-DD, with a reason) posts it on that date. */
  retryPosting(id: string, actor: string, options?: { batchDate?: string | null; reason?: string | null }): Promise<PostingRow>;
  backfill(from: string, to: string, dryRun: boolean, actor: string): Promise<JobStatus>;
  job(id: string): JobStatus | null;
  /** Jobs started since the service started, newest first. */
  listJobs(): JobStatus[];

  /** The console's overview, connection health, Intacct usage and the audit report (reporting.ts). */
  readonly reporting: ReportingApi;
}
