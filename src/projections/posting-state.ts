import { evolve, initialDocumentState, type DocumentEvent, type DocumentState } from '../domain/document/state.js';
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
  // v5: every column is derived from the domain's `evolve` over the folded state kept in state_json.
  // v6: documents of several Intacct records; one row per record in posting_records.
  version: 6,
  eventTypes: DOCUMENT_EVENT_TYPES,
  tables: ['postings', 'postings_text', 'posting_records'],

  setup(ctx: ProjectionContext): void {
    const { db } = ctx;
    const t = ctx.table('postings');
    const text = ctx.table('postings_text');
    const records = ctx.table('posting_records');
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${records} (
        posting_key TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        record_no TEXT,
        reverses TEXT,
        position INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${records}_id ON ${records}(id);
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
        posted_at TEXT,
        -- The domain's folded state of the stream (entries left out), which the next event evolves.
        state_json TEXT NOT NULL
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
    const id = recorded.streamId;
    const at = recorded.recordedAt;
    const stored = prepareCached({ db }, `SELECT state_json FROM ${t} WHERE id = ?`).pluck().get(id) as string | undefined;
    const before = stored === undefined ? initialDocumentState() : (JSON.parse(stored) as DocumentState);
    const event = recorded as unknown as DocumentEvent;
    // The domain's own fold decides every column: the read model cannot disagree with the lifecycle.
    const state = evolve(before, event);
    if (state.status === null || state.docType === null || state.concurDocumentId === null) return;
    const postedNow = event.type === 'PostingSucceeded' && event.data.postingKey === state.postingKey && before.recordNo === null;
    prepareCached(
      { db },
      `INSERT INTO ${t} (seq, id, status, doc_type, concur_document_id, report_id, report_name, employee_id, amount, amount_cents, currency, version,
         posting_key, intacct_record_no, reversal_record_no, batch_date, attempts, next_attempt_at, gaps_json, last_error_json, rejection_reason,
         superseded_by, concur_confirmation, state_json, created_at, updated_at, posted_at)
       VALUES (@seq, @id, @status, @doc_type, @concur_document_id, @report_id, @report_name, @employee_id, @amount, @amount_cents, @currency, @version,
         @posting_key, @intacct_record_no, @reversal_record_no, @batch_date, @attempts, @next_attempt_at, @gaps_json, @last_error_json, @rejection_reason,
         @superseded_by, @concur_confirmation, @state_json, @at, @at, @posted_at)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, doc_type = excluded.doc_type, concur_document_id = excluded.concur_document_id,
         report_id = excluded.report_id, report_name = excluded.report_name, employee_id = excluded.employee_id, amount = excluded.amount,
         amount_cents = excluded.amount_cents, currency = excluded.currency, version = excluded.version, posting_key = excluded.posting_key,
         intacct_record_no = excluded.intacct_record_no, reversal_record_no = excluded.reversal_record_no, batch_date = excluded.batch_date,
         attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, gaps_json = excluded.gaps_json,
         last_error_json = excluded.last_error_json, rejection_reason = excluded.rejection_reason, superseded_by = excluded.superseded_by,
         concur_confirmation = excluded.concur_confirmation, state_json = excluded.state_json, updated_at = excluded.updated_at,
         posted_at = COALESCE(excluded.posted_at, ${t}.posted_at)`,
    ).run({
      seq: Number(recorded.position),
      id,
      status: state.status,
      doc_type: state.docType,
      concur_document_id: state.concurDocumentId,
      report_id: state.reportId,
      report_name: state.reportName,
      employee_id: state.employeeId,
      amount: state.amount,
      amount_cents: state.amount === null ? null : signedCents(state.amount),
      currency: state.currency,
      version: state.version,
      posting_key: state.postingKey,
      intacct_record_no: state.recordNo,
      reversal_record_no: state.reversal?.recordNo ?? null,
      batch_date: state.batchDate,
      attempts: state.attempts,
      next_attempt_at: state.nextAttemptAt,
      gaps_json: state.gaps.length > 0 ? JSON.stringify(state.gaps) : null,
      last_error_json: state.lastError ? JSON.stringify(state.lastError) : null,
      rejection_reason: state.rejectionReason,
      superseded_by: state.supersededBy,
      concur_confirmation: state.confirmation ?? (state.recall?.afterPosting ? 'recalled' : null),
      state_json: JSON.stringify(storedState(state)),
      at,
      posted_at: postedNow ? at : null,
    });
    if (event.type === 'ConcurDocumentFetched') indexReportName(db, t, ctx.table('postings_text'), id, state.reportName);
    if (state.records !== before.records || state.reversals !== before.reversals) indexRecords(db, ctx.table('posting_records'), id, state);
  },
};

/**
 * The folded state as the read model keeps it: without the journal entries (their lines are the
 * document stream's to keep; no status rule of `evolve` reads them), so each row stays small.
 */
function storedState(state: DocumentState): DocumentState {
  return {
    ...state,
    entry: null,
    reversal: state.reversal ? { ...state.reversal, entry: null } : null,
    records: state.records.map((r) => ({ ...r, entry: null })),
    reversals: state.reversals.map((r) => ({ ...r, entry: null })),
  };
}

/** One row per Intacct record of the document (and per reversal): what /metrics counts per target. */
function indexRecords(db: Db, table: string, id: string, state: DocumentState): void {
  prepareCached({ db }, `DELETE FROM ${table} WHERE id = ?`).run(id);
  const insert = prepareCached(
    { db },
    `INSERT OR REPLACE INTO ${table} (posting_key, id, target, status, record_no, reverses, position) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  [...state.records, ...state.reversals].forEach((r, i) => insert.run(r.postingKey, id, r.target, r.status, r.recordNo, r.reverses, i));
}

/** Keeps the text index row of a posting equal to its report name (a re-fetch may rename it). */
function indexReportName(db: Db, t: string, textTable: string, id: string, reportName: string | null): void {
  const seq = prepareCached({ db }, `SELECT seq FROM ${t} WHERE id = ?`).pluck().get(id) as number;
  prepareCached({ db }, `DELETE FROM ${textTable} WHERE rowid = ?`).run(seq);
  if (reportName !== null) prepareCached({ db }, `INSERT INTO ${textTable} (rowid, report_name, seq) VALUES (?, ?, ?)`).run(seq, reportName, seq);
}

type Db = ProjectionContext['db'];

/** Signed decimal string to integer cents (2 decimals), for amount-range filters. */
export function signedCents(amount: string): number {
  const negative = amount.startsWith('-');
  const units = decimalToUnits(negative ? amount.slice(1) : amount, Math.max(2, (amount.split('.')[1] ?? '').length));
  const scale = Math.max(2, (amount.split('.')[1] ?? '').length);
  const cents = units / 10n ** BigInt(scale - 2);
  return Number(negative ? -cents : cents);
}
