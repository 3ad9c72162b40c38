import type { MappingSection, MappingSet } from './model.js';

/** All mapping changes live on one stream: the set's revision is that stream's revision. */
export const MAPPINGS_STREAM = 'mappings';

/** One key of one section set (value) or removed (value null). The actor is in the event metadata. */
export interface MappingChanged {
  section: MappingSection;
  /** Null for the scalar sections `journal` and `cashAdvanceAccount`. */
  key: string | null;
  value: unknown;
  reason: string;
}

/** The whole set replaced by an import. */
export interface MappingsImported {
  mappings: MappingSet;
  reason: string;
}

export interface MappingEventMap {
  MappingChanged: MappingChanged;
  MappingsImported: MappingsImported;
}

export const MAPPING_EVENT_TYPES = ['MappingChanged', 'MappingsImported'] as const satisfies readonly (keyof MappingEventMap)[];
