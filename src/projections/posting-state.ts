import type { DocumentEvent } from '../domain/document/state.js';
import { DOCUMENT_EVENT_TYPES } from '../domain/document/events.js';
import { decimalToUnits } from '../domain/journal/balance.js';
import type { RecordedEvent } from '../domain/events/envelope.js';
import { prepareCached, type Projection, type ProjectionContext } from './projection.js';

/**
 * Posting state: one row per document stream with its status, amounts, Intacct RECORDNO, gaps and
 * last error. Feeds the `postings` GraphQL query, statistics and /metrics. The audit timeline is not
 * copied here: it is the document stream itself.
 */
export const postingStateProjection: Projection = {
  name: 'posting-state',
  // v2: seq is the rowid (every index ends in seq, so "filter, newest first" walks an index in order),
  // covering range indexes and the trigram text index (see posting-queries.ts for the plans they serve).
  // v4: a retry of a never-fetched document goes back to RECEIVED; re-dated entries move batch_date.
  version: 4,
  eventTypes: DOCUMENT_EVENT_TYPES,
  tables: ['postings', 'postings_text'],

  setup(ctx: ProjectionContext): void {
    const { db } = ctx;
    const t = ctx.table('postings');
    const text = ctx.table('postings_text');
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t} (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        concur_document_id TEXT NOT NULL,
        report_id TEXT,
        report_name TEXT,
        employee_id TEXT,
        amount TEXT,
        amount_cents INTEGER,
        currency TEXT,
        version TEXT,
        posting_key TEXT,
        intacct_record_no TEXT,
        reversal_record_no TEXT,
        batch_date TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        gaps_json TEXT,
        last_error_json TEXT,
        rejection_reason TEXT,
        superseded_by TEXT,
        concur_confirmation TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        posted_at TEXT
      );
      CREATE INDEX IF NOT EXISTS ${t}_status ON ${t}(status);
      CREATE INDEX IF NOT EXISTS ${t}_doc_type ON ${t}(doc_type);
      CREATE INDEX IF NOT EXISTS ${t}_employee ON ${t}(employee_id);
      CREATE INDEX IF NOT EXISTS ${t}_report ON ${t}(report_id);
      CREATE INDEX IF NOT EXISTS ${t}_key ON ${t}(posting_key);
      CREATE INDEX IF NOT EXISTS ${t}_document ON ${t}(concur_document_id);
      CREATE INDEX IF NOT EXISTS ${t}_record_no ON ${t}(intacct_record_no);
      -- Ranges: each covers the other range and the IN-list columns, so counts never touch the table.
      CREATE INDEX IF NOT EXISTS ${t}_updated ON ${t}(updated_at, amount_cents, status, doc_type);
      CREATE INDEX IF NOT EXISTS ${t}_amount ON ${t}(amount_cents, updated_at, status, doc_type);
      -- Substring search on report names: trigrams find candidates, SQLite re-checks the LIKE itself,
      -- so the result is exactly that of report_name LIKE '%text%'. seq is a column too because
      -- readers go through a view, which does not expose the rowid.
      CREATE VIRTUAL TABLE IF NOT EXISTS ${text} USING fts5(report_name, seq UNINDEXED, tokenize = 'trigram');
    `);
  },

  apply(recorded: RecordedEvent, ctx: ProjectionContext): void {
    const { db } = ctx;
    const t = ctx.table('postings');
    const event = recorded as unknown as DocumentEvent;
    const at = recorded.recordedAt;
    const id = recorded.streamId;
    const set = (fields: Record<string, unknown>): void => {
      const names = Object.keys(fields);
      prepareCached({ db }, `UPDATE ${t} SET ${[...names.map((n) => `${n} = @${n}`), 'updated_at = @updated_at'].join(', ')} WHERE id = @id`).run({
        ...fields,
        updated_at: at,
        id,
      });
    };
    switch (event.type) {
      case 'ConcurDocumentReceived':
      case 'ConcurDocumentFetched': {
        const d = event.data;
        prepareCached(
          { db },
          `INSERT INTO ${t} (id, seq, status, doc_type, concur_document_id, report_id, created_at, updated_at)
           VALUES (?, ?, 'RECEIVED', ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
        ).run(id, Number(recorded.position), d.docType, d.concurDocumentId, d.reportId, at, at);
        if (event.type === 'ConcurDocumentFetched') {
          const f = event.data;
          set({
            status: statusAfterFetch(db, t, id),
            report_id: f.reportId,
            report_name: f.reportName,
            employee_id: f.employeeId,
            amount: f.amount,
            amount_cents: f.amount === null ? null : signedCents(f.amount),
            currency: f.currency,
            version: f.version,
          });
          indexReportName(db, t, ctx.table('postings_text'), id, f.reportName);
        }
        return;
      }
      case 'ConcurDocumentAcknowledged':
        set({});
        return;
      case 'PostingRetryRequested':
        // Mirrors the lifecycle: a document never fetched (Concur did not know it) is fetched again.
        if (fetchedVersion(db, t, id) === null) set({ status: 'RECEIVED', rejection_reason: null });
        else set({});
        return;
      case 'JournalEntryRedated':
        set({ batch_date: event.data.batchDate });
        return;
      case 'MappingGapFound':
        set({ status: 'AWAITING_MAPPING', gaps_json: JSON.stringify(event.data.gaps), rejection_reason: null });
        return;
      case 'DocumentRejectedByRules':
        set({ status: 'REJECTED', rejection_reason: event.data.reason, gaps_json: null });
        return;
      case 'JournalEntryPrepared':
        set({ status: 'READY', gaps_json: null, rejection_reason: null, posting_key: event.data.postingKey, batch_date: event.data.entry.batchDate });
        return;
      case 'PostingRequested':
        if (event.data.reverses === null) set({ status: 'POSTING', posting_key: event.data.postingKey, batch_date: event.data.entry.batchDate, next_attempt_at: null });
        else set({});
        return;
      case 'PostingSucceeded':
        if (isReversal(event.data.postingKey)) set({ status: 'REVERSED', reversal_record_no: event.data.recordNo });
        else set({ status: currentStatus(db, t, id) === 'SUPERSEDED' ? 'SUPERSEDED' : 'POSTED', intacct_record_no: event.data.recordNo, last_error_json: null, next_attempt_at: null, posted_at: at, attempts: attempts(db, t, id) + 1 });
        return;
      case 'PostingFailed':
        if (isReversal(event.data.postingKey)) set({ last_error_json: JSON.stringify(event.data.error) });
        else set({ status: 'FAILED', attempts: event.data.attempt, last_error_json: JSON.stringify(event.data.error), next_attempt_at: event.data.nextAttemptAt });
        return;
      case 'PostingRejected':
        if (isReversal(event.data.postingKey)) set({ last_error_json: JSON.stringify(event.data.error) });
        else set({ status: 'REJECTED', attempts: event.data.attempt, last_error_json: JSON.stringify(event.data.error), next_attempt_at: null, rejection_reason: event.data.error.message });
        return;
      case 'PostingConfirmedToConcur':
        set({ concur_confirmation: event.data.status, ...(event.data.status === 'success' && currentStatus(db, t, id) === 'POSTED' ? { status: 'CONFIRMED' } : {}) });
        return;
      case 'DocumentRecalled':
        if (hasRecordNo(db, t, id)) set({});
        else if (event.data.serviceCode === 116) set({ status: 'REJECTED', rejection_reason: event.data.reason });
        else set({ status: 'SUPERSEDED', rejection_reason: event.data.reason });
        return;
      case 'DocumentSuperseded':
        set({ status: 'SUPERSEDED', superseded_by: event.data.byConcurDocumentId });
        return;
      case 'PostingReversed':
        set({ status: 'REVERSED', reversal_record_no: event.data.recordNo });
        return;
    }
  },
};

