/**
 * The typed, normalised model of a Concur Financial Integration Service (FIS) document. Amounts are
 * integer minor units of the document currency (see domain/money). Each level keeps the raw Concur
 * object as `fields`, read through `fieldCode`, so mapping rules can name any Concur field
 * (`allocationCustom4Code`, `entryOrgUnit2Code`, `reportOrgUnit1Code`) without copying 150 keys.
 *
 * Only what posting needs is required (docs/required-fields.md). Identifiers that only name a part
 * of the document in gap messages and the audit trail may be missing: each such level has a `ref`,
 * its id or, when Concur sent none, `#n` (its 1-based position among its siblings), so references
 * stay unique within the document.
 */
import type { ConcurDocType } from '../journal/journal-entry.js';

/** Raw Concur fields of one level (report, entry, allocation, invoice header, line item). */
export type FisFields = Readonly<Record<string, unknown>>;

/** Payer / payee codes. Kept as strings: an unknown code becomes a mapping gap, not a crash. */
export type PartyCode = 'COMP' | 'EMPL' | 'COPD' | 'IBIP' | 'IBCP' | 'CBCP' | (string & {});

export interface FisItemHeader {
  /** FIS document id: the stream key and the id sent back in acknowledgements and confirmations. */
  id: string;
  docType: ConcurDocType;
  companyId: string | null;
  entityId: string | null;
  docStatus: string | null;
  /** ISO 4217 code of every amount in the document. */
  currency: string;
}

export interface FisEmployee {
  employeeId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  loginId: string | null;
  fields: FisFields;
}

export interface FisReport {
  reportId: string;
  reportKey: string | null;
  reportName: string;
  /** Absent in some SAP samples (Example 1.1): the total check is then skipped. */
  totalApprovedAmount: number | null;
  revisionNumber: string | null;
  versionId: string | null;
  submitDate: string | null;
  paymentProcessingDate: string | null;
  userDefinedDate: string | null;
  cashAdvanceReturnsAmount: number | null;
  fields: FisFields;
}

export interface FisTax {
  /** 1-based position in the allocation's `tax` list. */
  index: number;
  taxGuid: string | null;
  /** `taxGuid`, or `#index` when absent. */
  ref: string;
  /** Null only on a tax item that no journal line takes (posting never reads it). */
  amountTax: number | null;
  /** Absent = nothing reclaimed: the whole tax is non-deductible. */
  amountReclaim: number;
  taxAuthorityLabel: string | null;
  taxReclaimCode: string | null;
}

export interface FisJournal {
  /** 1-based position within the allocation, for gap and audit references. */
  index: number;
  /** Concur's account code for the expense type; empty for a personal expense on a company card. */
  accountCode: string | null;
  payer: PartyCode;
  payee: PartyCode;
  gross: number;
  /** `amountNetOfTax`; null when Concur omits it (then the gross is used). */
  netOfTax: number | null;
  netOfReclaim: number | null;
  /** The allocation's tax items this line takes: by `taxGuid`, or by position where ids are missing (tax-links.ts). */
  taxes: readonly FisLineTax[];
}

/** A tax item taken by a journal line: its amount is known (the parser refuses it otherwise). */
export type FisLineTax = FisTax & { amountTax: number };

export interface FisAllocation {
  /** Absent in SAP's examples of personal expenses on company cards. */
  allocationId: string | null;
  ref: string;
  /** Decimal string, e.g. "100" or "33.33"; null when absent. */
  percentage: string | null;
  journals: readonly FisJournal[];
  taxes: readonly FisTax[];
  fields: FisFields;
}

export interface FisExpenseEntry {
  entryId: string | null;
  ref: string;
  expenseTypeCode: string | null;
  expenseTypeName: string | null;
  entryDate: string | null;
  vendorDescription: string | null;
  vendorCode: string | null;
  isPersonal: boolean;
  approvedAmount: number | null;
  /** Present for card transactions. */
  cardTransactionId: string | null;
  cardProgramTypeCode: string | null;
  allocations: readonly FisAllocation[];
  fields: FisFields;
}

export interface FisCashAdvanceApplication {
  cashAdvanceId: string | null;
  ref: string;
  /** Negative when an advance is applied to the report. */
  amount: number;
  clearingAccountCode: string | null;
}

export interface FisExpenseDocument extends FisItemHeader {
  kind: 'expense';
  employee: FisEmployee;
  report: FisReport;
  entries: readonly FisExpenseEntry[];
  cashAdvanceApplications: readonly FisCashAdvanceApplication[];
}

/**
 * Cash-advance issuance (docType `cashadvance`): `employeeData`, `cashAdvanceData`, `journalData`.
 * No SAP sample is published; the field names accepted are listed in `parse-other.ts`.
 */
export interface FisCashAdvanceDocument extends FisItemHeader {
  kind: 'cashadvance';
  employee: FisEmployee;
  cashAdvanceId: string;
  name: string | null;
  amount: number;
  issuedDate: string | null;
  fields: FisFields;
}

export interface FisInvoiceAllocation {
  allocationId: string | null;
  ref: string;
  percentage: string | null;
  /** Amount as given; null when only a percentage is given (then the remainder rule applies). */
  amount: number | null;
  accountCode: string | null;
  fields: FisFields;
}

export interface FisInvoiceLine {
  lineId: string | null;
  ref: string;
  description: string | null;
  expenseTypeCode: string | null;
  accountCode: string | null;
  amount: number;
  allocations: readonly FisInvoiceAllocation[];
  fields: FisFields;
}

/**
 * Invoice / payment request. The FIS swagger types `document` as a bare object, so this shape is
 * the connector's documented contract (see docs/posting-rules.md), not a confirmed Concur one.
 */
export interface FisInvoiceDocument extends FisItemHeader {
  kind: 'invoice';
  requestId: string;
  invoiceNumber: string | null;
  name: string | null;
  vendorCode: string;
  vendorName: string | null;
  totalAmount: number;
  invoiceDate: string | null;
  paymentDate: string | null;
  version: string | null;
  lines: readonly FisInvoiceLine[];
  fields: FisFields;
}

export type FisDocument = FisExpenseDocument | FisCashAdvanceDocument | FisInvoiceDocument;

/** A field of a level as a code: non-empty strings as they are, numbers as decimal text, else null. */
export function fieldCode(fields: FisFields, name: string): string | null {
  const value = fields[name];
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
