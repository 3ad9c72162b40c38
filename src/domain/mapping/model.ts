/**
 * The mapping set: how Concur codes become Intacct values (docs/posting-rules.md, Mapping set). The JSON form is exactly
 * this type; `options` is the connector's addition (line merging, batch date policy).
 */
import type { DimensionTarget } from '../journal/journal-entry.js';

export interface CounterpartyMapping {
  account: string;
  /** Puts the employee's Intacct EMPLOYEEID on the line. */
  employeeDimension?: boolean;
  /** Puts this VENDORID on the line (card issuer). */
  vendorId?: string;
}

export interface TaxAccountMapping {
  reclaim: string;
  nonDeductible: string;
}

export interface DimensionRule {
  /** Concur field name, e.g. `allocationCustom4Code`, `entryOrgUnit2Code`, `reportOrgUnit1Code`, or unprefixed `Custom4Code`. */
  source: string;
  target: DimensionTarget;
  values: Record<string, string>;
  passThrough: boolean;
}

/**
 * Which Concur date becomes BATCH_DATE. Each policy falls back along
 * paymentProcessingDate -> submitDate -> userDefinedDate -> the preparation day, starting at its own.
 */
export type BatchDatePolicy = 'paymentProcessingDate' | 'submitDate' | 'userDefinedDate';
export const BATCH_DATE_POLICIES: readonly BatchDatePolicy[] = ['paymentProcessingDate', 'submitDate', 'userDefinedDate'];

export interface MappingOptions {
  /** Merge lines with the same account, side-independent net, and dimensions. Default true. */
  mergeLines: boolean;
  batchDatePolicy: BatchDatePolicy;
}

export const DEFAULT_MAPPING_OPTIONS: Readonly<MappingOptions> = { mergeLines: true, batchDatePolicy: 'paymentProcessingDate' };

export interface MappingSet {
  journal: string | null;
  accounts: Record<string, string>;
  counterparties: Record<string, CounterpartyMapping>;
  taxAccounts: Record<string, TaxAccountMapping>;
  cashAdvanceAccount: string | null;
  dimensions: DimensionRule[];
  employees: Record<string, string>;
  defaults: Partial<Record<DimensionTarget, string>>;
  options: MappingOptions;
}

export function emptyMappingSet(): MappingSet {
  return {
    journal: null,
    accounts: {},
    counterparties: {},
    taxAccounts: {},
    cashAdvanceAccount: null,
    dimensions: [],
    employees: {},
    defaults: {},
    options: { ...DEFAULT_MAPPING_OPTIONS },
  };
}

/** Sections addressable by `MappingChanged`. Keyed sections take a key; scalar ones take `null`. */
export type MappingSection =
  | 'journal'
  | 'accounts'
  | 'counterparties'
  | 'taxAccounts'
  | 'cashAdvanceAccount'
  | 'dimensions'
  | 'employees'
  | 'defaults'
  | 'options';

export const KEYED_SECTIONS: readonly MappingSection[] = ['accounts', 'counterparties', 'taxAccounts', 'dimensions', 'employees', 'defaults', 'options'];
export const SCALAR_SECTIONS: readonly MappingSection[] = ['journal', 'cashAdvanceAccount'];
export const MAPPING_SECTIONS: readonly MappingSection[] = [...SCALAR_SECTIONS, ...KEYED_SECTIONS];

/** Key of a dimension rule inside the `dimensions` section: `allocationCustom4Code->DEPARTMENT`. */
export const dimensionKey = (rule: Pick<DimensionRule, 'source' | 'target'>): string => `${rule.source}->${rule.target}`;
