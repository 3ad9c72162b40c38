import type { NewEvent, RecordedEvent } from './events/envelope.js';
import { WrongExpectedRevisionError, type EventStore } from './eventstore/port.js';
import type { Decider } from './decider.js';

/** What a handled command did: the events it recorded (none when it changed nothing) and the states around them. */
export interface HandledCommand<State, Event> {
  appended: Event[];
  before: State;
  state: State;
  /** The stream's revision after the command (-1 for a stream that still has no event). */
  revision: number;
  /** Global position of the last appended event; null when nothing was appended. */
  position: bigint | null;
}

/**
 * How often a command is decided again when another writer appended to the stream in between (the
 * append carries the revision the decision was made on). Decisions are cheap and conflicts rare:
 * a stream that keeps moving for this many rounds is an error worth seeing.
 */
export const CONFLICT_RETRIES = 5;

/**
 * The one write path of a decider's stream: read the stream, fold it, decide the commands in order
 * against the evolving state, append the decided events as ONE atomic append with the stream's
 * revision as the expected one, and on a conflict decide again from the new events. `toStored` gives
 * each decided event its id and metadata (deterministic ids make a repeated command a no-op), and may
 * read the stream's history for them (to carry on its correlation id).
 */
export async function handleCommands<State, Command, Event extends { type: string; data: unknown }>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamId: string,
  commands: readonly Command[],
  toStored: (decided: Event[], history: readonly RecordedEvent[]) => readonly NewEvent[],
  options: { expectNew?: boolean } = {},
): Promise<HandledCommand<State, Event>> {
  if (options.expectNew) {
    // The caller expects a new stream (a document heard of for the first time): decide against the
    // initial state and append at 'no_stream', saving the read. If the stream exists after all, or
    // the events were stored before, decide again the usual way, from what is stored.
    const state0 = decider.initialState();
    const { decided, state } = decideAll(decider, state0, commands);
    if (decided.length > 0) {
      try {
        const result = await store.appendToStream(streamId, toStored(decided, []), { expectedRevision: 'no_stream' });
        if (result.appended === decided.length)
          return { appended: decided, before: state0, state, revision: result.nextExpectedRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
  }
  for (let attempt = 0; ; attempt++) {
    const history = await store.readStream(streamId);
    let before = decider.initialState();
    for (const event of history) before = decider.evolve(before, event as unknown as Event);
    const { decided, state } = decideAll(decider, before, commands);
    const revision = history.length - 1;
    if (decided.length === 0) return { appended: [], before, state, revision, position: null };
    try {
      const result = await store.appendToStream(streamId, toStored(decided, history), { expectedRevision: revision < 0 ? 'no_stream' : revision });
      return { appended: decided, before, state, revision: result.nextExpectedRevision, position: result.position };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < CONFLICT_RETRIES) continue;
      throw error;
    }
  }
}

/** Decides the commands in order, each against the state the previous ones left. */
function decideAll<State, Command, Event extends { type: string; data: unknown }>(
  decider: Decider<State, Command, Event>,
  from: State,
  commands: readonly Command[],
): { decided: Event[]; state: State } {
  let state = from;
  const decided: Event[] = [];
  for (const command of commands) {
    for (const event of decider.decide(command, state)) {
      state = decider.evolve(state, event);
      decided.push(event);
    }
  }
  return { decided, state };
}
