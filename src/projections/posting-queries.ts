import type Database from 'better-sqlite3';
import type { DocumentStatus } from '../domain/document/state.js';
import type { MappingGap, PostingError } from '../domain/document/events.js';
import { BROAD_ABOVE, choosePlan, conditionsOf, countSql, pageSql, type ListPlan } from './posting-list-plan.js';

/** Read side of the posting-state projection (logical table `postings`). */
export interface PostingRow {
  id: string;
  status: DocumentStatus;
  docType: string;
  concurDocumentId: string;
  reportId: string | null;
  reportName: string | null;
  employeeId: string | null;
  amount: string | null;
  currency: string | null;
  version: string | null;
  postingKey: string | null;
  intacctRecordNo: string | null;
  reversalRecordNo: string | null;
  batchDate: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  gaps: MappingGap[];
  lastError: PostingError | null;
  rejectionReason: string | null;
  supersededBy: string | null;
  /** True once Concur has been told the document is posted. */
  confirmedToConcur: boolean;
  /** The last posting confirmation sent to Concur. */
  /** Last confirmation sent to Concur; `recalled` when Concur recalled the document after it was posted. */
  concurConfirmation: 'success' | 'error' | 'recalled' | null;
  createdAt: string;
  updatedAt: string;
  postedAt: string | null;
}

export interface PostingFilter {
  status?: DocumentStatus[];
  docType?: string[];
  employeeId?: string;
  reportId?: string;
  /** Inclusive, ISO date or date-time, on updatedAt. */
  updatedFrom?: string;
  updatedTo?: string;
  minAmount?: string;
  maxAmount?: string;
  /**
   * The report name contains the text (case-insensitive for ASCII letters), or the text is exactly
   * the report id, document id, employee id, posting key or RECORDNO.
   */
  text?: string;
}

export interface PostingPage {
  rows: Array<PostingRow & { cursor: string }>;
  /** Null when the caller did not ask for it (ListOptions.totalCount false). */
  totalCount: number | null;
  hasNextPage: boolean;
  endCursor: string | null;
}

const encodeCursor = (seq: number): string => Buffer.from(`seq:${seq}`).toString('base64url');
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^seq:(\d+)$/.exec(text);
  if (!match) throw new Error(`Invalid cursor "${cursor}": pass a cursor returned by a previous page`);
  return Number(match[1]);
}

export interface ListOptions {
  /** Count every match (default). A client that does not ask for totalCount saves that work. */
  totalCount?: boolean;
}

export class PostingQueries {
  private readonly statements = new Map<string, Database.Statement>();

  /** `broadAbove`: see posting-list-plan.ts; tests lower it to drive every plan over few rows. */
  constructor(
    private readonly db: Database.Database,
    private readonly options: { broadAbove?: number } = {},
  ) {}

