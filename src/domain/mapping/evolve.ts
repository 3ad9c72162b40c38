import type { RecordedEvent } from '../events/envelope.js';
import type { MappingChanged, MappingsImported } from './events.js';
import { dimensionRuleFromJson, mappingSetFromJson } from './json.js';
import type { IntacctTarget } from '../journal/journal-entry.js';
import {
  DEFAULT_MAPPING_OPTIONS,
  DEFAULT_TARGETS,
  dimensionKey,
  isCodeSection,
  TARGET_CHOICES,
  targetAt,
  withTarget,
  type DimensionRuleJson,
  type MappingSet,
} from './model.js';
import { isMappingEvent } from './events.js';

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
  let state: MappingState = { set: mappingSetFromJson({}), revision: -1, asOf: null };
  for (const event of events) {
    if (limit !== null && Date.parse(event.metadata.occurredAt) > limit) continue;
    const next = evolveMappingSet(state.set, event);
    if (next !== state.set) state = { set: next, revision: event.revision, asOf: event.metadata.occurredAt };
  }
  return state;
}

/** Applies one event (its data is the JSON form); unknown event types leave the set unchanged (same object). */
export function evolveMappingSet(set: MappingSet, event: Pick<RecordedEvent, 'type' | 'data'>): MappingSet {
  // The conversions copy: a set never shares objects with event data, so later reads are not affected.
  if (isMappingEvent(event, 'MappingsImported')) return mappingSetFromJson(event.data.mappings);
  if (isMappingEvent(event, 'MappingChanged')) return applyChange(set, event.data);
  return set;
}

/** One entry set (value in its JSON form) or removed (value null). Never mutates `set`. */
export function applyChange(set: MappingSet, change: Pick<MappingChanged, 'section' | 'key' | 'value'>): MappingSet {
  const { section, key, value } = change;
  if (section === 'journal') return { ...set, journal: (value as string | null) ?? null };
  if (section === 'cashAdvanceAccount') return { ...set, cashAdvanceAccount: (value as string | null) ?? null };
  if (section === 'dimensions') {
    const rules = set.dimensions.filter((r) => dimensionKey(r) !== key);
    const at = set.dimensions.findIndex((r) => dimensionKey(r) === key);
    // A changed rule keeps its place: rule order decides which source wins for a target.
    if (value !== null) rules.splice(at < 0 ? rules.length : at, 0, dimensionRuleFromJson(value as DimensionRuleJson));
    return { ...set, dimensions: rules };
  }
  if (section === 'options') {
    const k = key as keyof typeof DEFAULT_MAPPING_OPTIONS;
    return { ...set, options: { ...set.options, [k]: value === null ? DEFAULT_MAPPING_OPTIONS[k] : value } };
  }
  if (section === 'targets') {
    // Removing a target puts back the default (GLBATCH): every kind of item always has a target.
    if (key === null || !TARGET_CHOICES.has(key)) return { ...set };
    return { ...set, targets: withTarget(set.targets, key, value === null ? targetAt(DEFAULT_TARGETS, key)! : (value as IntacctTarget)) };
  }
  // Not a section this version knows: the event still counts as a revision (a new object, same content).
  if (!isCodeSection(section) || key === null) return { ...set };
  // A Map: the key is data, whatever it spells (`__proto__`, `constructor`, …).
  const map = new Map<string, unknown>(set[section]);
  if (value === null) map.delete(key);
  else map.set(key, value !== null && typeof value === 'object' ? { ...(value as object) } : value);
  return { ...set, [section]: map };
}
