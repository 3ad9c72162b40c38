import { deterministicEventId, newEvent, type EventOptions } from '../../domain/events/envelope.js';
import { WrongExpectedRevisionError, type EventStore } from '../../domain/eventstore/port.js';
import { decide, type DocumentCommand } from '../../domain/document/decider.js';
import { foldDocument } from '../../domain/document/state.js';

/**
 * Runs one lifecycle command against a document stream: fold, decide, append with the stream's
 * revision as the expected one (retrying on a concurrent writer). Event ids derive from `idKey`, so
 * the same outside fact (a redelivered document, a repeated confirmation) never appends twice.
 */
export async function runDocumentCommand(
  store: EventStore,
  streamId: string,
  command: DocumentCommand,
  idKey: string,
  meta: Omit<EventOptions, 'id'>,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const history = await store.readStream(streamId);
    const state = foldDocument(history);
    const decided = decide(command, state);
    if (decided.length === 0) return 0;
    const events = decided.map((e, i) => newEvent(e.type, e.data, { ...meta, id: deterministicEventId(`concur-${e.type}`, `${idKey}#${i}`) }));
    try {
      const result = await store.appendToStream(streamId, events, { expectedRevision: history.length === 0 ? 'no_stream' : history.length - 1 });
      return result.appended;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < 5) continue;
      throw error;
    }
  }
}
