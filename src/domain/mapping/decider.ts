import type { Decider } from '../decider.js';
import { planMapping, type MappingCommand, type MappingDecideOptions, type MappingDecision, type MappingEvent } from './decide.js';
import { evolveMappingSet } from './evolve.js';
import { mappingSetFromJson } from './json.js';
import type { MappingSet } from './model.js';

/**
 * The mapping set as a decider (one value, like the document lifecycle's): the state is the set,
 * `evolve` applies one `mappings` event, `decide` is `planMapping` (validation, value check against
 * the reference cache, events; none when nothing changes; a thrown MappingCommandRejected when refused).
 * The rest of a decision (its diff, what was forced or left unchecked) is handed to `observe`, because
 * the command handler may decide more than once (a concurrent change) and only the last one counts.
 */
export function mappingDecider(
  options: MappingDecideOptions = {},
  observe?: (decision: MappingDecision) => void,
): Decider<MappingSet, MappingCommand, MappingEvent> {
  return {
    initialState: () => mappingSetFromJson({}),
    evolve: (set, event) => evolveMappingSet(set, event),
    decide: (command, set) => {
      const decision = planMapping(command, set, options);
      observe?.(decision);
      return decision.events;
    },
  };
}
