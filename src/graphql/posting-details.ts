import type { RecordedEvent } from '../domain/events/envelope.js';
import { isEvent, postedEntryOf } from '../domain/document/events.js';
import { targetOf, type JournalEntry } from '../domain/journal/journal-entry.js';
import { foldDocument } from '../domain/document/state.js';
import { redactText, redactValue } from './redact.js';
import type {
  ConcurConfirmationType,
  GatewayExchangeType,
  IntacctRecordType,
  JournalEntryType,
  PostingAttemptType,
  TimelineEventType,
} from './types/posting.js';

/** Read-only views of a document stream for the `posting` detail fields. Pure functions of the events. */

export function toTimelineEvent(e: RecordedEvent, secrets: readonly string[]): TimelineEventType {
  return {
    id: e.id,
    type: e.type,
    position: e.position.toString(),
    revision: e.revision,
    schemaVersion: e.schemaVersion,
    occurredAt: e.metadata.occurredAt,
    recordedAt: e.recordedAt,
    actor: e.metadata.actor,
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId,
    data: redactValue(e.data, secrets),
  };
}

function toEntry(entry: JournalEntry, reverses: string | null): JournalEntryType {
  return {
    postingKey: entry.postingKey,
    journal: entry.journal,
    batchDate: entry.batchDate,
    batchTitle: entry.batchTitle,
    currency: entry.currency,
    total: entry.total,
    reverses,
    target: targetOf(entry),
    employeeId: entry.party?.employeeId ?? null,
    vendorId: entry.party?.vendorId ?? null,
    cardAccount: entry.party?.cardAccount ?? null,
    payee: entry.party?.payee || null,
    billNumber: entry.billNumber ?? null,
    dueDate: entry.dueDate ?? null,
    lines: entry.lines.map((l) => ({
      offset: l.offset === true,
      expenseType: l.expenseType ?? null,
      accountNo: l.accountNo,
      trType: l.trType,
      amount: l.amount,
      memo: l.memo,
      kind: l.kind,
      sources: l.sources ?? [],
      dimensions: Object.entries(l.dimensions)
        .filter((d): d is [string, string] => typeof d[1] === 'string')
        .map(([target, value]) => ({ target, value })),
    })),
  };
}

/** The entry as last sent for posting (not a reversal), or else as last prepared. */
export function journalEntryOf(events: readonly RecordedEvent[]): JournalEntryType | null {
  const entry = postedEntryOf(events);
  return entry ? toEntry(entry, null) : null;
}

/** Every Intacct record of the document's version, then the reversals of a superseded version's records. */
export function recordsOf(events: readonly RecordedEvent[], secrets: readonly string[]): IntacctRecordType[] {
  const state = foldDocument(events);
  return [...state.records, ...state.reversals].map((r) => ({
    target: r.target,
    postingKey: r.postingKey,
    state: r.status,
    recordNo: r.recordNo,
    attempts: r.attempts,
    lastError: r.lastError ? (redactValue(r.lastError, secrets) as IntacctRecordType['lastError']) : null,
    nextAttemptAt: r.nextAttemptAt,
    reverses: r.reverses,
    entry: r.entry ? toEntry(r.entry, r.reverses) : null,
  }));
}

/** The reversal entry, when the posted entry was reversed after a recall/resubmission. */
export function reversalEntryOf(events: readonly RecordedEvent[]): JournalEntryType | null {
  const e = [...events].reverse().find((x) => isEvent(x, 'PostingRequested') && x.data.reverses !== null);
  return e && isEvent(e, 'PostingRequested') ? toEntry(e.data.entry, e.data.reverses) : null;
}

/** The mapping revision the last entry (or gap list) was computed with, and when. */
export function mappingEvaluationOf(events: readonly RecordedEvent[]): { revision: number; at: string } | null {
  for (const e of [...events].reverse()) {
    if (isEvent(e, 'JournalEntryPrepared') || isEvent(e, 'MappingGapFound')) return { revision: e.data.mappingRevision, at: e.recordedAt };
  }
  return null;
}

/**
 * The gateway adapter may record the exchanged XML on the outcome event (`requestXml`/`responseXml`,
 * or `exchange.request`/`exchange.response`); it is always redacted before it leaves the API.
 */
