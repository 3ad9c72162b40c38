import { handleCommands } from '../../domain/command-handler.js';
import { documentDecider } from '../../domain/document/decider.js';
import { deterministicEventId, newEvent, type NewEvent } from '../../domain/events/envelope.js';
import { documentStreamId, type ConcurDocumentReceived } from '../../domain/document/events.js';
import type { EventStore } from '../../domain/eventstore/port.js';
import type { ConcurDocType } from '../../domain/journal/journal-entry.js';

/**
 * What every Concur entry point (webhook, Kafka, FIS queue poller, backfill) does with a document it
 * hears of: record that it was received, through the document's one write path, and nothing more. The
 * document pipeline (src/processes) is the one process that fetches, acknowledges, prepares,
 * supersedes and confirms. `recorded`: the stream is new; `known`: the document was already received
 * (a redelivery, or heard of on another channel), so nothing was appended.
 */
export type ReceiveOutcome = 'recorded' | 'known';

export interface ReceivedDocument {
  docType: ConcurDocType;
  docId: string;
  channel: ConcurDocumentReceived['channel'];
  notificationId?: string | null;
  href?: string | null;
  reportId?: string | null;
}

/** `eventId`: the id the received event gets (a notification's own deterministic id); by default one derived from the document. */
export type ReceiveDocument = (doc: ReceivedDocument, meta?: { correlationId?: string; occurredAt?: string; eventId?: string }) => Promise<ReceiveOutcome>;

/** The command and the metadata every entry point gives a received document. */
function receiveCommand(doc: ReceivedDocument, meta: { correlationId?: string; occurredAt?: string }) {
  const key = `${doc.docType}:${doc.docId}`;
  const command = {
    type: 'ReceiveDocument' as const,
    data: {
      docType: doc.docType,
      concurDocumentId: doc.docId,
      channel: doc.channel,
      notificationId: doc.notificationId ?? null,
      href: doc.href ?? null,
      reportId: doc.reportId ?? null,
    },
  };
  const options = {
    actor: `concur:${doc.channel}` as const,
    correlationId: meta.correlationId ?? key,
    ...(meta.occurredAt ? { occurredAt: meta.occurredAt } : {}),
  };
  return { key, command, options };
}

const storedIds =
  (key: string, options: ReturnType<typeof receiveCommand>['options'], eventId: string | undefined) =>
  (decided: readonly { type: string; data: unknown }[]): NewEvent[] =>
    decided.map((e, i) => newEvent(e.type, e.data, { ...options, id: i === 0 && eventId ? eventId : deterministicEventId('concur-received', `${key}#${i}`) }));

/**
 * What receiving a document appends when its stream is new: the same events, ids and expected
 * revision (`no_stream`) as the receiver's first attempt, for a caller that appends many at once
 * (`appendBatch`). When that append conflicts or appends less than all of them (the stream exists, the
 * events were stored before), the caller asks the receiver itself, which decides from the stream.
 */
export function newDocumentAppend(
  doc: ReceivedDocument,
  meta: { correlationId?: string; occurredAt?: string; eventId?: string } = {},
): { streamId: string; events: NewEvent[]; options: { expectedRevision: 'no_stream' } } {
  const { key, command, options } = receiveCommand(doc, meta);
  let state = documentDecider.initialState();
  const decided = [];
  for (const event of documentDecider.decide(command, state)) {
    state = documentDecider.evolve(state, event);
    decided.push(event);
  }
  return {
    streamId: documentStreamId(doc.docType, doc.docId),
    events: storedIds(key, options, meta.eventId)(decided),
    options: { expectedRevision: 'no_stream' },
  };
}

export function documentReceiver(store: EventStore): ReceiveDocument {
  return async (doc, meta = {}) => {
    const { key, command, options } = receiveCommand(doc, meta);
    const result = await handleCommands(
      store,
      documentDecider,
      documentStreamId(doc.docType, doc.docId),
      [command],
      storedIds(key, options, meta.eventId),
      // Most documents are heard of once: skip the read, and decide again from the stream if it exists.
      { expectNew: true },
    );
    return result.appended.length > 0 ? 'recorded' : 'known';
  };
}
