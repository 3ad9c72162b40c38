import type { ConcurDocType, JournalEntry } from '../journal/journal-entry.js';
import type { ClosedPeriodPolicy } from '../mapping/model.js';

/**
 * Events of a document stream: one stream per Concur source document (FIS document id), named by
 * `documentStreamId`. A resubmitted report arrives as a new FIS document id, hence a new stream;
 * the old stream records `DocumentSuperseded`.
 */
export const documentStreamId = (docType: ConcurDocType, concurDocumentId: string): string => `document-${docType}-${concurDocumentId}`;

export type InboundChannel = 'webhook' | 'fis-poll' | 'kafka' | 'backfill' | 'sandbox';

export interface ConcurDocumentReceived {
  docType: ConcurDocType;
  concurDocumentId: string;
  channel: InboundChannel;
  /** Concur notification (ESS event) id, when the document came from a notification. */
  notificationId: string | null;
  href: string | null;
  reportId: string | null;
}

export interface ConcurDocumentFetched {
  docType: ConcurDocType;
  concurDocumentId: string;
  reportId: string | null;
  reportName: string | null;
  employeeId: string | null;
  /** Total the document claims (report total approved amount / invoice total), decimal string. */
  amount: string | null;
  currency: string | null;
  /** Version of the document (report revision number or FIS version id). */
  version: string;
  /** The FIS item exactly as Concur returned it (`{id, docType, companyId, …, document}`). */
  document: unknown;
}

export interface ConcurDocumentAcknowledged {
  systemId: string;
  serviceCode: number;
}

export interface MappingGap {
  kind: 'account' | 'counterparty' | 'tax-account' | 'cash-advance-account' | 'card-account' | 'dimension' | 'employee' | 'vendor' | 'unknown-value';
  /** The Concur code that could not be resolved (or the Intacct value that does not exist). */
  code: string;
  /** The mapping section or field involved, e.g. `accounts`, `dimensions[allocationCustom4Code->DEPARTMENT]`. */
  field: string;
  /** The document line(s) affected, e.g. `entry 123 / allocation 456 / journal 1`. */
  lines: string[];
  message: string;
}

export interface JournalEntryPrepared {
  postingKey: string;
  /** The first record (the only one of a document posted as one GLBATCH). */
  entry: JournalEntry;
  /**
   * Every Intacct record the document becomes, `entry` first, each balanced on its own, each with its
   * own posting key. Absent when the document is the one `entry` (and in events recorded before targets).
   */
  records?: JournalEntry[];
  /** Revision of the mapping stream the entry was computed with. */
  mappingRevision: number;
  /** The mapping set's `options.closedPeriodPolicy` when the entry was computed (absent in older events: `reject`). */
  closedPeriodPolicy?: ClosedPeriodPolicy;
}

/**
 * Intacct refused the batch date (closed period) and the entry moves to the first open date that
 * Intacct named, by the mapping set's `closedPeriodPolicy`. The original date stays in the batch title
 * and here; the re-dated entry follows as a new `PostingRequested` under the same posting key (nothing
 * was created by the refused attempt).
 */
export interface JournalEntryRedated {
  postingKey: string;
  /** The date the posting rules gave the entry (YYYY-MM-DD). */
  originalBatchDate: string;
  /** The first open date Intacct named (YYYY-MM-DD). */
  batchDate: string;
  policy: ClosedPeriodPolicy;
  /** Intacct's own words. */
  reason: string;
}

export interface MappingGapFound {
  gaps: MappingGap[];
  mappingRevision: number;
}

export interface DocumentRejectedByRules {
  /** The document cannot become a balanced entry (amounts do not add up, unknown shape, …). */
  reason: string;
  difference: string | null;
}

export interface PostingRequested {
  postingKey: string;
  entry: JournalEntry;
  /** For a reversal: the RECORDNO being reversed. */
  reverses: string | null;
}

export type IntacctErrorCategory = 'auth' | 'rate-limit' | 'transient' | 'validation' | 'closed-period' | 'duplicate';

export interface PostingError {
  category: IntacctErrorCategory;
  errorNo: string | null;
  description: string | null;
  description2: string | null;
  correction: string | null;
  /** What a person must do, rewritten from Intacct's text where possible. */
  message: string;
  /** For `closed-period`: the first date Intacct accepts ("Date must be on or after …"), YYYY-MM-DD. */
  firstOpenDate?: string | null;
}

/**
 * The XML exchanged with Intacct for one document (docs/contract.md, Audit trail: "what XML was sent, what Intacct
 * answered"). Several documents share a request, so only this document's part is kept: the envelope
 * (control block, authentication) with this document's `<function>`, and the answer's control /
 * authentication status with this document's `<result>`. Passwords and session ids are replaced by
 * `[REDACTED]`; each side is capped (a closing comment says when it was cut).
 */
export interface PostingExchange {
  request: string;
  /** null when no answer came (timeout, HTTP 524/504, connection dropped): see `reason`. */
  response: string | null;
  /** ISO time the request was sent. */
  sentAt: string;
  durationMs: number;
  /** Why `response` is null. */
  reason?: string;
}

