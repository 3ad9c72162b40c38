import type { RecordedEvent } from '../events/envelope.js';
import type { MappingChanged, MappingsImported } from './events.js';
import { DEFAULT_MAPPING_OPTIONS, dimensionKey, emptyMappingSet, type DimensionRule, type MappingSet } from './model.js';

export interface MappingState {
  set: MappingSet;
  /** Revision of the last `mappings` event applied; -1 when none. */
  revision: number;
  /** ISO time of the last applied change; null when none. */
  asOf: string | null;
}

type MappingEvent = Pick<RecordedEvent, 'type' | 'data' | 'revision' | 'metadata'>;

/**
 * The mapping set as of `asOf` (inclusive, compared on `metadata.occurredAt`), folded from the
 * events of the `mappings` stream in stream order. Without `asOf`: the current set.
 */
export function mappingSetFromEvents(events: Iterable<MappingEvent>, asOf?: string | Date): MappingState {
  const limit = asOf === undefined ? null : Date.parse(asOf instanceof Date ? asOf.toISOString() : asOf);
  let state: MappingState = { set: emptyMappingSet(), revision: -1, asOf: null };
  for (const event of events) {
    if (limit !== null && Date.parse(event.metadata.occurredAt) > limit) continue;
    const next = evolveMappingSet(state.set, event);
    if (next !== state.set) state = { set: next, revision: event.revision, asOf: event.metadata.occurredAt };
  }
  return state;
}

/** Applies one event; unknown event types leave the set unchanged (same object). */
export function evolveMappingSet(set: MappingSet, event: Pick<RecordedEvent, 'type' | 'data'>): MappingSet {
  if (event.type === 'MappingsImported') return structuredClone((event.data as MappingsImported).mappings);
  if (event.type === 'MappingChanged') return applyChange(set, event.data as MappingChanged);
  return set;
}

export function applyChange(set: MappingSet, change: Pick<MappingChanged, 'section' | 'key' | 'value'>): MappingSet {
  const next: MappingSet = { ...set };
  const { section, key, value } = change;
  switch (section) {
    case 'journal':
      next.journal = (value as string | null) ?? null;
      break;
    case 'cashAdvanceAccount':
      next.cashAdvanceAccount = (value as string | null) ?? null;
      break;
    case 'dimensions': {
      const rules = set.dimensions.filter((r) => dimensionKey(r) !== key);
      const at = set.dimensions.findIndex((r) => dimensionKey(r) === key);
      // A changed rule keeps its place: rule order decides which source wins for a target.
      if (value !== null) rules.splice(at < 0 ? rules.length : at, 0, structuredClone(value as DimensionRule));
      next.dimensions = rules;
      break;
    }
    case 'options': {
      const k = key as keyof typeof DEFAULT_MAPPING_OPTIONS;
      next.options = { ...set.options, [k]: value === null ? DEFAULT_MAPPING_OPTIONS[k] : value };
      break;
    }
    default: {
      const map = { ...(set[section] as Record<string, unknown>) };
      if (value === null) delete map[key!];
      else map[key!] = structuredClone(value);
      (next as unknown as Record<string, unknown>)[section] = map;
    }
  }
  return next;
}
