/**
 * Builders for demo FIS items in the exact shape SAP's published samples use (field names of
 * `expense-*-Example-*.json`). Amounts are written as Concur writes them: JSON numbers such as
 * 38.5; nothing here adds them up (totals are stated in each document, as Concur states them, and
 * the posting rules check them).
 */
import { createHash } from 'node:crypto';
import type { SimFisItem } from '../../adapters/concur/simulator/documents.js';

/** Same company UUID as the Concur simulator's default, so sandbox documents belong to its company. */
export const DEMO_COMPANY = { companyId: '900417', entityId: 'p0043719demo', companyUuid: '070fde04-3e0c-4716-89fd-6026ae292ed0' } as const;

/** Deterministic hex id: a demo document keeps its id across restarts, so it is never posted twice. */
export function demoHex(name: string, length = 32): string {
  return createHash('sha256').update(`ml-connector-sandbox/v1/${name}`).digest('hex').slice(0, length);
}
const upperHex = (name: string, length = 32): string => demoHex(name, length).toUpperCase();

export type Party = 'COMP' | 'EMPL' | 'COPD' | 'IBIP' | 'IBCP' | 'CBCP';

export interface DemoEmployee {
  employeeId: string;
  firstName: string;
  lastName: string;
  currency: string;
  country: string;
}

export interface JournalSpec {
  /** Concur account code; '' for the cancelling lines of a personal expense on a company card. */
  account: string;
  payer: Party;
  payee: Party;
  gross: number;
  /** amountNetOfTax (defaults to gross) and amountNetOfReclaim (defaults to net). */
  net?: number;
  netOfReclaim?: number;
  taxGuid?: string;
}

export interface TaxSpec {
  guid: string;
  label: string;
  country: string;
  tax: number;
  reclaim: number;
}

export interface AllocationSpec {
  percentage: number;
  costCenter: string;
  project?: string;
  customer?: string;
  journals: JournalSpec[];
  taxes?: TaxSpec[];
}

export interface EntrySpec {
  typeCode: string;
  typeName: string;
  vendor: string;
  date: string;
  approved: number;
  /** Concur's payment type key: CASH (out of pocket), COPD, IBIP, IBCP, CBCP. */
  payType: 'CASH' | Exclude<Party, 'COMP' | 'EMPL'>;
  description?: string;
  personal?: boolean;
  /** Card transaction id for card payment types. */
  cardTransaction?: string;
  allocations: AllocationSpec[];
}

export interface ReportSpec {
  key: string;
  name: string;
  employee: DemoEmployee;
  /** reportOrgUnit1Code: the business line (mapped to Intacct CLASSID). */
  businessLine: 'SALES' | 'RND';
  totalApproved: number;
  submitted: string;
  processed: string;
  entries: EntrySpec[];
  /** Amounts of cash advances applied (negative, as Concur sends them). */
  cashAdvancesApplied?: number[];
}

const nullCodes = (prefix: string, from: number, to: number): Record<string, null> => {
  const out: Record<string, null> = {};
  for (let i = from; i <= to; i++) out[`${prefix}${i}Code`] = null;
  return out;
};

function allocation(reportKey: string, entryIndex: number, index: number, a: AllocationSpec): Record<string, unknown> {
  return {
    allocationPercentage: a.percentage,
    allocationId: upperHex(`${reportKey}/entry-${entryIndex}/allocation-${index}`),
    ...nullCodes('allocationCustom', 1, 20),
    allocationCustom4Code: a.costCenter,
    allocationCustom5Code: a.project ?? null,
    allocationCustom6Code: a.customer ?? null,
    journal: a.journals.map((j) => ({
      amountGross: j.gross,
      amountGrossCard: null,
      journalAccountCode: j.account,
      journalPayee: j.payee,
      journalPayer: j.payer,
      cardTransactionReferenceNumber: null,
      amountNetOfReclaim: j.netOfReclaim ?? j.net ?? j.gross,
      amountNetOfTax: j.net ?? j.gross,
      taxGuid: j.taxGuid ? [j.taxGuid] : [],
      accountingTransactionType: null,
    })),
    tax: (a.taxes ?? []).map((t) => ({
      nonDomesticCode: null,
      taxCode: null,
      locationCountryCode: t.country,
      taxSource: 'SYST',
      taxReclaimCode: t.reclaim === 0 ? 'NR' : 'VA',
      amountTax: t.tax,
      taxAuthorityLabel: t.label,
      amountReclaim: t.reclaim,
      locationCountrySubCode: null,
      taxGuid: t.guid,
    })),
  };
}

