import type { MappingSection, MappingSetJson } from './model.js';
import type { MappingValueProblem, MappingValueRef } from './value-check.js';
import { eventGuard } from '../events/envelope.js';

/** All mapping changes live on one stream: the set's revision is that stream's revision. */
export const MAPPINGS_STREAM = 'mappings';

/** A value recorded although the reference cache refused it (`force: true`), kept for the audit trail. */
export type ForcedMappingValue = Omit<MappingValueProblem, 'closest'>;

/** What the value check left open or overrode; both absent on events recorded before checks existed. */
export interface MappingValueChecks {
  /** Values the cache refused, recorded because the change was forced. */
  forced?: ForcedMappingValue[];
  /** Values of kinds the cache held nothing for yet: accepted unchecked. */
  unchecked?: MappingValueRef[];
}

/** One key of one section set (value) or removed (value null). The actor is in the event metadata. */
export interface MappingChanged extends MappingValueChecks {
  section: MappingSection;
  /** Null for the scalar sections `journal` and `cashAdvanceAccount`. */
  key: string | null;
  /** The JSON form of the entry (a dimension rule's `values` is a plain object). */
  value: unknown;
  reason: string;
}

/**
 * The whole set after an import, in its JSON form (a Map would be stored as `{}`). A merge import
 * records the merged result, so folding never needs to know the mode; `mode` is for the audit trail.
 */
export interface MappingsImported extends MappingValueChecks {
  mappings: MappingSetJson;
  reason: string;
  /** Absent on imports recorded before merging existed (they replaced the set). */
  mode?: 'merge' | 'replace';
}

export interface MappingEventMap {
  MappingChanged: MappingChanged;
  MappingsImported: MappingsImported;
}

export const MAPPING_EVENT_TYPES = ['MappingChanged', 'MappingsImported'] as const satisfies readonly (keyof MappingEventMap)[];

/** `isMappingEvent(e, 'MappingChanged')`: a stored event of the mappings stream, its data typed. */
export const isMappingEvent = eventGuard<MappingEventMap>();