function xmlOf(data: unknown, which: 'request' | 'response', secrets: readonly string[]): string | null {
  const d = data as Record<string, unknown>;
  const exchange = (d.exchange ?? {}) as Record<string, unknown>;
  const value = d[`${which}Xml`] ?? exchange[which];
  return typeof value === 'string' ? redactText(value, secrets) : null;
}

/** A recorded `PostingExchange` (events.ts), redacted again on the way out; null for anything else. */
function exchangeOf(value: unknown, secrets: readonly string[]): GatewayExchangeType | null {
  const x = (value ?? {}) as Record<string, unknown>;
  if (typeof x.request !== 'string' || typeof x.sentAt !== 'string') return null;
  return {
    requestXml: redactText(x.request, secrets),
    responseXml: typeof x.response === 'string' ? redactText(x.response, secrets) : null,
    noResponseReason: typeof x.reason === 'string' ? redactText(x.reason, secrets) : null,
    sentAt: x.sentAt,
    durationMs: typeof x.durationMs === 'number' ? x.durationMs : 0,
  };
}

export function attemptsOf(events: readonly RecordedEvent[], secrets: readonly string[]): PostingAttemptType[] {
  const attempts: PostingAttemptType[] = [];
  const requestedAt = new Map<string, string>();
  const reversals = new Set<string>();
  const pending = new Map<string, Omit<PostingAttemptType, 'number'>>();
  const push = (a: Omit<PostingAttemptType, 'number'>): void => {
    attempts.push({ ...a, number: attempts.length + 1 });
  };
  for (const e of events) {
    if (isEvent(e, 'PostingRequested')) {
      const d = e.data;
      requestedAt.set(d.postingKey, e.recordedAt);
      if (d.reverses !== null) reversals.add(d.postingKey);
      pending.set(d.postingKey, blank(d.postingKey, d.reverses !== null, e.recordedAt));
      continue;
    }
    if (isEvent(e, 'PostingSucceeded') || isEvent(e, 'PostingFailed') || isEvent(e, 'PostingRejected')) {
      const key = e.data.postingKey;
      pending.delete(key);
      const base = {
        ...blank(key, reversals.has(key), requestedAt.get(key) ?? null),
        completedAt: e.recordedAt,
        requestXml: xmlOf(e.data, 'request', secrets),
        responseXml: xmlOf(e.data, 'response', secrets),
        exchanges: ['earlierExchange' in e.data ? e.data.earlierExchange : undefined, e.data.exchange]
          .map((x) => exchangeOf(x, secrets))
          .filter((x): x is GatewayExchangeType => x !== null),
      };
      if (isEvent(e, 'PostingSucceeded')) {
        const d = e.data;
        push({ ...base, outcome: 'SUCCEEDED', recordNo: d.recordNo, result: d.outcome });
      } else if (isEvent(e, 'PostingFailed')) {
        const d = e.data;
        push({ ...base, outcome: 'FAILED', error: redactValue(d.error, secrets) as PostingAttemptType['error'], nextAttemptAt: d.nextAttemptAt });
      } else if (isEvent(e, 'PostingRejected')) {
        const d = e.data;
        push({ ...base, outcome: 'REJECTED', error: redactValue(d.error, secrets) as PostingAttemptType['error'] });
      }
      // After a failure the worker tries again without a new PostingRequested: the next outcome is a new attempt.
    }
  }
  for (const open of pending.values()) push(open);
  return attempts;
}

function blank(postingKey: string, reversal: boolean, requestedAt: string | null): Omit<PostingAttemptType, 'number'> {
  return {
    postingKey,
    reversal,
    outcome: 'PENDING',
    requestedAt,
    completedAt: null,
    recordNo: null,
    result: null,
    error: null,
    nextAttemptAt: null,
    requestXml: null,
    responseXml: null,
    exchanges: [],
  };
}

export function confirmationOf(events: readonly RecordedEvent[]): ConcurConfirmationType | null {
  const e = [...events].reverse().find((x) => isEvent(x, 'PostingConfirmedToConcur'));
  if (!e || !isEvent(e, 'PostingConfirmedToConcur')) return null;
  const d = e.data;
  return { status: d.status, documentNumber: d.documentNumber, serviceCode: d.serviceCode, messages: d.messages, at: e.recordedAt };
}
