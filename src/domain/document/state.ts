import { targetOf, type ConcurDocType, type IntacctTarget, type JournalEntry } from '../journal/journal-entry.js';
import type { ClosedPeriodPolicy } from '../mapping/model.js';
import type { DocumentEventMap, MappingGap, PostingError } from './events.js';

/** The document status names other tools rely on (docs/contract.md; GraphQL enum `DocumentStatus`). */
export type DocumentStatus =
  | 'RECEIVED'
  | 'FETCHED'
  | 'AWAITING_MAPPING'
  | 'READY'
  | 'POSTING'
  | 'POSTED'
  | 'FAILED'
  | 'REJECTED'
  | 'CONFIRMED'
  | 'SUPERSEDED'
  | 'REVERSED';

export const DOCUMENT_STATUSES: readonly DocumentStatus[] = [
  'RECEIVED',
  'FETCHED',
  'AWAITING_MAPPING',
  'READY',
  'POSTING',
  'POSTED',
  'FAILED',
  'REJECTED',
  'CONFIRMED',
  'SUPERSEDED',
  'REVERSED',
];

/** Where one Intacct record of a document stands. */
export type RecordStatus = 'READY' | 'POSTING' | 'FAILED' | 'REJECTED' | 'POSTED';

/**
 * One Intacct record of a document (a document may become several: a GLBATCH, an EEXPENSES for the
 * employee, a CCTRANSACTION per card account, an APBILL), or the reversal of one.
 */
export interface PostingRecord {
  postingKey: string;
  target: IntacctTarget;
  /** The exact entry to send (null in the read model's copy, which drops entries). */
  entry: JournalEntry | null;
  status: RecordStatus;
  recordNo: string | null;
  attempts: number;
  lastError: PostingError | null;
  nextAttemptAt: string | null;
  /** For a reversal: the RECORDNO it reverses. */
  reverses: string | null;
}

export interface DocumentState {
  /** `null` before the first event. */
  status: DocumentStatus | null;
  docType: ConcurDocType | null;
  concurDocumentId: string | null;
  reportId: string | null;
  version: string | null;
  /** True once the FIS document itself has been recorded. */
  fetched: boolean;
  entry: JournalEntry | null;
  postingKey: string | null;
  recordNo: string | null;
  attempts: number;
  gaps: MappingGap[];
  lastError: PostingError | null;
  /** Last posting confirmation sent to Concur: an error confirmation may later be followed by a success. */
  confirmation: 'success' | 'error' | null;
  supersededBy: string | null;
  /** The mirror entry of a superseded, posted entry; `rejected` until a new request when Intacct refused it. */
  reversal: { postingKey: string; recordNo: string | null; entry: JournalEntry | null; rejected: boolean } | null;
  /**
   * Every Intacct record of the current version, the first one being `postingKey`/`entry` (older
   * streams: one GLBATCH). `recordNo` above is the first record's, set once every record is posted.
   */
  records: PostingRecord[];
  /** The reversals of a superseded version's posted records, one per record; `reversal` is the first. */
  reversals: PostingRecord[];
  /** The mapping option in force when the entry was prepared. */
  closedPeriodPolicy: ClosedPeriodPolicy;
  /** The BATCH_DATE an operator chose with a retry; later re-evaluations keep it. */
  batchDateOverride: string | null;
  /** What the fetched document says of itself (for lists and searches). */
  reportName: string | null;
  employeeId: string | null;
  amount: string | null;
  currency: string | null;
  /** BATCH_DATE of the entry on record (kept when a re-evaluation finds gaps). */
  batchDate: string | null;
  /** When the posting worker tries a FAILED posting again. */
  nextAttemptAt: string | null;
  /** Why the document is REJECTED (rules, Intacct, or Concur), or recalled; null otherwise. */
  rejectionReason: string | null;
  /** Concur's recall of this document (before or after posting); recorded once. */
  recall: { serviceCode: number; afterPosting: boolean } | null;
}