function entry(spec: ReportSpec, index: number, e: EntrySpec): Record<string, unknown> {
  const card = e.cardTransaction !== undefined;
  return {
    entryId: upperHex(`${spec.key}/entry-${index}`),
    expenseTypeCode: e.typeCode,
    expenseTypeName: e.typeName,
    entryDate: e.date,
    entryDescription: e.description ?? null,
    entryVendorDescription: e.vendor,
    entryVendorCode: null,
    entryIsPersonal: e.personal ? 'Y' : 'N',
    entryApprovedAmount: e.approved,
    reportEntryTransactionAmount: e.approved,
    entryCurrAlphaCode: spec.employee.currency,
    entryExchangeRate: 1,
    entryExchangeRateDirection: 'M',
    entryCountryCode: spec.employee.country,
    entryReceiptType: 'T',
    entryIsBillable: e.allocations.some((a) => a.customer) ? 'Y' : 'N',
    expensePayIndicator: card ? 'Y' : 'N',
    reportEntryPatKey: e.payType,
    offsetPayType: e.payType === 'COPD' ? 'Y' : 'N',
    clearingAccountCode: null,
    cardProgramTypeCode: card ? 'AX' : null,
    cardTransactionID: e.cardTransaction ?? null,
    cardTransactionAmount: card ? e.approved : null,
    cardTransactionCurrency: card ? spec.employee.currency : null,
    allocation: e.allocations.map((a, i) => allocation(spec.key, index, i, a)),
  };
}

/** An expense report as one FIS item (docType `expense`, status READY). */
export function expenseItem(spec: ReportSpec): SimFisItem {
  const emp = spec.employee;
  return {
    id: demoHex(spec.key),
    docType: 'expense',
    ...DEMO_COMPANY,
    erpSystemId: '',
    docStatus: 'READY',
    document: {
      employee: {
        employeeId: emp.employeeId,
        employeeFirstName: emp.firstName,
        employeeLastName: emp.lastName,
        employeeMI: null,
        // The person's home cost centre: the rules must never use it for the spend (docs/posting-rules.md, Dimensions).
        employeeOrgUnit4Code: '11-KING',
        employeeOrgUnit4Value: 'Kingston',
      },
      report: {
        requestId: [],
        employeeCurrencyAlphaCode: emp.currency,
        reportId: upperHex(`${spec.key}/report`, 20),
        totalApprovedAmount: spec.totalApproved,
        isTest: 'N',
        ledgerCode: 'DEFAULT',
        reportKey: parseInt(demoHex(`${spec.key}/key`, 5), 16),
        reportName: spec.name,
        cashAdvanceReturnsAmount: 0,
        revisionNumber: '1',
        versionId: '1',
        homeCountryCode: emp.country,
        reportSubmitDate: spec.submitted,
        reportUserDefinedDate: spec.submitted,
        reportPaymentProcessingDate: spec.processed,
        reportCreationDate: spec.submitted,
        reportOrgUnit1Code: spec.businessLine,
        reportOrgUnit1Value: spec.businessLine === 'SALES' ? 'Sales' : 'Research and development',
      },
      expenseEntry: spec.entries.map((e, i) => entry(spec, i, e)),
      cashAdvanceApplication: (spec.cashAdvancesApplied ?? []).map((amount, i) => ({
        cashAdvanceId: upperHex(`${spec.key}/cash-advance-${i}`),
        cashAdvanceApplicationAmount: amount,
        cashAdvanceClearingAccountCode: null,
      })),
    },
  };
}

export interface InvoiceLineSpec {
  description: string;
  typeCode: string;
  account: string;
  amount: number;
  /** Either amounts (as given) or percentages only (split by the rules, remainder cent to the largest). */
  allocations: { costCenter: string; project?: string; amount?: number; percentage: number }[];
}

export interface InvoiceSpec {
  key: string;
  name: string;
  invoiceNumber: string;
  vendorCode: string;
  vendorName: string;
  currency: string;
  total: number;
  invoiceDate: string;
  paymentDate: string;
  lines: InvoiceLineSpec[];
}

/** A vendor invoice in the connector's documented invoice shape (docs/posting-rules.md). */
export function invoiceItem(spec: InvoiceSpec): SimFisItem {
  return {
    id: demoHex(spec.key),
    docType: 'invoice',
    ...DEMO_COMPANY,
    erpSystemId: '',
    docStatus: 'READY',
    document: {
      invoice: {
        requestId: upperHex(`${spec.key}/request`, 12),
        invoiceNumber: spec.invoiceNumber,
        name: spec.name,
        vendorCode: spec.vendorCode,
        vendorName: spec.vendorName,
        currencyCode: spec.currency,
        totalAmount: spec.total,
        invoiceDate: spec.invoiceDate,
        paymentDate: spec.paymentDate,
        version: '1',
      },
      lineItems: spec.lines.map((l, i) => ({
        lineItemId: String(i + 1),
        description: l.description,
        expenseTypeCode: l.typeCode,
        journalAccountCode: l.account,
        amount: l.amount,
        allocations: l.allocations.map((a, j) => ({
          allocationId: `${i + 1}-${j + 1}`,
          percentage: a.percentage,
          ...(a.amount === undefined ? {} : { amount: a.amount }),
          journalAccountCode: l.account,
          allocationCustom4Code: a.costCenter,
          allocationCustom5Code: a.project ?? null,
        })),
      })),
    },
  };
}