/** Keeps the text index row of a posting equal to its report name (a re-fetch may rename it). */
function indexReportName(db: Db, t: string, textTable: string, id: string, reportName: string | null): void {
  const seq = prepareCached({ db }, `SELECT seq FROM ${t} WHERE id = ?`).pluck().get(id) as number;
  prepareCached({ db }, `DELETE FROM ${textTable} WHERE rowid = ?`).run(seq);
  if (reportName !== null) prepareCached({ db }, `INSERT INTO ${textTable} (rowid, report_name, seq) VALUES (?, ?, ?)`).run(seq, reportName, seq);
}

const isReversal = (postingKey: string): boolean => postingKey.endsWith('-REV');

type Db = ProjectionContext['db'];
const row = (db: Db, t: string, id: string) =>
  prepareCached({ db }, `SELECT status, attempts, intacct_record_no FROM ${t} WHERE id = ?`).get(id) as
    | { status: string; attempts: number; intacct_record_no: string | null }
    | undefined;
const currentStatus = (db: Db, t: string, id: string): string | undefined => row(db, t, id)?.status;
const attempts = (db: Db, t: string, id: string): number => row(db, t, id)?.attempts ?? 0;
const hasRecordNo = (db: Db, t: string, id: string): boolean => Boolean(row(db, t, id)?.intacct_record_no);
const fetchedVersion = (db: Db, t: string, id: string): string | null =>
  (prepareCached({ db }, `SELECT version FROM ${t} WHERE id = ?`).pluck().get(id) as string | null | undefined) ?? null;
const statusAfterFetch = (db: Db, t: string, id: string): string => {
  const status = currentStatus(db, t, id);
  return status === undefined || status === 'RECEIVED' ? 'FETCHED' : status;
};

/** Signed decimal string to integer cents (2 decimals), for amount-range filters. */
export function signedCents(amount: string): number {
  const negative = amount.startsWith('-');
  const units = decimalToUnits(negative ? amount.slice(1) : amount, Math.max(2, (amount.split('.')[1] ?? '').length));
  const scale = Math.max(2, (amount.split('.')[1] ?? '').length);
  const cents = units / 10n ** BigInt(scale - 2);
  return Number(negative ? -cents : cents);
}
