/**
 * The mapping set: how Concur codes become Intacct values (docs/posting-rules.md, Mapping set).
 *
 * Two forms. The domain form (`MappingSet`) keeps every section keyed by a Concur or Intacct code in
 * a `ReadonlyMap`: codes are data, and a code such as `constructor`, `__proto__` or `toString` must
 * map (or be a gap) like any other, which a plain object cannot guarantee (its lookups fall through
 * to Object.prototype, and `map["__proto__"] = v` sets the prototype instead of storing). The JSON
 * form (`MappingSetJson`) is exactly the documented JSON: it is what import and export exchange and
 * what events carry (events are stored as JSON, where a Map would serialise as `{}`). Convert only
 * with `mappingSetFromJson` / `mappingSetToJson` (json.ts), which go through `Object.entries` /
 * `Object.fromEntries` and so treat `__proto__` as an ordinary own key.
 * `options` is the connector's addition (line merging, batch date policy).
 */
import type { DimensionTarget, IntacctTarget } from '../journal/journal-entry.js';

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
  /** Concur code -> Intacct value. */
  values: ReadonlyMap<string, string>;
  passThrough: boolean;
}

/**
 * Which Concur date becomes BATCH_DATE. Each policy falls back along
 * paymentProcessingDate -> submitDate -> userDefinedDate -> the preparation day, starting at its own.
 */
export type BatchDatePolicy = 'paymentProcessingDate' | 'submitDate' | 'userDefinedDate';
export const BATCH_DATE_POLICIES: readonly BatchDatePolicy[] = ['paymentProcessingDate', 'submitDate', 'userDefinedDate'];

/**
 * When Intacct refuses a batch date because its period is closed: `reject` leaves the document
 * REJECTED with Intacct's text and dates for a person to decide; `next-open-period` posts it on the
 * first open date Intacct names, keeping the original date in the title and the timeline.
 */
export type ClosedPeriodPolicy = 'reject' | 'next-open-period';
export const CLOSED_PERIOD_POLICIES: readonly ClosedPeriodPolicy[] = ['reject', 'next-open-period'];

export interface MappingOptions {
  /** Merge lines with the same account, side-independent net, and dimensions. Default true. */
  mergeLines: boolean;
  batchDatePolicy: BatchDatePolicy;
  closedPeriodPolicy: ClosedPeriodPolicy;
}

export const DEFAULT_MAPPING_OPTIONS: Readonly<MappingOptions> = { mergeLines: true, batchDatePolicy: 'paymentProcessingDate', closedPeriodPolicy: 'reject' };
export const MAPPING_OPTION_KEYS = Object.keys(DEFAULT_MAPPING_OPTIONS) as readonly (keyof MappingOptions)[];

/**
 * How an expense line was paid, from the payment-type code of the party other than the company:
 * `EMPL`, `IBIP` out of pocket (the employee is owed); `CBCP`, `IBCP` a company card; anything else
 * (`COPD`…) paid by the company outside the report.
 */
export type PaymentClass = 'outOfPocket' | 'companyCard' | 'companyPaid';
export const PAYMENT_CLASSES: readonly PaymentClass[] = ['outOfPocket', 'companyCard', 'companyPaid'];

/** What each kind of Concur item becomes in Intacct (README, Posting targets). GLBATCH everywhere by default. */
export interface PostingTargets {
  expense: { outOfPocket: 'GLBATCH' | 'EEXPENSES' | 'APBILL'; companyCard: 'GLBATCH' | 'CCTRANSACTION'; companyPaid: 'GLBATCH' };
  invoice: 'GLBATCH' | 'APBILL';
  paymentRequest: 'GLBATCH' | 'APBILL';
  cashAdvance: 'GLBATCH';
}