export interface PostingSucceeded {
  postingKey: string;
  recordNo: string;
  /** `created`: this request created it; `found-existing`: a read-back found it already there. */
  outcome: 'created' | 'found-existing';
  /** The exchange that settled it: the create, or for `found-existing` the readByQuery. Absent in older events. */
  exchange?: PostingExchange;
  /** Before a read-back: the create whose answer never came, or that Intacct called a duplicate. */
  earlierExchange?: PostingExchange;
}

export interface PostingFailed {
  postingKey: string;
  attempt: number;
  error: PostingError;
  /** ISO time of the next automatic attempt. */
  nextAttemptAt: string;
  /** The exchange that failed (response null when none came). Absent when nothing was sent, and in older events. */
  exchange?: PostingExchange;
  /** Before a read-back: the create whose answer never came, or that Intacct called a duplicate. */
  earlierExchange?: PostingExchange;
}

export interface PostingRejected {
  postingKey: string;
  attempt: number;
  error: PostingError;
  /** The exchange Intacct refused it in. Absent when the entry was refused before sending, and in older events. */
  exchange?: PostingExchange;
}

export interface PostingRetryRequested {
  reason: string;
  /** An operator's choice of BATCH_DATE for this document (YYYY-MM-DD), e.g. after a closed period. */
  batchDate?: string | null;
  /** The batch date the entry had before the operator chose another one. */
  originalBatchDate?: string | null;
}

export interface PostingConfirmedToConcur {
  status: 'success' | 'error';
  documentNumber: string | null;
  serviceCode: number;
  messages: string[];
}

export interface DocumentRecalled {
  serviceCode: number;
  reason: string;
}

export interface DocumentSuperseded {
  byConcurDocumentId: string;
}

export interface DocumentEventMap {
  ConcurDocumentReceived: ConcurDocumentReceived;
  ConcurDocumentFetched: ConcurDocumentFetched;
  ConcurDocumentAcknowledged: ConcurDocumentAcknowledged;
  JournalEntryPrepared: JournalEntryPrepared;
  MappingGapFound: MappingGapFound;
  DocumentRejectedByRules: DocumentRejectedByRules;
  PostingRequested: PostingRequested;
  PostingSucceeded: PostingSucceeded;
  PostingFailed: PostingFailed;
  PostingRejected: PostingRejected;
  PostingRetryRequested: PostingRetryRequested;
  PostingConfirmedToConcur: PostingConfirmedToConcur;
  DocumentRecalled: DocumentRecalled;
  DocumentSuperseded: DocumentSuperseded;
  JournalEntryRedated: JournalEntryRedated;
}

export type DocumentEventType = keyof DocumentEventMap;

export const DOCUMENT_EVENT_TYPES = [
  'ConcurDocumentReceived',
  'ConcurDocumentFetched',
  'ConcurDocumentAcknowledged',
  'JournalEntryPrepared',
  'MappingGapFound',
  'DocumentRejectedByRules',
  'PostingRequested',
  'PostingSucceeded',
  'PostingFailed',
  'PostingRejected',
  'PostingRetryRequested',
  'PostingConfirmedToConcur',
  'DocumentRecalled',
  'DocumentSuperseded',
  'JournalEntryRedated',
] as const satisfies readonly DocumentEventType[];

/** A stored event as a document event, when it is one (a type guard instead of a cast). */
export function isDocumentEvent(event: {
  type: string;
  data: unknown;
}): event is { type: DocumentEventType; data: DocumentEventMap[DocumentEventType] } & DocumentEventOf<DocumentEventType> {
  return (DOCUMENT_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The stored event of one document event type, with its data typed. */
export type DocumentEventOf<K extends DocumentEventType> = { type: K; data: DocumentEventMap[K] };

/** Whether a stored event is of one document event type, its data then typed: `if (isEvent(e, 'PostingRequested')) e.data.entry`. */
export function isEvent<K extends DocumentEventType, E extends { type: string; data: unknown }>(event: E, type: K): event is E & DocumentEventOf<K> {
  return event.type === type;
}

/** The entry that was posted: the last posting request of the first record that is not a reversal, else the last prepared one. */
export function postedEntryOf(events: readonly { type: string; data: unknown }[]): JournalEntry | null {
  return postedRecordsOf(events)[0] ?? null;
}

/**
 * The records of the document as last prepared, each as last requested (a re-dated record carries its
 * new date): what was, or is being, posted. One entry for a document that is one GLBATCH.
 */
export function postedRecordsOf(events: readonly { type: string; data: unknown }[]): JournalEntry[] {
  let records: JournalEntry[] = [];
  for (const e of events) {
    // A preparation lists every record, with the entries of those already sent kept as they were sent.
    if (isEvent(e, 'JournalEntryPrepared')) records = [...(e.data.records ?? [e.data.entry])];
    if (isEvent(e, 'PostingRequested') && e.data.reverses === null) {
      const i = records.findIndex((r) => r.postingKey === e.data.postingKey);
      if (i >= 0) records[i] = e.data.entry;
      else records.push(e.data.entry);
    }
  }
  return records;
}

/** Narrows a stored event to one document event type: `events.filter(ofType('PostingSucceeded'))`. */
export const ofType =
  <K extends DocumentEventType>(type: K) =>
  <E extends { type: string; data: unknown }>(event: E): event is E & DocumentEventOf<K> =>
    event.type === type;