export const initialDocumentState = (): DocumentState => ({
  status: null,
  docType: null,
  concurDocumentId: null,
  reportId: null,
  version: null,
  fetched: false,
  entry: null,
  postingKey: null,
  recordNo: null,
  attempts: 0,
  gaps: [],
  lastError: null,
  confirmation: null,
  supersededBy: null,
  reversal: null,
  records: [],
  reversals: [],
  closedPeriodPolicy: 'reject',
  batchDateOverride: null,
  reportName: null,
  employeeId: null,
  amount: null,
  currency: null,
  batchDate: null,
  nextAttemptAt: null,
  rejectionReason: null,
  recall: null,
});

export type DocumentEvent = { [K in keyof DocumentEventMap]: { type: K; data: DocumentEventMap[K] } }[keyof DocumentEventMap];

/** Folds one document event into the state. Unknown event types leave the state unchanged. */
export function evolve(state: DocumentState, event: DocumentEvent): DocumentState {
  switch (event.type) {
    case 'ConcurDocumentReceived':
      return {
        ...state,
        status: state.status ?? 'RECEIVED',
        docType: event.data.docType,
        concurDocumentId: event.data.concurDocumentId,
        reportId: state.reportId ?? event.data.reportId,
      };
    case 'ConcurDocumentFetched':
      return {
        ...state,
        status: state.status === null || state.status === 'RECEIVED' ? 'FETCHED' : state.status,
        docType: event.data.docType,
        concurDocumentId: event.data.concurDocumentId,
        reportId: event.data.reportId,
        version: event.data.version,
        fetched: true,
        reportName: event.data.reportName,
        employeeId: event.data.employeeId,
        amount: event.data.amount,
        currency: event.data.currency,
      };
    case 'ConcurDocumentAcknowledged':
      return state;
    case 'MappingGapFound':
      return { ...state, status: 'AWAITING_MAPPING', gaps: event.data.gaps, entry: null, rejectionReason: null };
    case 'DocumentRejectedByRules':
      return { ...state, status: 'REJECTED', gaps: [], lastError: null, rejectionReason: event.data.reason };
    case 'JournalEntryPrepared': {
      const records = (event.data.records ?? [event.data.entry]).map((entry) => keptRecord(state, entry) ?? newRecord(entry));
      return {
        ...state,
        status: 'READY',
        gaps: [],
        entry: records[0]!.entry ?? event.data.entry,
        postingKey: records[0]!.postingKey,
        records,
        closedPeriodPolicy: event.data.closedPeriodPolicy ?? 'reject',
        batchDate: event.data.entry.batchDate,
        rejectionReason: null,
      };
    }
    case 'JournalEntryRedated':
      // The re-dated entry itself arrives with the PostingRequested that follows.
      return { ...state, batchDate: event.data.batchDate };
    case 'PostingRequested': {
      if (event.data.reverses !== null) {
        const reversal = { ...newRecord(event.data.entry, event.data.postingKey), status: 'POSTING' as const, reverses: event.data.reverses };
        const reversals = upsert(state.reversals, reversal);
        return { ...state, reversals, reversal: firstReversal(reversals) };
      }
      const prior = state.records.find((r) => r.postingKey === event.data.postingKey);
      const record: PostingRecord = {
        ...(prior ?? newRecord(event.data.entry, event.data.postingKey)),
        entry: event.data.entry,
        status: 'POSTING',
        nextAttemptAt: null,
      };
      const records = upsert(state.records, record);
      const primary = records[0]!;
      return {
        ...aggregate({ ...state, records }),
        status: 'POSTING',
        postingKey: primary.postingKey,
        entry: primary.entry,
        batchDate: primary.entry?.batchDate ?? state.batchDate,
      };
    }
    case 'PostingSucceeded':
      return withOutcome(state, event.data.postingKey, (r) => ({
        status: 'POSTED',
        recordNo: event.data.recordNo,
        attempts: r.attempts + 1,
        lastError: null,
        nextAttemptAt: null,
      }));
    case 'PostingFailed':
      return withOutcome(state, event.data.postingKey, () => ({
        status: 'FAILED',
        attempts: event.data.attempt,
        lastError: event.data.error,
        nextAttemptAt: event.data.nextAttemptAt,
      }));
    case 'PostingRejected': {
      const next = withOutcome(state, event.data.postingKey, () => ({
        status: 'REJECTED',
        attempts: event.data.attempt,
        lastError: event.data.error,
        nextAttemptAt: null,
      }));
      return next.status === 'REJECTED' && next !== state ? { ...next, rejectionReason: event.data.error.message } : next;
    }
    case 'PostingRetryRequested': {
      const next = event.data.batchDate ? { ...state, batchDateOverride: event.data.batchDate } : state;
      // A document Concur could not give us (FIS 116) is fetched again.
      return state.fetched ? next : { ...next, status: 'RECEIVED', rejectionReason: null, recall: null };
    }
    case 'PostingConfirmedToConcur':
      return {
        ...state,
        confirmation: event.data.status,
        status: event.data.status === 'success' && state.status === 'POSTED' ? 'CONFIRMED' : state.status,
      };
    case 'DocumentRecalled': {
      const afterPosting = state.records.some((r) => r.recordNo !== null) || state.recordNo !== null;
      const recall = { serviceCode: event.data.serviceCode, afterPosting };
      // Recalled after (part of) posting: the records stay in the books (and the status with them) until someone decides.
      if (afterPosting) return { ...state, recall };
      // 116: Concur does not know the document at all; a person must look (REJECTED), whereas a
      // recall (102/112) means a newer version will come (SUPERSEDED).
      return { ...state, recall, status: event.data.serviceCode === 116 ? 'REJECTED' : 'SUPERSEDED', rejectionReason: event.data.reason };
    }
    case 'DocumentSuperseded':
      return { ...state, status: 'SUPERSEDED', supersededBy: event.data.byConcurDocumentId };
  }
}

