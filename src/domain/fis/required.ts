/**
 * The fields posting cannot do without, per document type, and why (docs/required-fields.md is the
 * same table for people; a test keeps the two equal). Everything else may be absent, null or empty:
 * SAP's schema lists far more fields than real documents carry, and SAP's own examples of a
 * personal expense on a company card have no `allocationId`. Identifiers that only name things in
 * gap messages and the audit trail (entry, allocation, tax, line, cash-advance application ids) are
 * replaced by their position when missing.
 *
 * Keys are field paths with array positions left out (`document.expenseEntry[].allocation`).
 * Where several names are accepted for one fact, each is listed with the same reason.
 */

const ID = "it is the document's key: the event stream, the posting key sent to Intacct and the acknowledgement to Concur are built from it";
const LINK =
  'Concur sends a recalled and resubmitted document under a new FIS id; this id links the versions so that only the newest posts (without it both would)';
const CURRENCY = 'every amount in the document is in this currency, so no amount can be read without it';
const EMPLOYEE = "the employee's lines (what the company owes them or they owe it, cash advances) carry their EMPLOYEEID";
const PARTY = 'payer and payee decide which side the company is on and which counterparty account takes the line';

export const REQUIRED_FIELDS: Readonly<Record<string, string>> = {
  // Every FIS item.
  id: ID,
  docType: 'it says which posting rules apply (expense, invoice, paymentrequest, cashadvance)',
  document: 'it holds everything that is posted',

  // Expense report.
  'document.employee': EMPLOYEE,
  'document.employee.employeeId': EMPLOYEE,
  'document.report': 'it holds the currency and the report id',
  'document.report.reportId': LINK,
  'document.report.employeeCurrencyAlphaCode': CURRENCY,
  'document.expenseEntry': 'the expense entries are what the report posts',
  'document.expenseEntry[].allocation': 'the accounting lines of an entry sit in its allocations; an entry without them would be dropped silently',
  'document.expenseEntry[].allocation[].journal': 'the journal lines are the amounts posted; an allocation without them would be dropped silently',
  'document.expenseEntry[].allocation[].journal[].journalPayer': PARTY,
  'document.expenseEntry[].allocation[].journal[].journalPayee': PARTY,
  'document.expenseEntry[].allocation[].journal[].amountGross': 'it is the amount the counterparty is credited (or debited) with',
  'document.expenseEntry[].allocation[].tax': 'a journal line references tax items by taxGuid: their amounts are in this list',
  'document.expenseEntry[].allocation[].tax[].amountTax':
    'a journal line references this tax item: its reclaim and non-deductible lines are computed from the tax amount',
  'document.cashAdvanceApplication[].cashAdvanceApplicationAmount': 'it is the amount moved between the cash advance account and the employee',

  // Invoice / payment request.
  'document.invoice': 'it holds the currency, the vendor and the total',
  'document.invoice.requestId': LINK,
  'document.invoice.currencyCode': CURRENCY,
  'document.invoice.vendorCode': 'the AP line carries the vendor (VENDORID)',
  'document.invoice.totalAmount': 'it is the amount credited to the vendor',
  'document.lineItems': 'the line items are what the invoice posts',
  'document.lineItems[].amount': 'it is the amount the line debits (its allocations split it)',
  'document.lineItems[].allocations[].amount': 'an allocation needs an amount or a percentage to know its share of the line',
  'document.lineItems[].allocations[].percentage': 'an allocation needs an amount or a percentage to know its share of the line',

  // Cash-advance issuance (several spellings accepted: no SAP sample exists).
  'document.employeeData': EMPLOYEE,
  'document.employeeData.employeeId': EMPLOYEE,
  'document.cashAdvanceData': 'it holds the advance: id, amount and currency',
  'document.cashAdvanceData.cashAdvanceId': LINK,
  'document.cashAdvanceData.cashAdvanceKey': LINK,
  'document.cashAdvanceData.cashAdvanceAmount': 'it is the amount issued',
  'document.cashAdvanceData.amountIssued': 'it is the amount issued',
  'document.cashAdvanceData.issuedAmount': 'it is the amount issued',
  'document.cashAdvanceData.amount': 'it is the amount issued',
  'document.cashAdvanceData.cashAdvanceCurrencyAlphaCode': CURRENCY,
  'document.cashAdvanceData.currencyAlphaCode': CURRENCY,
  'document.cashAdvanceData.currencyCode': CURRENCY,
};

/** `document.expenseEntry[2].allocation[0]` -> `document.expenseEntry[].allocation`. */
export const fieldPattern = (path: string): string => path.replace(/\[\d+\]/g, '[]');

/** Why posting needs the field at `path`, or null for a field it can do without. */
export function neededFor(path: string): string | null {
  return REQUIRED_FIELDS[fieldPattern(path)] ?? null;
}
