/**
 * The journal entry the connector posts to Intacct as one GLBATCH. Produced by the posting rules
 * (`domain/posting`), serialised by the Intacct adapter. Amounts are decimal strings with exactly
 * the currency's number of decimals ("24.30"), always positive: the side is `trType`.
 */
export type DimensionTarget = 'DEPARTMENT' | 'LOCATION' | 'PROJECTID' | 'CUSTOMERID' | 'CLASSID' | 'ITEMID' | 'VENDORID' | 'EMPLOYEEID';

export const DIMENSION_TARGETS: readonly DimensionTarget[] = [
  'DEPARTMENT',
  'LOCATION',
  'PROJECTID',
  'CUSTOMERID',
  'CLASSID',
  'ITEMID',
  'VENDORID',
  'EMPLOYEEID',
];

export type TrType = 1 | -1;

export type JournalLineKind = 'expense' | 'tax-reclaim' | 'tax-nondeductible' | 'counterparty' | 'cash-advance' | 'vendor-payable';

export interface JournalLine {
  accountNo: string;
  /** 1 = debit, -1 = credit. */
  trType: TrType;
  /** Positive decimal string with the currency's decimals, e.g. "24.30". */
  amount: string;
  memo: string;
  dimensions: Partial<Record<DimensionTarget, string>>;
  kind: JournalLineKind;
  /** Where the line came from in the Concur document (entry/allocation ids), for the audit trail. */
  sources?: string[];
  /**
   * The record's own payable: the employee (EEXPENSES), vendor (APBILL) or card liability
   * (CCTRANSACTION) that Intacct books by itself from the record's header. Such lines are kept so
   * every record balances like a journal, and are not sent for those objects. Never set on GLBATCH.
   */
  offset?: boolean;
  /** EEXPENSES: the Intacct expense type of the line (mapped from the Concur expense type), instead of the account. */
  expenseType?: string;
}

/** The Intacct object a record becomes (the mapping set's `targets`). */
export type IntacctTarget = 'GLBATCH' | 'EEXPENSES' | 'APBILL' | 'CCTRANSACTION';
export const INTACCT_TARGETS: readonly IntacctTarget[] = ['GLBATCH', 'EEXPENSES', 'APBILL', 'CCTRANSACTION'];

/** The target of a record: entries recorded before targets existed are GLBATCH. */
export const targetOf = (entry: Pick<JournalEntry, 'target'>): IntacctTarget => entry.target ?? 'GLBATCH';

/** Who a non-journal record is with: exactly the field its object needs is set. */
export interface RecordParty {
  /** EEXPENSES: the Intacct EMPLOYEEID. */
  employeeId?: string;
  /** APBILL: the Intacct VENDORID. */
  vendorId?: string;
  /** CCTRANSACTION: the Intacct credit-card account (FINANCIALENTITY). */
  cardAccount?: string;
  /** CCTRANSACTION: who was paid (the merchant), for the PAYEE field. */
  payee?: string;
}

export type ConcurDocType = 'expense' | 'invoice' | 'paymentrequest' | 'cashadvance';

export interface JournalEntry {
  postingKey: string;
  docType: ConcurDocType;
  concurDocumentId: string;
  reportId: string | null;
  journal: string;
  /** YYYY-MM-DD */
  batchDate: string;
  /** When the entry was moved to another date (closed period, operator's choice): the date the posting rules gave it. */
  originalBatchDate?: string;
  batchTitle: string;
  /**
   * The name part of the batch title (report, invoice or advance name), kept so that an entry moved to
   * another date can be titled again by the same rule. Absent in entries recorded before it existed.
   */
  titleName?: string | null;
  currency: string;
  lines: JournalLine[];
  /** Sum of debits (= sum of credits), decimal string. */
  total: string;
  /** The Intacct object this record becomes; absent = GLBATCH (every entry before targets existed). */
  target?: IntacctTarget;
  /** EEXPENSES, APBILL, CCTRANSACTION: the employee, vendor or card account the record is with. */
  party?: RecordParty;
  /** APBILL: the bill number (RECORDID), the Concur invoice or request number. */
  billNumber?: string | null;
  /** APBILL: WHENDUE (YYYY-MM-DD), from the Concur payment terms or due date. */
  dueDate?: string | null;
}

/**
 * The deterministic posting key of a document version: Intacct function controlid (with
 * uniqueid=true) and GLBATCH REFERENCENO. Short and ASCII so it fits every Intacct field it lands in.
 */
export function postingKeyFor(docType: ConcurDocType, concurDocumentId: string, version: string | number): string {
  const prefix = { expense: 'EXP', invoice: 'INV', paymentrequest: 'PR', cashadvance: 'CA' }[docType];
  return `ML-${prefix}-${concurDocumentId}-${version}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
}

/**
 * The key of one record of a document that becomes several: the document's posting key with the
 * record's own suffix (`-EE`, `-AP`, `-CC1`…). A document that is one GLBATCH keeps the plain key.
 */
export function recordKeyFor(postingKey: string, suffix: string | null): string {
  return suffix === null ? postingKey : `${postingKey.slice(0, 95)}-${suffix}`;
}

/** The key of the reversal of a posted entry. */
export function reversalKeyFor(postingKey: string): string {
  return `${postingKey}-REV`.slice(0, 104);
}
