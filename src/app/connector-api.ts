import type { RecordedEvent } from '../domain/events/envelope.js';
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
  state: 'live' | 'rebuilding' | 'stopped' | 'failed';
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
  errors: string[];
}

export interface ConnectorApi {
  listPostings(filter: PostingFilter, first: number, after?: string, options?: ListOptions): PostingPage;
  getPosting(id: string): PostingRow | null;
  /** The document stream: every fact about the document, in order. */
  timeline(postingId: string): Promise<RecordedEvent[]>;
  statistics(from?: string, to?: string): ReturnType<import('../projections/posting-queries.js').PostingQueries['statistics']>;

  /** The mapping set as JSON text (product.md §5 shape) as of a time, with its revision. */
  mappings(asOf?: string): Promise<{ json: string; revision: number; asOf: string | null }>;
  mappingHistory(): Promise<MappingHistoryEntry[]>;
  setMapping(section: string, key: string, value: unknown, reason: string, actor: string): Promise<number>;
  removeMapping(section: string, key: string, reason: string, actor: string): Promise<number>;
  importMappings(json: string, reason: string, actor: string): Promise<number>;

  dimensions(kind?: string): DimensionRecord[];
  syncRuns(): Promise<SyncRunSummary[]>;
  syncReferenceData(kinds: string[], actor: string): Promise<JobStatus>;

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