/**
 * An outcome of one record (or reversal): the record changed by `change`, then the document's status
 * from all records (a reversal: REVERSED once every reversal is posted). Unknown keys change nothing.
 */
function withOutcome(state: DocumentState, postingKey: string, change: (record: PostingRecord) => Partial<PostingRecord>): DocumentState {
  const reversal = state.reversals.find((r) => r.postingKey === postingKey);
  if (reversal) {
    const changed = { ...reversal, ...change(reversal) };
    const reversals = upsert(state.reversals, changed);
    const all = reversals.every((r) => r.status === 'POSTED');
    return {
      ...state,
      reversals,
      reversal: firstReversal(reversals),
      status: all ? 'REVERSED' : state.status,
      lastError: changed.status === 'POSTED' ? state.lastError : changed.lastError,
    };
  }
  const record = state.records.find((r) => r.postingKey === postingKey) ?? (state.entry ? newRecord(state.entry, postingKey) : null);
  if (!record) return state;
  const changed = { ...record, ...change(record) };
  const records = upsert(state.records, changed);
  const attempts = changed.status === 'POSTED' ? state.attempts + 1 : changed.attempts;
  return { ...aggregate({ ...state, records, lastError: changed.lastError ?? state.lastError }), attempts };
}

function newRecord(entry: JournalEntry, postingKey = entry.postingKey): PostingRecord {
  return { postingKey, target: targetOf(entry), entry, status: 'READY', recordNo: null, attempts: 0, lastError: null, nextAttemptAt: null, reverses: null };
}

/**
 * A record that a new preparation leaves as it is: posted, or sent and not yet answered (its attempt
 * may have reached Intacct, so the entry on record is the one Intacct may have).
 */
function keptRecord(state: DocumentState, entry: JournalEntry): PostingRecord | null {
  const prior = state.records.find((r) => r.postingKey === entry.postingKey);
  return prior && isKept(prior) ? prior : null;
}

