import { journalProblem } from '../journal/balance.js';
import { reversalKeyFor, type JournalEntry } from '../journal/journal-entry.js';
import type { ClosedPeriodPolicy } from '../mapping/model.js';
import { batchTitle, concurDateNote, redatedEntry, reversalTitle } from '../posting/text.js';
import type { ConcurDocumentFetched, ConcurDocumentReceived, MappingGap, PostingConfirmedToConcur, PostingError, PostingExchange } from './events.js';
import type { Decider } from '../decider.js';
import { evolve, initialDocumentState, isKept, postedRecords, recordOf, type DocumentEvent, type DocumentState } from './state.js';
import { ConnectorError } from '../errors.js';

/**
 * The document lifecycle as a decider: `decide(command, state)` returns the events that record the
 * command's effect (possibly none: commands are idempotent where a redelivery is expected), or throws
 * a `LifecycleError` when the command is not allowed in that state. Pure: no I/O, no clock.
 */
/** What the posting rules made of the document, with the mappings and reference data of the moment. */
export type Preparation =
  | { result: 'entry'; entry: JournalEntry; records?: JournalEntry[]; mappingRevision: number; closedPeriodPolicy?: ClosedPeriodPolicy }
  | { result: 'gaps'; gaps: MappingGap[]; mappingRevision: number }
  | { result: 'rejected'; reason: string; difference: string | null };

export type DocumentCommand =
  | { type: 'ReceiveDocument'; data: ConcurDocumentReceived }
  | { type: 'RecordFetchedDocument'; data: ConcurDocumentFetched }
  | { type: 'RecordAcknowledgement'; data: { systemId: string; serviceCode: number } }
  | { type: 'RecordPreparation'; data: Preparation }
  | { type: 'RecordPostingOutcome'; data: PostingOutcome }
  /**
   * An operator's retry. For a document that Intacct or the rules refused, or that waits for
   * mappings, it carries the preparation made just now, so the entry requested is the one computed
   * with today's mappings (and the operator's batch date, if one was chosen); for a FAILED document it
   * only asks for the next attempt now (that posting may already have reached Intacct).
   */
  | { type: 'RequestRetry'; data: { reason: string; batchDate?: string | null; preparation?: Preparation | null } }
  | { type: 'RecordConfirmation'; data: PostingConfirmedToConcur }
  | { type: 'RecordRecall'; data: { serviceCode: number; reason: string } }
  | { type: 'Supersede'; data: { byConcurDocumentId: string } };

/** What Intacct made of one posting attempt, with the XML exchanged (recorded on the outcome event). */
export type PostingOutcome =
  | ({ outcome: 'succeeded'; postingKey: string; recordNo: string; how: 'created' | 'found-existing' } & Exchanges)
  | ({ outcome: 'failed'; postingKey: string; attempt: number; error: PostingError; nextAttemptAt: string } & Exchanges)
  | ({ outcome: 'rejected'; postingKey: string; attempt: number; error: PostingError } & Pick<Exchanges, 'exchange'>);

interface Exchanges {
  exchange?: PostingExchange;
  earlierExchange?: PostingExchange;
}

export class LifecycleError extends ConnectorError {
  override readonly name = 'LifecycleError';
}

/**
 * Automatic (re-)evaluation happens only before anything was sent to Intacct. Once a posting is
 * requested, the entry stays what it is until Intacct answers, so the GLBATCH sent is always the entry
 * on record; a refused one is evaluated again only when an operator asks (RequestRetry).
 */
const PREPARABLE = new Set(['FETCHED', 'AWAITING_MAPPING']);
const RETRYABLE = new Set(['FAILED', 'REJECTED', 'AWAITING_MAPPING']);

