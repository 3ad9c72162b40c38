/**
 * A decider is one value: how a stream's state is folded from its events (`evolve` from
 * `initialState`) and what a command makes of that state (`decide`: the events to record, none when
 * the command changes nothing, or a thrown refusal). Pure: no I/O, no clock. The document lifecycle
 * (document/decider.ts) and the mapping set (mapping/decider.ts) are deciders; `handleCommands`
 * (command-handler.ts) is the one way their streams are written.
 */
export interface Decider<State, Command, Event extends { type: string; data: unknown }> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The state after `events`, from the decider's initial state. */
export function fold<State, Event extends { type: string; data: unknown }>(
  decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