export const isKept = (record: PostingRecord): boolean => record.status === 'POSTED' || record.status === 'POSTING' || record.status === 'FAILED';

function upsert(list: readonly PostingRecord[], record: PostingRecord): PostingRecord[] {
  const i = list.findIndex((r) => r.postingKey === record.postingKey);
  return i < 0 ? [...list, record] : list.map((r, j) => (j === i ? record : r));
}

function firstReversal(reversals: readonly PostingRecord[]): DocumentState['reversal'] {
  const r = reversals[0];
  return r ? { postingKey: r.postingKey, recordNo: r.recordNo, entry: r.entry, rejected: r.status === 'REJECTED' } : null;
}

/**
 * The document's status, RECORDNO and next attempt from its records: REJECTED when one was refused,
 * FAILED when one waits for a retry, POSTED (with the first record's RECORDNO) once all are posted.
 * A superseded document keeps its status.
 */
function aggregate(state: DocumentState): DocumentState {
  const { records } = state;
  const all = records.length > 0 && records.every((r) => r.status === 'POSTED');
  const recordNo = all ? records[0]!.recordNo : null;
  const failed = records.filter((r) => r.status === 'FAILED' && r.nextAttemptAt !== null).map((r) => r.nextAttemptAt!);
  const nextAttemptAt = failed.length > 0 ? failed.sort()[0]! : null;
  if (state.supersededBy) return { ...state, recordNo, nextAttemptAt };
  const status: DocumentStatus = records.some((r) => r.status === 'REJECTED')
    ? 'REJECTED'
    : records.some((r) => r.status === 'FAILED')
      ? 'FAILED'
      : all
        ? 'POSTED'
        : records.some((r) => r.status === 'POSTING')
          ? 'POSTING'
          : (state.status ?? 'READY');
  const lastError = status === 'POSTED' ? null : state.lastError;
  return { ...state, status, recordNo, nextAttemptAt, lastError, rejectionReason: status === 'REJECTED' ? state.rejectionReason : null };
}

/** The records of the current version that Intacct already has. */
export const postedRecords = (state: DocumentState): PostingRecord[] => state.records.filter((r) => r.recordNo !== null);

/** The record (of the current version, or a reversal) with this posting key. */
export function recordOf(state: DocumentState, postingKey: string): PostingRecord | null {
  return state.records.find((r) => r.postingKey === postingKey) ?? state.reversals.find((r) => r.postingKey === postingKey) ?? null;
}

/** Keys of the records waiting for an automatic retry (an operator's retry makes them due now). */
export const failedPostingKeys = (state: DocumentState): string[] =>
  [...state.records, ...state.reversals].filter((r) => r.status === 'FAILED').map((r) => r.postingKey);

/**
 * The posting Intacct still has to receive for `postingKey`, with the exact entry to send: a record
 * of the document's own version while it is POSTING or FAILED, or the reversal of a superseded
 * record. Null when nothing is outstanding (posted, rejected, re-evaluated into gaps, superseded
 * before posting).
 */
export function outstandingPosting(state: DocumentState, postingKey: string): { entry: JournalEntry; reversal: boolean; reverses: string | null } | null {
  const reversal = state.reversals.find((r) => r.postingKey === postingKey);
  if (reversal) {
    return reversal.recordNo === null && reversal.status !== 'REJECTED' && reversal.entry
      ? { entry: reversal.entry, reversal: true, reverses: reversal.reverses }
      : null;
  }
  if (state.supersededBy) return null;
  const record = state.records.find((r) => r.postingKey === postingKey);
  if (!record || record.recordNo !== null || record.entry === null) return null;
  return record.status === 'POSTING' || record.status === 'FAILED' ? { entry: record.entry, reversal: false, reverses: null } : null;
}

export function foldDocument(events: Iterable<{ type: string; data: unknown }>): DocumentState {
  let state = initialDocumentState();
  for (const event of events) state = evolve(state, event as DocumentEvent);
  return state;
}