export function decide(command: DocumentCommand, state: DocumentState): DocumentEvent[] {
  const doc = state.concurDocumentId ? `document ${state.concurDocumentId}` : 'the document';
  switch (command.type) {
    case 'ReceiveDocument':
      // A second notification for a known document is recorded once only (by its deterministic id);
      // here it adds nothing once the document is known.
      return state.status === null ? [{ type: 'ConcurDocumentReceived', data: command.data }] : [];

    case 'RecordFetchedDocument':
      if (state.fetched) return [];
      return [{ type: 'ConcurDocumentFetched', data: command.data }];

    case 'RecordAcknowledgement':
      return [{ type: 'ConcurDocumentAcknowledged', data: command.data }];

    case 'RecordPreparation': {
      if (!state.fetched) throw new LifecycleError(`${doc} cannot be prepared before the Concur document is fetched`);
      if (state.status === null || !PREPARABLE.has(state.status)) return [];
      return preparationEvents(command.data, state, doc);
    }

    case 'RecordPostingOutcome':
      return decideOutcome(command.data, state, doc);

    case 'RequestRetry': {
      if (state.status === null || !RETRYABLE.has(state.status)) {
        throw new LifecycleError(`${doc} is ${state.status ?? 'unknown'}; only FAILED, REJECTED or AWAITING_MAPPING documents can be retried`);
      }
      const { reason, batchDate = null, preparation = null } = command.data;
      if (state.status === 'FAILED') {
        if (batchDate) {
          throw new LifecycleError(
            `${doc} is FAILED and will be retried automatically; its last attempt may have reached Intacct, so its batch date cannot be changed now. Wait for the outcome (or for a REJECTED status) and retry then`,
          );
        }
        return [{ type: 'PostingRetryRequested', data: { reason } }];
      }
      const asked: DocumentEvent = {
        type: 'PostingRetryRequested',
        data: batchDate ? { reason, batchDate, originalBatchDate: state.entry?.originalBatchDate ?? state.entry?.batchDate ?? null } : { reason },
      };
      // Not fetched yet (Concur did not know it): the process manager fetches it after this.
      if (!state.fetched) return [asked];
      if (!preparation) throw new LifecycleError(`${doc}: a retry must carry the document's new evaluation`);
      return [asked, ...preparationEvents(preparation, state, doc, true)];
    }

    case 'RecordConfirmation':
      // Once confirmed as posted, nothing more; an error confirmation is sent once per rejection.
      if (state.confirmation === 'success' || state.confirmation === command.data.status) return [];
      if (command.data.status === 'success' && !state.recordNo) {
        throw new LifecycleError(`${doc} cannot be confirmed to Concur as posted: it has no Intacct RECORDNO`);
      }
      return [{ type: 'PostingConfirmedToConcur', data: command.data }];

    case 'RecordRecall':
      // Recorded once: a recall seen again (the next confirmation attempt, another fetch) adds nothing.
      if (state.recall || state.status === 'SUPERSEDED' || state.status === 'REVERSED') return [];
      return [{ type: 'DocumentRecalled', data: command.data }];

    case 'Supersede': {
      if (state.supersededBy) return [];
      const events: DocumentEvent[] = [{ type: 'DocumentSuperseded', data: command.data }];
      // Each posted record stays in the books and is reversed by its object's own means (a mirror
      // journal, a reversed expense report, bill or card transaction), linked by its key.
      for (const record of postedRecords(state)) events.push(reversalRequest(record.entry!, record.recordNo!));
      return events;
    }
  }
}

/** The events of a preparation result; `retried`: an operator asked, so equal gaps are recorded again. */
function preparationEvents(data: Preparation, state: DocumentState, doc: string, retried = false): DocumentEvent[] {
  if (data.result === 'gaps') {
    if (data.gaps.length === 0) throw new LifecycleError(`${doc}: a mapping-gap result must list at least one gap`);
    // Re-evaluation that finds the same gaps records nothing new.
    if (!retried && state.status === 'AWAITING_MAPPING' && sameGaps(state.gaps, data.gaps)) return [];
    return [{ type: 'MappingGapFound', data: { gaps: data.gaps, mappingRevision: data.mappingRevision } }];
  }
  if (data.result === 'rejected') {
    return [{ type: 'DocumentRejectedByRules', data: { reason: data.reason, difference: data.difference } }];
  }
  const planned = data.records ?? [data.entry];
  for (const record of planned) {
    const problem = journalProblem(record);
    // Invariant: no posting request without a balanced record. Never fixed silently.
    if (problem) {
      const which = planned.length > 1 ? ` (${record.target ?? 'GLBATCH'} ${record.postingKey})` : '';
      return [{ type: 'DocumentRejectedByRules', data: { reason: `${doc}${which}: ${problem}`, difference: null } }];
    }
  }
  // Records already posted, or sent without an answer yet, stay exactly as they were sent: nothing
  // Intacct has (or may have) is sent again with other content.
  const planKeys = new Set(planned.map((r) => r.postingKey));
  const missing = state.records.filter((r) => isKept(r) && !planKeys.has(r.postingKey));
  if (missing.length > 0) {
    const list = missing.map((r) => `${r.target} ${r.postingKey}${r.recordNo ? ` (RECORDNO ${r.recordNo})` : ' (sent, outcome pending)'}`).join(', ');
    throw new LifecycleError(
      `${doc}: ${list} ${missing.length === 1 ? 'is' : 'are'} already in Intacct or on the way, but the mappings now make this document into other records (the targets changed). Restore the targets the document was posted with, then retry`,
    );
  }
  const records = planned.map((r) => {
    const prior = recordOf(state, r.postingKey);
    return prior && isKept(prior) && prior.entry ? prior.entry : r;
  });
  const first = records[0]!;
  const toSend = records.filter((r) => {
    const prior = recordOf(state, r.postingKey);
    return !(prior && isKept(prior));
  });
  return [
    {
      type: 'JournalEntryPrepared',
      data: {
        postingKey: first.postingKey,
        entry: first,
        ...(records.length > 1 ? { records } : {}),
        mappingRevision: data.mappingRevision,
        closedPeriodPolicy: data.closedPeriodPolicy ?? 'reject',
      },
    },
    ...toSend.map((r): DocumentEvent => ({ type: 'PostingRequested', data: { postingKey: r.postingKey, entry: r, reverses: null } })),
  ];
}