export const DEFAULT_TARGETS: Readonly<PostingTargets> = {
  expense: { outOfPocket: 'GLBATCH', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' },
  invoice: 'GLBATCH',
  paymentRequest: 'GLBATCH',
  cashAdvance: 'GLBATCH',
};

/** The keys of `targets` as `setMapping` addresses them, each with the Intacct objects it may choose. */
export const TARGET_CHOICES: ReadonlyMap<string, readonly IntacctTarget[]> = new Map<string, readonly IntacctTarget[]>([
  ['expense.outOfPocket', ['GLBATCH', 'EEXPENSES', 'APBILL']],
  ['expense.companyCard', ['GLBATCH', 'CCTRANSACTION']],
  ['expense.companyPaid', ['GLBATCH']],
  ['invoice', ['GLBATCH', 'APBILL']],
  ['paymentRequest', ['GLBATCH', 'APBILL']],
  ['cashAdvance', ['GLBATCH']],
]);

/** The target at a `targets` key (`expense.outOfPocket`, `invoice`…). */
export function targetAt(targets: PostingTargets, key: string): IntacctTarget | undefined {
  switch (key) {
    case 'expense.outOfPocket':
      return targets.expense.outOfPocket;
    case 'expense.companyCard':
      return targets.expense.companyCard;
    case 'expense.companyPaid':
      return targets.expense.companyPaid;
    case 'invoice':
      return targets.invoice;
    case 'paymentRequest':
      return targets.paymentRequest;
    case 'cashAdvance':
      return targets.cashAdvance;
    default:
      return undefined;
  }
}

/** A copy of `targets` with one key set (the value already validated against TARGET_CHOICES). */
export function withTarget(targets: PostingTargets, key: string, value: IntacctTarget): PostingTargets {
  const t: PostingTargets = { ...targets, expense: { ...targets.expense } };
  if (key === 'expense.outOfPocket') t.expense.outOfPocket = value as PostingTargets['expense']['outOfPocket'];
  else if (key === 'expense.companyCard') t.expense.companyCard = value as PostingTargets['expense']['companyCard'];
  else if (key === 'expense.companyPaid') t.expense.companyPaid = value as PostingTargets['expense']['companyPaid'];
  else if (key === 'invoice') t.invoice = value as PostingTargets['invoice'];
  else if (key === 'paymentRequest') t.paymentRequest = value as PostingTargets['paymentRequest'];
  else if (key === 'cashAdvance') t.cashAdvance = value as PostingTargets['cashAdvance'];
  return t;
}

/** The domain form: every keyed section is a Map (see the file comment). */
export interface MappingSet {
  readonly journal: string | null;
  /** Concur journalAccountCode (or expenseTypeCode) -> Intacct ACCOUNTNO. */
  readonly accounts: ReadonlyMap<string, string>;
  /** Payment-type code -> clearing account. */
  readonly counterparties: ReadonlyMap<string, CounterpartyMapping>;
  /** taxAuthorityLabel (or `*`) -> tax accounts. */
  readonly taxAccounts: ReadonlyMap<string, TaxAccountMapping>;
  readonly cashAdvanceAccount: string | null;
  /** In order: the first rule per target wins. */
  readonly dimensions: readonly DimensionRule[];
  /** Concur employeeId -> Intacct EMPLOYEEID. */
  readonly employees: ReadonlyMap<string, string>;
  readonly defaults: ReadonlyMap<DimensionTarget, string>;
  readonly options: MappingOptions;
  /** What each kind of item becomes in Intacct. */
  readonly targets: PostingTargets;
  /** Concur expenseTypeCode -> Intacct expense type (EEXPENSES lines); without one, the line names its GL account. */
  readonly expenseTypes: ReadonlyMap<string, string>;
  /** Concur card program (cardProgramTypeCode, else the payment-type code such as CBCP) -> Intacct credit-card account (CCTRANSACTION). */
  readonly cardAccounts: ReadonlyMap<string, string>;
  /** Concur vendor code (invoices) or Concur employee id (out-of-pocket as APBILL) -> Intacct VENDORID; without one an invoice's vendor code is used as it is. */
  readonly vendors: ReadonlyMap<string, string>;
}

export interface DimensionRuleJson {
  source: string;
  target: DimensionTarget;
  values: Record<string, string>;
  passThrough: boolean;
}

/** The JSON form, exactly as docs/posting-rules.md (Mapping set) documents it (and as exports and events hold it). */
export interface MappingSetJson {
  journal: string | null;
  accounts: Record<string, string>;
  counterparties: Record<string, CounterpartyMapping>;
  taxAccounts: Record<string, TaxAccountMapping>;
  cashAdvanceAccount: string | null;
  dimensions: DimensionRuleJson[];
  employees: Record<string, string>;
  defaults: Partial<Record<DimensionTarget, string>>;
  options: MappingOptions;
  targets: PostingTargets;
  expenseTypes: Record<string, string>;
  cardAccounts: Record<string, string>;
  vendors: Record<string, string>;
}

export function emptyMappingSet(): MappingSet {
  return {
    journal: null,
    accounts: new Map(),
    counterparties: new Map(),
    taxAccounts: new Map(),
    cashAdvanceAccount: null,
    dimensions: [],
    employees: new Map(),
    defaults: new Map(),
    options: { ...DEFAULT_MAPPING_OPTIONS },
    targets: { ...DEFAULT_TARGETS, expense: { ...DEFAULT_TARGETS.expense } },
    expenseTypes: new Map(),
    cardAccounts: new Map(),
    vendors: new Map(),
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
  | 'options'
  | 'targets'
  | 'expenseTypes'
  | 'cardAccounts'
  | 'vendors';

export const KEYED_SECTIONS: readonly MappingSection[] = [
  'accounts',
  'counterparties',
  'taxAccounts',
  'dimensions',
  'employees',
  'defaults',
  'options',
  'targets',
  'expenseTypes',
  'cardAccounts',
  'vendors',
];
export const SCALAR_SECTIONS: readonly MappingSection[] = ['journal', 'cashAdvanceAccount'];
export const MAPPING_SECTIONS: readonly MappingSection[] = [...SCALAR_SECTIONS, ...KEYED_SECTIONS];

/** Sections whose keys are codes and whose domain form is a Map. */
export type CodeSection = 'accounts' | 'counterparties' | 'taxAccounts' | 'employees' | 'defaults' | 'expenseTypes' | 'cardAccounts' | 'vendors';
export const CODE_SECTIONS: readonly CodeSection[] = [
  'accounts',
  'counterparties',
  'taxAccounts',
  'employees',
  'defaults',
  'expenseTypes',
  'cardAccounts',
  'vendors',
];
export const isCodeSection = (section: MappingSection): section is CodeSection => (CODE_SECTIONS as readonly string[]).includes(section);

/** Key of a dimension rule inside the `dimensions` section: `allocationCustom4Code->DEPARTMENT`. */
export const dimensionKey = (rule: Pick<DimensionRule, 'source' | 'target'>): string => `${rule.source}->${rule.target}`;