  /** Newest first (by arrival), Relay-style: `first` rows after `after`. See posting-list-plan.ts. */
  list(filter: PostingFilter = {}, first = 50, after?: string, options: ListOptions = {}): PostingPage {
    const cap = this.options.broadAbove ?? BROAD_ABOVE;
    const textTable = filter.text ? this.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'postings_text'`).pluck().get() === 1 : false;
    const { conditions, params } = conditionsOf(filter, cap, textTable);
    const plan = choosePlan(conditions, params, (sql) => this.prepare(sql), cap);
    const limit = Math.max(0, Math.min(first, 1000));
    const afterSeq = after === undefined ? undefined : decodeCursor(after);
    const seqs = this.pageSeqs(plan, { ...params, afterSeq, limit: limit + 1 }, afterSeq !== undefined, limit + 1);
    const raw =
      seqs.length === 0
        ? []
        : (this.prepare(`SELECT * FROM postings WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq DESC`).all(JSON.stringify(seqs)) as RawRow[]);
    const rows = raw.slice(0, limit).map((r) => ({ ...toRow(r), cursor: encodeCursor(r.seq) }));
    const totalCount = options.totalCount === false ? null : this.count(plan, params);
    return { rows, totalCount, hasNextPage: raw.length > limit, endCursor: rows.at(-1)?.cursor ?? null };
  }

  /** The seqs of the page (plus one, to tell whether another page follows), newest first. */
  private pageSeqs(plan: ListPlan, params: Record<string, unknown>, paged: boolean, wanted: number): number[] {
    const parts = pageSql(plan, paged).map((sql) => this.prepare(sql).pluck().all(params) as number[]);
    // A walk reads one list per value of the driving equality, each newest first: merge them.
    return parts.length === 1
      ? parts[0]!
      : parts
          .flat()
          .sort((a, b) => b - a)
          .slice(0, wanted);
  }

  private count(plan: ListPlan, params: Record<string, unknown>): number {
    return this.prepare(countSql(plan, params)).pluck().get(params) as number;
  }

  private prepare(sql: string): Database.Statement {
    // Filter shapes are few, but the SQL also varies with the length of IN lists: keep it bounded.
    if (this.statements.size > 500) this.statements.clear();
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  get(id: string): PostingRow | null {
    const raw = this.db.prepare('SELECT * FROM postings WHERE id = ? OR posting_key = ? OR concur_document_id = ?').get(id, id, id) as RawRow | undefined;
    return raw ? toRow(raw) : null;
  }

  byReport(reportId: string): PostingRow[] {
    return (this.db.prepare('SELECT * FROM postings WHERE report_id = ? ORDER BY seq').all(reportId) as RawRow[]).map(toRow);
  }

  countsByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM postings GROUP BY status').all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** The Intacct records of one document (and reversals), in key order. */
  recordsOf(id: string): Array<{ target: string; postingKey: string; status: string; recordNo: string | null; reverses: string | null }> {
    return (
      this.db.prepare('SELECT target, posting_key, status, record_no, reverses FROM posting_records WHERE id = ? ORDER BY position').all(id) as Array<{
        target: string;
        posting_key: string;
        status: string;
        record_no: string | null;
        reverses: string | null;
      }>
    ).map((r) => ({ target: r.target, postingKey: r.posting_key, status: r.status, recordNo: r.record_no, reverses: r.reverses }));
  }

  /** Intacct records by object and state (reversals counted apart), for /metrics. */
  recordCounts(): Array<{ target: string; status: string; reversal: boolean; count: number }> {
    const rows = this.db
      .prepare(
        'SELECT target, status, reverses IS NOT NULL AS reversal, count(*) AS n FROM posting_records GROUP BY target, status, reversal ORDER BY target, status',
      )
      .all() as Array<{ target: string; status: string; reversal: number; n: number }>;
    return rows.map((r) => ({ target: r.target, status: r.status, reversal: r.reversal === 1, count: r.n }));
  }

  /** Counts and amounts per status per day (UTC day of the last update), amounts per currency. */
  statistics(from?: string, to?: string): Array<{ day: string; status: string; currency: string | null; count: number; amount: string }> {
    const rows = this.db
      .prepare(
        `SELECT substr(updated_at, 1, 10) AS day, status, currency, count(*) AS n, coalesce(sum(amount_cents), 0) AS cents
         FROM postings WHERE (@from IS NULL OR updated_at >= @from) AND (@to IS NULL OR updated_at <= @to)
         GROUP BY day, status, currency ORDER BY day, status, currency`,
      )
      .all({ from: from ?? null, to: to ?? null }) as Array<{ day: string; status: string; currency: string | null; n: number; cents: number }>;
    return rows.map((r) => ({ day: r.day, status: r.status, currency: r.currency, count: r.n, amount: centsToDecimal(r.cents) }));
  }

  /** Documents waiting in AWAITING_MAPPING, with their gaps. */
  awaitingMapping(): PostingRow[] {
    return (this.db.prepare(`SELECT * FROM postings WHERE status = 'AWAITING_MAPPING' ORDER BY seq`).all() as RawRow[]).map(toRow);
  }

  /** Seconds from arrival to posting of the `limit` most recently arrived posted documents, ascending. */
  recentPostingLatencies(limit: number): number[] {
    // Newest arrivals first along the primary key (`seq`): no sort of the whole table per /metrics scrape.
    const rows = this.db
      .prepare(`SELECT (julianday(posted_at) - julianday(created_at)) * 86400.0 AS s FROM postings WHERE posted_at IS NOT NULL ORDER BY seq DESC LIMIT ?`)
      .pluck()
      .all(limit) as number[];
    return rows.sort((a, b) => a - b);
  }

  /** Documents whose automatic retry is due. */
  dueRetries(now: string, limit = 100): PostingRow[] {
    return (
      this.db.prepare(`SELECT * FROM postings WHERE status = 'FAILED' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`).all(now, limit) as RawRow[]
    ).map(toRow);
  }
}

interface RawRow {
  id: string;
  seq: number;
  status: DocumentStatus;
  doc_type: string;
  concur_document_id: string;
  report_id: string | null;
  report_name: string | null;
  employee_id: string | null;
  amount: string | null;
  currency: string | null;
  version: string | null;
  posting_key: string | null;
  intacct_record_no: string | null;
  reversal_record_no: string | null;
  batch_date: string | null;
  attempts: number;
  next_attempt_at: string | null;
  gaps_json: string | null;
  last_error_json: string | null;
  rejection_reason: string | null;
  superseded_by: string | null;
  concur_confirmation: 'success' | 'error' | null;
  created_at: string;
  updated_at: string;
  posted_at: string | null;
}

function toRow(r: RawRow): PostingRow {
  return {
    id: r.id,
    status: r.status,
    docType: r.doc_type,
    concurDocumentId: r.concur_document_id,
    reportId: r.report_id,
    reportName: r.report_name,
    employeeId: r.employee_id,
    amount: r.amount,
    currency: r.currency,
    version: r.version,
    postingKey: r.posting_key,
    intacctRecordNo: r.intacct_record_no,
    reversalRecordNo: r.reversal_record_no,
    batchDate: r.batch_date,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    gaps: r.gaps_json ? (JSON.parse(r.gaps_json) as MappingGap[]) : [],
    lastError: r.last_error_json ? (JSON.parse(r.last_error_json) as PostingError) : null,
    rejectionReason: r.rejection_reason,
    supersededBy: r.superseded_by,
    confirmedToConcur: r.concur_confirmation === 'success',
    concurConfirmation: r.concur_confirmation,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    postedAt: r.posted_at,
  };
}

function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const digits = Math.abs(cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
