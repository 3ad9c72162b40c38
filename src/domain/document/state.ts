import type { ConcurDocType, JournalEntry } from '../journal/journal-entry.js';
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
    case 'JournalEntryPrepared':
      return {
        ...state,
        status: 'READY',
        gaps: [],
        entry: event.data.entry,
        postingKey: event.data.postingKey,
        closedPeriodPolicy: event.data.closedPeriodPolicy ?? 'reject',
        batchDate: event.data.entry.batchDate,
        rejectionReason: null,
      };
    case 'JournalEntryRedated':
      // The re-dated entry itself arrives with the PostingRequested that follows.
      return { ...state, batchDate: event.data.batchDate };
    case 'PostingRequested':
      if (event.data.reverses !== null)
        return { ...state, reversal: { postingKey: event.data.postingKey, recordNo: null, entry: event.data.entry, rejected: false } };
      return {
        ...state,
        status: 'POSTING',
        postingKey: event.data.postingKey,
        entry: event.data.entry,
        batchDate: event.data.entry.batchDate,
        nextAttemptAt: null,
      };
    case 'PostingSucceeded':
      if (state.reversal && event.data.postingKey === state.reversal.postingKey) {
        return { ...state, status: 'REVERSED', reversal: { ...state.reversal, recordNo: event.data.recordNo } };
      }
      return {
        ...state,
        status: state.supersededBy ? state.status : 'POSTED',
        recordNo: event.data.recordNo,
        attempts: state.attempts + 1,
        lastError: null,
        nextAttemptAt: null,
      };
    case 'PostingFailed':
      if (isReversalKey(state, event.data.postingKey)) return { ...state, lastError: event.data.error };
      return { ...state, status: 'FAILED', attempts: event.data.attempt, lastError: event.data.error, nextAttemptAt: event.data.nextAttemptAt };
    case 'PostingRejected':
      if (isReversalKey(state, event.data.postingKey)) return { ...state, reversal: { ...state.reversal!, rejected: true }, lastError: event.data.error };
      return {
        ...state,
        status: 'REJECTED',
        attempts: event.data.attempt,
        lastError: event.data.error,
        nextAttemptAt: null,
        rejectionReason: event.data.error.message,
      };
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
      const recall = { serviceCode: event.data.serviceCode, afterPosting: state.recordNo !== null };
      // Recalled after posting: the entry stays in the books (and the status with it) until someone decides.
      if (state.recordNo) return { ...state, recall };
      // 116: Concur does not know the document at all; a person must look (REJECTED), whereas a
      // recall (102/112) means a newer version will come (SUPERSEDED).
      return { ...state, recall, status: event.data.serviceCode === 116 ? 'REJECTED' : 'SUPERSEDED', rejectionReason: event.data.reason };
    }
    case 'DocumentSuperseded':
      return { ...state, status: 'SUPERSEDED', supersededBy: event.data.byConcurDocumentId };
  }
}

const isReversalKey = (state: DocumentState, key: string): boolean => state.reversal?.postingKey === key;

/**
 * The posting Intacct still has to receive for `postingKey`, with the exact entry to send: the
 * document's own entry while it is POSTING or FAILED, or the reversal of a superseded entry. Null when
 * nothing is outstanding (posted, rejected, re-evaluated into gaps, superseded before posting).
 */
export function outstandingPosting(state: DocumentState, postingKey: string): { entry: JournalEntry; reversal: boolean } | null {
  if (state.reversal?.postingKey === postingKey) {
    const r = state.reversal;
    return r.recordNo === null && !r.rejected && r.entry ? { entry: r.entry, reversal: true } : null;
  }
  if (state.postingKey !== postingKey || state.recordNo !== null || state.entry === null) return null;
  return state.status === 'POSTING' || state.status === 'FAILED' ? { entry: state.entry, reversal: false } : null;
}

export function foldDocument(events: Iterable<{ type: string; data: unknown }>): DocumentState {
  let state = initialDocumentState();
  for (const event of events) state = evolve(state, event as DocumentEvent);
  return state;
}