function decideOutcome(outcome: PostingOutcome, state: DocumentState, doc: string): DocumentEvent[] {
  const record = recordOf(state, outcome.postingKey);
  if (!record) throw new LifecycleError(`${doc}: posting outcome for unknown posting key ${outcome.postingKey}`);
  const isReversal = record.reverses !== null;
  const recordedNo = record.recordNo;
  const { exchange, earlierExchange } = outcome as Exchanges;
  const recorded = { ...(exchange ? { exchange } : {}), ...(earlierExchange ? { earlierExchange } : {}) };
  if (outcome.outcome === 'succeeded') {
    if (recordedNo === outcome.recordNo) return [];
    if (recordedNo !== null) {
      // Invariant: at most one success per record of a document version.
      throw new LifecycleError(
        `${doc}: ${outcome.postingKey} already posted as Intacct RECORDNO ${recordedNo}; refusing a second success (${outcome.recordNo})`,
      );
    }
    const events: DocumentEvent[] = [
      { type: 'PostingSucceeded', data: { postingKey: outcome.postingKey, recordNo: outcome.recordNo, outcome: outcome.how, ...recorded } },
    ];
    const reversed = state.reversals.some((r) => r.postingKey === reversalKeyFor(outcome.postingKey));
    if (!isReversal && state.supersededBy && record.entry && !reversed) {
      // Superseded while this posting was under way: it landed all the same, so it is reversed at once.
      events.push(reversalRequest(record.entry, outcome.recordNo));
    }
    return events;
  }
  if (recordedNo !== null) return []; // a late failure after a success changes nothing
  if (outcome.outcome === 'failed') {
    return [
      {
        type: 'PostingFailed',
        data: { postingKey: outcome.postingKey, attempt: outcome.attempt, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt, ...recorded },
      },
    ];
  }
  const rejected: DocumentEvent = {
    type: 'PostingRejected',
    data: { postingKey: outcome.postingKey, attempt: outcome.attempt, error: outcome.error, ...recorded },
  };
  const entry = record.entry;
  const firstOpen = outcome.error.firstOpenDate ?? null;
  if (outcome.error.category === 'closed-period' && state.closedPeriodPolicy === 'next-open-period' && entry && firstOpen && firstOpen > entry.batchDate) {
    // The mapping set asks to post in the first open period that Intacct named. Nothing was created by
    // the refused attempt, so the same posting key goes out again with the new date.
    const moved = redatedEntry(entry, firstOpen);
    const original = moved.originalBatchDate ?? entry.batchDate;
    const reason = [outcome.error.description2, outcome.error.description].find((t) => t) ?? outcome.error.message;
    return [
      rejected,
      {
        type: 'JournalEntryRedated',
        data: { postingKey: outcome.postingKey, originalBatchDate: original, batchDate: firstOpen, policy: 'next-open-period', reason },
      },
      { type: 'PostingRequested', data: { postingKey: outcome.postingKey, entry: moved, reverses: record.reverses } },
    ];
  }
  return [rejected];
}

/** The request to reverse one posted record: its mirror, under the record's reversal key. */
function reversalRequest(entry: JournalEntry, recordNo: string): DocumentEvent {
  const key = reversalKeyFor(entry.postingKey);
  return { type: 'PostingRequested', data: { postingKey: key, entry: reversalOf(entry, key), reverses: recordNo } };
}

/** The mirror entry that cancels `entry`: same lines, debit and credit swapped. */
/** "Reversal of <name> (<id>)[, Concur date …]": the id kept whole, by the title rule of every entry. */
function reversedTitle(entry: JournalEntry): Pick<JournalEntry, 'batchTitle' | 'titleName'> {
  const id = entry.reportId ?? entry.concurDocumentId;
  // Entries recorded before `titleName` existed: the reversal title is derived from the title itself.
  if (entry.titleName === undefined) return { batchTitle: reversalTitle(entry.batchTitle, id) };
  const name = entry.titleName ? `Reversal of ${entry.titleName}` : 'Reversal';
  return { batchTitle: batchTitle(name, id, entry.originalBatchDate ? concurDateNote(entry.originalBatchDate) : null), titleName: name };
}

export function reversalOf(entry: JournalEntry, postingKey: string): JournalEntry {
  return {
    ...entry,
    postingKey,
    ...reversedTitle(entry),
    lines: entry.lines.map((line) => ({ ...line, trType: line.trType === 1 ? -1 : 1 })),
  };
}

function sameGaps(a: MappingGap[], b: MappingGap[]): boolean {
  const key = (gaps: MappingGap[]) =>
    gaps
      .map((g) => `${g.kind}|${g.field}|${g.code}|${g.lines.join(',')}`)
      .sort()
      .join('\n');
  return key(a) === key(b);
}

/** The document lifecycle as one value: what the command handler, the worker and the projections share. */
export const documentDecider: Decider<DocumentState, DocumentCommand, DocumentEvent> = { decide, evolve, initialState: initialDocumentState };
