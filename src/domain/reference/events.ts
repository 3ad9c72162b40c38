/**
 * Reference data (Intacct master data the postings must land on), as events: one stream per kind,
 * `reference-<kind>`. The dimension cache projection folds them; the posting rules ask it through a
 * `DimensionCheck`.
 */
import type { ReferenceTarget } from '../posting/types.js';
import { eventGuard } from '../events/envelope.js';

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

/**
 * One step of a run: an Intacct kind read into its cache (`direction` intacct-to-cache), employees
 * or bill vendors created in Intacct from Concur documents, or vendors created in Concur from Intacct.
 */
export interface SyncStepReport {
  /** `EMPLOYEE`, `GLACCOUNT`, … for a cache kind; `employees` / `vendors` / `bill-vendors` for the pushes. */
  step: string;
  direction: 'intacct-to-cache' | 'concur-to-intacct' | 'intacct-to-concur';
  counts: SyncCounts;
  /** The step failed (its error is in `errors`); the counts say how far it got. */
  failed: boolean;
  /**
   * Cache kinds: `full` read every record (and detects deletions), `incremental` only those modified
   * since the high-water mark (absent in runs recorded before incremental reads existed: full).
   */
  mode?: 'full' | 'incremental';
  /** Cache kinds: the largest WHENMODIFIED seen so far (ISO, read as UTC), where the next incremental read starts. */
  highWaterMark?: string | null;
}

export interface ReferenceSyncCompleted {
  runId: string;
  /** `incremental` when at least one kind was read incrementally, else `full` (absent before it existed: full). */
  mode?: 'full' | 'incremental';
  kinds: string[];
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
  /** Per step, in the order run (absent in runs recorded before it existed). */
  report?: SyncStepReport[];
  changes: string[];
  conflicts: string[];
  errors: string[];
}

/** One employee aligned between the systems (stream `employee-<Concur employee id>`). */
export interface EmployeeSynced {
  concurEmployeeId: string;
  intacctEmployeeId: string;
  direction: 'concur-to-intacct';
  action: 'created';
  intacctRecordNo: string | null;
}

/** One vendor created in Concur from Intacct (stream `vendor-<VENDORID>`). */
export interface VendorSynced {
  vendorCode: string;
  addressCode: string;
  vendorName: string;
  direction: 'intacct-to-concur';
  action: 'created';
}

/**
 * One Intacct VENDOR created for the bills of a Concur vendor (stream `bill-vendor-<Concur vendor
 * code>`): the vendor had no `vendors` entry, no Intacct vendor had its code as VENDORID, and none
 * matched it by tax id or name.
 */
export interface BillVendorCreated {
  concurVendorCode: string;
  intacctVendorId: string;
  name: string;
  taxId: string | null;
  direction: 'concur-to-intacct';
  action: 'created';
  intacctRecordNo: string | null;
}

export interface SyncCounts {
  read: number;
  created: number;
  updated: number;
  /** Records gone from the source (cache kinds only; the sync never deletes anywhere else). */
  removed: number;
  conflicts: number;
}

export interface ReferenceEventMap {
  ReferenceDataSynced: ReferenceDataSynced;
  ReferenceSyncCompleted: ReferenceSyncCompleted;
  EmployeeSynced: EmployeeSynced;
  VendorSynced: VendorSynced;
  BillVendorCreated: BillVendorCreated;
}

/** `isReferenceEvent(e, 'ReferenceDataSynced')`: a reference-data event, its data typed. */
export const isReferenceEvent = eventGuard<ReferenceEventMap>();
