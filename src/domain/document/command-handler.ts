import { handleCommands, type HandledCommand } from '../command-handler.js';
import { deterministicEventId, newEvent, type EventOptions } from '../events/envelope.js';
import type { EventStore } from '../eventstore/port.js';
import { documentDecider, type DocumentCommand } from './decider.js';
import type { DocumentEvent, DocumentState } from './state.js';

/**
 * Metadata of the decided events; `idNamespace` scopes their deterministic ids (default `concur`).
 * Without a `correlationId` the events carry on the stream's own (that of the inbound fact that
 * started it), so one document's chain shares one correlation id.
 */
export type CommandMeta = Omit<EventOptions, 'id'> & { idNamespace?: string };

/** What a command did: the events appended (none when it changed nothing) and the state after them. */
export type CommandResult = HandledCommand<DocumentState, DocumentEvent>;

/**
 * Runs one lifecycle command against a document stream through the one write path (`handleCommands`:
 * fold, decide, append with the stream's revision as the expected one, decide again on a concurrent
 * writer). Event ids derive from `idKey`, so the same outside fact (a redelivered document, a repeated
 * confirmation, an outcome recorded again after a crash) never appends twice.
 */
export function runDocumentCommand(store: EventStore, streamId: string, command: DocumentCommand, idKey: string, meta: CommandMeta): Promise<CommandResult> {
  return runDocumentCommands(store, streamId, [command], idKey, meta);
}

/**
 * Several commands decided in order against the evolving state and appended as ONE atomic append:
 * one durable write instead of one per step (each fsync blocks the event loop), and no state in which
 * only some of the steps are recorded.
 */
export function runDocumentCommands(
  store: EventStore,
  streamId: string,
  commands: readonly DocumentCommand[],
  idKey: string,
  meta: CommandMeta,
): Promise<CommandResult> {
  const { idNamespace = 'concur', ...options } = meta;
  return handleCommands(store, documentDecider, streamId, commands, (decided, history) => {
    const correlationId = options.correlationId ?? history[0]?.metadata.correlationId ?? streamId;
    return decided.map((e, i) =>
      newEvent(e.type, e.data, { ...options, correlationId, id: deterministicEventId(`${idNamespace}-${e.type}`, `${idKey}#${i}`) }),
    );
  });
}
