import { deterministicEventId, newEvent, type EventOptions } from '../events/envelope.js';
import { WrongExpectedRevisionError, type EventStore } from '../eventstore/port.js';
import { decide, type DocumentCommand } from './decider.js';
import { evolve, foldDocument, type DocumentEvent, type DocumentState } from './state.js';

/** Metadata of the decided events; `idNamespace` scopes their deterministic ids (default `concur`). */
export type CommandMeta = Omit<EventOptions, 'id'> & { idNamespace?: string };

/** What a command did: the events appended (none when it changed nothing) and the state after them. */
export interface CommandResult {
  appended: DocumentEvent[];
  state: DocumentState;
}

/**
 * Runs one lifecycle command against a document stream: fold, decide, append with the stream's
 * revision as the expected one (retrying on a concurrent writer). Event ids derive from `idKey`, so
 * the same outside fact (a redelivered document, a repeated confirmation) never appends twice.
 */
export function runDocumentCommand(store: EventStore, streamId: string, command: DocumentCommand, idKey: string, meta: CommandMeta): Promise<CommandResult> {
  return runDocumentCommands(store, streamId, [command], idKey, meta);
}

/**
 * Several commands decided in order against the evolving state and appended as ONE atomic append:
 * one durable write instead of one per step (each fsync blocks the event loop), and no state in which
 * only some of the steps are recorded.
 */
export async function runDocumentCommands(
  store: EventStore,
  streamId: string,
  commands: readonly DocumentCommand[],
  idKey: string,
  meta: CommandMeta,
): Promise<CommandResult> {
  const { idNamespace = 'concur', ...options } = meta;
  for (let attempt = 0; ; attempt++) {
    const history = await store.readStream(streamId);
    let state = foldDocument(history);
    const decided: DocumentEvent[] = [];
    for (const command of commands) {
      const events = decide(command, state);
      for (const event of events) state = evolve(state, event);
      decided.push(...events);
    }
    if (decided.length === 0) return { appended: [], state };
    const events = decided.map((e, i) => newEvent(e.type, e.data, { ...options, id: deterministicEventId(`${idNamespace}-${e.type}`, `${idKey}#${i}`) }));
    try {
      await store.appendToStream(streamId, events, { expectedRevision: history.length === 0 ? 'no_stream' : history.length - 1 });
      return { appended: decided, state };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < 5) continue;
      throw error;
    }
  }
}
