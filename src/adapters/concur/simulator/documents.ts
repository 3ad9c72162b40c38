import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ConcurDocType } from '../../../domain/journal/journal-entry.js';

/** A FIS item as the simulator serves it (the same shape FIS returns). */
export interface SimFisItem {
  id: string;
  docType: ConcurDocType;
  companyId: string;
  entityId: string | null;
  companyUuid: string | null;
  erpSystemId: string | null;
  docStatus: string;
  document: Record<string, unknown>;
}

/**
 * Loads SAP's published sample documents from a folder of `{fIDocuments:[…]}` (or `{content:[…]}`)
 * pages. The folder is the caller's: the simulator ships no documents of its own (tests pass the
 * repository's `test/fixtures/concur/fis/`; sandbox mode uses its demo documents instead). A folder
 * that cannot be read is an error, not an empty queue: a test expecting SAP's samples must not pass
 * by polling nothing.
 */
export async function loadFixtureDocuments(dir: string): Promise<SimFisItem[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const items: SimFisItem[] = [];
  for (const name of names) {
    const body = JSON.parse(await readFile(join(dir, name), 'utf8')) as { fIDocuments?: SimFisItem[]; content?: SimFisItem[] };
    for (const item of body.fIDocuments ?? body.content ?? []) items.push(structuredClone(item));
  }
  return items;
}

const hexId = (bytes = 16): string => randomBytes(bytes).toString('hex').toUpperCase();
/** Integer cents rendered the way Concur's JSON carries amounts (a number). */
const amountOf = (cents: number): number =>
  Number(`${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`);

export interface GeneratedExpenseOptions {
  reportId?: string;
  reportName?: string;
  employeeId?: string;
  currency?: string;
  /** Entry amounts in integer minor units. */
  entryCents?: number[];
  accountCodes?: string[];
  submitDate?: string;
  companyId?: string;
}

/**
 * A valid expense document in the FIS shape: every entry has one 100 % allocation with one journal
 * line company -> employee, and the report total equals the sum of the entries (in cents).
 */
export function generateExpenseDocument(options: GeneratedExpenseOptions = {}): SimFisItem {
  const cents = options.entryCents ?? [1250, 4999];
  const currency = options.currency ?? 'USD';
  const accounts = options.accountCodes ?? ['6400', '6500', '6600'];
  const employeeId = options.employeeId ?? 'E1001';
  const reportId = options.reportId ?? hexId(10);
  const total = cents.reduce((a, b) => a + b, 0);
  const date = options.submitDate ?? new Date().toISOString();
  const entries = cents.map((c, i) => ({
    entryId: hexId(),
    expenseTypeCode: ['MEALS', 'HOTEL', 'TAXI'][i % 3],
    expenseTypeName: ['Meals', 'Hotel', 'Taxi'][i % 3],
    entryDate: date.slice(0, 10) + 'T00:00:00.000Z',
    entryCurrAlphaCode: currency,
    entryExchangeRate: 1,
    entryApprovedAmount: amountOf(c),
    reportEntryTransactionAmount: amountOf(c),
    entryVendorDescription: `Vendor ${i + 1}`,
    entryIsPersonal: 'N',
    expensePayIndicator: 'N',
    allocation: [
      {
        allocationId: hexId(),
        allocationPercentage: 100,
        allocationCustom1Code: 'D100',
        allocationCustom2Code: 'L10',
        journal: [
          {
            journalAccountCode: accounts[i % accounts.length],
            journalPayer: 'COMP',
            journalPayee: 'EMPL',
            amountGross: amountOf(c),
            amountNetOfTax: amountOf(c),
            amountNetOfReclaim: amountOf(c),
            taxGuid: [],
          },
        ],
        tax: [],
      },
    ],
  }));
  return {
    id: hexId().toLowerCase(),
    docType: 'expense',
    companyId: options.companyId ?? '821599',
    entityId: 'sim-entity',
    companyUuid: null,
    erpSystemId: '',
    docStatus: 'READY',
    document: {
      employee: { employeeId, employeeFirstName: 'Sam', employeeLastName: 'Simulated', employeeOrgUnit1Code: 'D100' },
      report: {
        reportId,
        reportKey: Math.floor(Math.random() * 1e6),
        reportName: options.reportName ?? `Simulated report ${reportId.slice(0, 6)}`,
        employeeCurrencyAlphaCode: currency,
        totalApprovedAmount: amountOf(total),
        ledgerCode: 'DEFAULT',
        revisionNumber: '1',
        versionId: '1',
        cashAdvanceReturnsAmount: 0,
        reportSubmitDate: date,
        reportPaymentProcessingDate: date,
        reportUserDefinedDate: date,
      },
      expenseEntry: entries,
      cashAdvanceApplication: [],
    },
  };
}

export interface GeneratedInvoiceOptions {
  requestId?: string;
  vendorCode?: string;
  /** Default "Simulated Supplies Inc.". */
  vendorName?: string;
  /** The vendor's tax id in the invoice header (`vendorTaxId`); absent unless given. */
  vendorTaxId?: string;
  currency?: string;
  lineCents?: number[];
  accountCodes?: string[];
  invoiceDate?: string;
}

/** An invoice (payment request) document; FIS types `document` as a bare object, see domain/fis. */
export function generateInvoiceDocument(options: GeneratedInvoiceOptions = {}): SimFisItem {
  const cents = options.lineCents ?? [10000, 2550];
  const accounts = options.accountCodes ?? ['6100', '6200'];
  const requestId = options.requestId ?? hexId(6);
  const date = options.invoiceDate ?? new Date().toISOString();
  const currency = options.currency ?? 'USD';
  return {
    id: hexId().toLowerCase(),
    docType: 'invoice',
    companyId: '821599',
    entityId: 'sim-entity',
    companyUuid: null,
    erpSystemId: '',
    docStatus: 'READY',
    document: {
      invoice: {
        requestId,
        invoiceNumber: `INV-${requestId}`,
        name: `Simulated invoice ${requestId}`,
        vendorCode: options.vendorCode ?? 'V100',
        vendorName: options.vendorName ?? 'Simulated Supplies Inc.',
        ...(options.vendorTaxId === undefined ? {} : { vendorTaxId: options.vendorTaxId }),
        currencyCode: currency,
        totalAmount: amountOf(cents.reduce((a, b) => a + b, 0)),
        invoiceDate: date,
        paymentDate: null,
        version: '1',
      },
      lineItems: cents.map((c, i) => ({
        lineItemId: String(i + 1),
        description: `Line ${i + 1}`,
        expenseTypeCode: 'SUPPLIES',
        journalAccountCode: accounts[i % accounts.length],
        amount: amountOf(c),
        allocations: [{ allocationId: `${i + 1}-1`, percentage: 100, amount: amountOf(c), journalAccountCode: accounts[i % accounts.length] }],
      })),
    },
  };
}
