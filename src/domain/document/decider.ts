import { journalProblem } from '../journal/balance.js';
import { reversalKeyFor, type JournalEntry } from '../journal/journal-entry.js';
import { reversalTitle } from '../posting/text.js';
import type {
  ConcurDocumentFetched,
  ConcurDocumentReceived,
  MappingGap,
  PostingConfirmedToConcur,
  PostingError,
} from './events.js';
import type { DocumentEvent, DocumentState } from './state.js';

/**
 * The document lifecycle as a decider: `decide(command, state)` returns the events that record the
 * command's effect (possibly none: commands are idempotent where a redelivery is expected), or throws
 * a `LifecycleError` when the command is not allowed in that state. Pure: no I/O, no clock.
 */
export type DocumentCommand =
  | { type: 'ReceiveDocument'; data: ConcurDocumentReceived }
  | { type: 'RecordFetchedDocument'; data: ConcurDocumentFetched }
  | { type: 'RecordAcknowledgement'; data: { systemId: string; serviceCode: number } }
  | {
      type: 'RecordPreparation';
      data:
        | { result: 'entry'; entry: JournalEntry; mappingRevision: number }
        | { result: 'gaps'; gaps: MappingGap[]; mappingRevision: number }
        | { result: 'rejected'; reason: string; difference: string | null };
    }
  | { type: 'RecordPostingOutcome'; data: PostingOutcome }
  | { type: 'RequestRetry'; data: { reason: string } }
  | { type: 'RecordConfirmation'; data: PostingConfirmedToConcur }
  | { type: 'RecordRecall'; data: { serviceCode: number; reason: string } }
  | { type: 'Supersede'; data: { byConcurDocumentId: string } };

export type PostingOutcome =
  | { outcome: 'succeeded'; postingKey: string; recordNo: string; how: 'created' | 'found-existing' }
  | { outcome: 'failed'; postingKey: string; attempt: number; error: PostingError; nextAttemptAt: string }
  | { outcome: 'rejected'; postingKey: string; attempt: number; error: PostingError };

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

const REPREPARABLE = new Set(['FETCHED', 'AWAITING_MAPPING', 'REJECTED', 'FAILED', 'READY']);

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
      if (state.status === null || !REPREPARABLE.has(state.status)) return [];
      const data = command.data;
      if (data.result === 'gaps') {
        if (data.gaps.length === 0) throw new LifecycleError(`${doc}: a mapping-gap result must list at least one gap`);
        // Re-evaluation that finds the same gaps records nothing new.
        if (state.status === 'AWAITING_MAPPING' && sameGaps(state.gaps, data.gaps)) return [];
        return [{ type: 'MappingGapFound', data: { gaps: data.gaps, mappingRevision: data.mappingRevision } }];
      }
      if (data.result === 'rejected') {
        return [{ type: 'DocumentRejectedByRules', data: { reason: data.reason, difference: data.difference } }];
      }
      const problem = journalProblem(data.entry);
      if (problem) {
        // Invariant: no posting request without a balanced journal entry. Never fixed silently.
        return [{ type: 'DocumentRejectedByRules', data: { reason: `${doc}: ${problem}`, difference: null } }];
      }
      return [
        { type: 'JournalEntryPrepared', data: { postingKey: data.entry.postingKey, entry: data.entry, mappingRevision: data.mappingRevision } },
        { type: 'PostingRequested', data: { postingKey: data.entry.postingKey, entry: data.entry, reverses: null } },
      ];
    }

    case 'RecordPostingOutcome':
      return decideOutcome(command.data, state, doc);

    case 'RequestRetry': {
      if (state.status !== 'FAILED' && state.status !== 'REJECTED' && state.status !== 'AWAITING_MAPPING') {
        throw new LifecycleError(`${doc} is ${state.status ?? 'unknown'}; only FAILED, REJECTED or AWAITING_MAPPING documents can be retried`);
      }
      return [{ type: 'PostingRetryRequested', data: command.data }];
    }

    case 'RecordConfirmation':
      // Once confirmed as posted, nothing more; an error confirmation is sent once per rejection.
      if (state.confirmation === 'success' || state.confirmation === command.data.status) return [];
      if (command.data.status === 'success' && !state.recordNo) {
        throw new LifecycleError(`${doc} cannot be confirmed to Concur as posted: it has no Intacct RECORDNO`);
      }
      return [{ type: 'PostingConfirmedToConcur', data: command.data }];

    case 'RecordRecall':
      if (state.status === 'SUPERSEDED' || state.status === 'REVERSED') return [];
      return [{ type: 'DocumentRecalled', data: command.data }];

    case 'Supersede': {
      if (state.supersededBy) return [];
      const events: DocumentEvent[] = [{ type: 'DocumentSuperseded', data: command.data }];
      if (state.recordNo && state.entry) {
        // The old entry stays in the books and is reversed by a mirror entry, linked by its key.
        const key = reversalKeyFor(state.entry.postingKey);
        events.push({ type: 'PostingRequested', data: { postingKey: key, entry: reversalOf(state.entry, key), reverses: state.recordNo } });
      }
      return events;
    }
  }
}

function decideOutcome(outcome: PostingOutcome, state: DocumentState, doc: string): DocumentEvent[] {
  const expected = [state.postingKey, state.reversal?.postingKey].filter(Boolean);
  if (!expected.includes(outcome.postingKey)) {
    throw new LifecycleError(`${doc}: posting outcome for unknown posting key ${outcome.postingKey}`);
  }
  const isReversal = outcome.postingKey === state.reversal?.postingKey;
  const recordedNo = isReversal ? state.reversal?.recordNo ?? null : state.recordNo;
  if (outcome.outcome === 'succeeded') {
    if (recordedNo === outcome.recordNo) return [];
    if (recordedNo !== null) {
      // Invariant: at most one success per document version.
      throw new LifecycleError(`${doc} already posted as Intacct RECORDNO ${recordedNo}; refusing a second success (${outcome.recordNo})`);
    }
    return [{ type: 'PostingSucceeded', data: { postingKey: outcome.postingKey, recordNo: outcome.recordNo, outcome: outcome.how } }];
  }
  if (recordedNo !== null) return []; // a late failure after a success changes nothing
  if (outcome.outcome === 'failed') {
    return [{ type: 'PostingFailed', data: { postingKey: outcome.postingKey, attempt: outcome.attempt, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt } }];
  }
  return [{ type: 'PostingRejected', data: { postingKey: outcome.postingKey, attempt: outcome.attempt, error: outcome.error } }];
}

/** The mirror entry that cancels `entry`: same lines, debit and credit swapped. */
export function reversalOf(entry: JournalEntry, postingKey: string): JournalEntry {
  return {
    ...entry,
    postingKey,
    batchTitle: reversalTitle(entry.batchTitle, entry.reportId ?? entry.concurDocumentId),
    lines: entry.lines.map((line) => ({ ...line, trType: line.trType === 1 ? -1 : 1 })),
  };
}

function sameGaps(a: MappingGap[], b: MappingGap[]): boolean {
  const key = (gaps: MappingGap[]) => gaps.map((g) => `${g.kind}|${g.field}|${g.code}|${g.lines.join(',')}`).sort().join('\n');
  return key(a) === key(b);
}
