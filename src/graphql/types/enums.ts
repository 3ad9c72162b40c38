import { CONCUR_DOC_TYPES } from '../../domain/concur.js';
import { registerEnumType } from 'type-graphql';
import { DOCUMENT_STATUSES, type DocumentStatus as DomainStatus } from '../../domain/document/state.js';

/** docs/contract.md, Names other tools rely on: these names are relied on by other tools; they mirror the domain's status names. */
export enum DocumentStatus {
  RECEIVED = 'RECEIVED',
  FETCHED = 'FETCHED',
  AWAITING_MAPPING = 'AWAITING_MAPPING',
  READY = 'READY',
  POSTING = 'POSTING',
  POSTED = 'POSTED',
  FAILED = 'FAILED',
  REJECTED = 'REJECTED',
  CONFIRMED = 'CONFIRMED',
  SUPERSEDED = 'SUPERSEDED',
  REVERSED = 'REVERSED',
}

// Fails at import (so in every test run) if the domain gains or loses a status the API does not mirror.
{
  const api = Object.values(DocumentStatus) as string[];
  const domain: readonly DomainStatus[] = DOCUMENT_STATUSES;
  if (api.length !== domain.length || domain.some((s) => !api.includes(s))) {
    throw new Error(`GraphQL DocumentStatus (${api.join(',')}) differs from the domain's statuses (${domain.join(',')})`);
  }
}

registerEnumType(DocumentStatus, {
  name: 'DocumentStatus',
  description: 'Where a Concur document stands on its way to an Intacct GLBATCH.',
  valuesConfig: {
    FAILED: { description: 'The last attempt failed for a passing reason; it will be retried automatically.' },
    REJECTED: { description: 'Intacct or the posting rules refused it; a person must fix the cause, then retry.' },
    CONFIRMED: { description: 'Posted and confirmed back to Concur.' },
    AWAITING_MAPPING: { description: 'Waiting for a mapping or reference data; re-evaluated automatically when either changes.' },
  },
});

/**
 * Kinds of reference data: the Intacct dimensions the connector validates against, plus the master
 * data synced in both directions. `DIMENSIONS` stands for every dimension kind at once (CLI: `sync dimensions`).
 */
export enum ReferenceKind {
  GLACCOUNT = 'GLACCOUNT',
  DEPARTMENT = 'DEPARTMENT',
  LOCATION = 'LOCATION',
  PROJECT = 'PROJECT',
  CUSTOMER = 'CUSTOMER',
  CLASS = 'CLASS',
  EMPLOYEE = 'EMPLOYEE',
  VENDOR = 'VENDOR',
  DIMENSIONS = 'DIMENSIONS',
}

registerEnumType(ReferenceKind, {
  name: 'ReferenceKind',
  description: 'Reference data kinds. DIMENSIONS = GLACCOUNT, DEPARTMENT, LOCATION, PROJECT, CUSTOMER and CLASS together.',
});

/** The kind names of the application layer (`DimensionRecord.kind`, `syncReferenceData(kinds)`, CLI `sync`). */
export const REFERENCE_KIND_NAMES: Record<ReferenceKind, string> = {
  GLACCOUNT: 'glaccount',
  DEPARTMENT: 'department',
  LOCATION: 'location',
  PROJECT: 'project',
  CUSTOMER: 'customer',
  CLASS: 'class',
  EMPLOYEE: 'employees',
  VENDOR: 'vendors',
  DIMENSIONS: 'dimensions',
};

export const referenceKindOf = (name: string): ReferenceKind | null => {
  const normalized = name.toLowerCase();
  const found = (Object.entries(REFERENCE_KIND_NAMES) as Array<[ReferenceKind, string]>).find(([, v]) => v === normalized || v === `${normalized}s`);
  return found ? found[0] : null;
};

/** Concur document types (`ConcurDocType`); the posting filter accepts these. */
export const DOCUMENT_TYPES = CONCUR_DOC_TYPES;
