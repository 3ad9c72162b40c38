/**
 * Reference data (Intacct master data the postings must land on), as events: one stream per kind,
 * `reference-<kind>`. The dimension cache projection folds them; the posting rules ask it through a
 * `DimensionCheck`.
 */
import type { ReferenceTarget } from '../posting/types.js';

export type ReferenceKind = 'GLACCOUNT' | 'DEPARTMENT' | 'LOCATION' | 'PROJECT' | 'CUSTOMER' | 'CLASS' | 'EMPLOYEE' | 'VENDOR';

export const REFERENCE_KINDS: readonly ReferenceKind[] = ['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS', 'EMPLOYEE', 'VENDOR'];

export const referenceStreamId = (kind: ReferenceKind): string => `reference-${kind}`;

export interface ReferenceRecord {
  id: string;
  name: string;
  status: 'active' | 'inactive';
}

/**
 * A batch of records read from Intacct. `complete`: the batch is the whole list of that kind, so
 * records absent from it no longer exist; otherwise it is a delta (upserts only).
 */
export interface ReferenceDataSynced {
  kind: ReferenceKind;
  records: ReferenceRecord[];
  complete: boolean;
}

export const REFERENCE_EVENT_TYPES = ['ReferenceDataSynced'] as const;

/**
 * Which reference kind validates each GLENTRY field. ITEMID has no cache (items are not synced):
 * it is not checked.
 */
export const KIND_OF_TARGET: Readonly<Record<ReferenceTarget, ReferenceKind | null>> = {
  GLACCOUNT: 'GLACCOUNT',
  DEPARTMENT: 'DEPARTMENT',
  LOCATION: 'LOCATION',
  PROJECTID: 'PROJECT',
  CUSTOMERID: 'CUSTOMER',
  CLASSID: 'CLASS',
  EMPLOYEEID: 'EMPLOYEE',
  VENDORID: 'VENDOR',
  ITEMID: null,
};

/** `KIND_OF_TARGET` for any string: own keys only (null when the target is not checkable or unknown). */
export const kindOfTarget = (target: string): ReferenceKind | null =>
  Object.hasOwn(KIND_OF_TARGET, target) ? KIND_OF_TARGET[target as ReferenceTarget] : null;

/** Validates a ReferenceDataSynced payload (it comes from an adapter reading Intacct XML). */
export function referenceDataProblems(data: ReferenceDataSynced): string[] {
  const problems: string[] = [];
  if (!REFERENCE_KINDS.includes(data.kind)) problems.push(`kind "${String(data.kind)}" is not one of ${REFERENCE_KINDS.join(', ')}`);
  if (typeof data.complete !== 'boolean') problems.push('complete must be true or false');
  if (!Array.isArray(data.records)) return [...problems, 'records must be an array'];
  const seen = new Set<string>();
  data.records.forEach((r, i) => {
    if (typeof r?.id !== 'string' || r.id === '') problems.push(`records[${i}].id is missing`);
    else if (seen.has(r.id)) problems.push(`records[${i}].id ${r.id} appears twice`);
    else seen.add(r.id);
    if (r?.status !== 'active' && r?.status !== 'inactive') problems.push(`records[${i}].status must be active or inactive`);
  });
  return problems;
}
