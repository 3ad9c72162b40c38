import type Database from 'better-sqlite3';
import type { DocumentStatus } from '../domain/document/state.js';
import type { MappingGap, PostingError } from '../domain/document/events.js';
import { signedCents } from './posting-state.js';

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
  concurConfirmation: 'success' | 'error' | null;
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
  /** Matches report name, report id, document id, employee id, posting key or RECORDNO. */
  text?: string;
}

export interface PostingPage {
  rows: Array<PostingRow & { cursor: string }>;
  totalCount: number;
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

export class PostingQueries {
  constructor(private readonly db: Database.Database) {}

  /** Newest first (by arrival), Relay-style: `first` rows after `after`. */
  list(filter: PostingFilter = {}, first = 50, after?: string): PostingPage {
    const { where, params } = buildWhere(filter);
    const totalCount = (this.db.prepare(`SELECT count(*) AS n FROM postings ${where}`).get(params) as { n: number }).n;
    const pageWhere = after === undefined ? where : `${where ? `${where} AND` : 'WHERE'} seq < @afterSeq`;
    const limit = Math.max(0, Math.min(first, 1000));
    const raw = this.db
      .prepare(`SELECT * FROM postings ${pageWhere} ORDER BY seq DESC LIMIT @limit`)
      .all({ ...params, afterSeq: after === undefined ? undefined : decodeCursor(after), limit: limit + 1 }) as RawRow[];
    const rows = raw.slice(0, limit).map((r) => ({ ...toRow(r), cursor: encodeCursor(r.seq) }));
    return { rows, totalCount, hasNextPage: raw.length > limit, endCursor: rows.at(-1)?.cursor ?? null };
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

  /** Seconds from arrival to posting of the last `limit` posted documents, ascending. */
  recentPostingLatencies(limit: number): number[] {
    const rows = this.db
      .prepare(`SELECT (julianday(posted_at) - julianday(created_at)) * 86400.0 AS s FROM postings WHERE posted_at IS NOT NULL ORDER BY posted_at DESC LIMIT ?`)
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

function buildWhere(filter: PostingFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  const inList = (column: string, values: string[] | undefined, prefix: string): void => {
    if (!values || values.length === 0) return;
    const names = values.map((v, i) => ((params[`${prefix}${i}`] = v), `@${prefix}${i}`));
    clauses.push(`${column} IN (${names.join(', ')})`);
  };
  inList('status', filter.status, 'st');
  inList('doc_type', filter.docType, 'dt');
  if (filter.employeeId) (clauses.push('employee_id = @employeeId'), (params.employeeId = filter.employeeId));
  if (filter.reportId) (clauses.push('report_id = @reportId'), (params.reportId = filter.reportId));
  if (filter.updatedFrom) (clauses.push('updated_at >= @updatedFrom'), (params.updatedFrom = filter.updatedFrom));
  if (filter.updatedTo) (clauses.push('updated_at <= @updatedTo'), (params.updatedTo = endOfDay(filter.updatedTo)));
  if (filter.minAmount) (clauses.push('amount_cents >= @minCents'), (params.minCents = signedCents(filter.minAmount)));
  if (filter.maxAmount) (clauses.push('amount_cents <= @maxCents'), (params.maxCents = signedCents(filter.maxAmount)));
  if (filter.text) {
    clauses.push(
      `(report_name LIKE @text ESCAPE '\\' OR report_id = @exact OR concur_document_id = @exact OR employee_id = @exact OR posting_key = @exact OR intacct_record_no = @exact)`,
    );
    params.text = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.exact = filter.text;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** A bare date as an upper bound means the whole day. */
const endOfDay = (value: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value);

function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const digits = Math.abs(cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
