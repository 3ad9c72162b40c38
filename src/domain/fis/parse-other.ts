/**
 * Cash-advance issuance and invoice / payment-request documents. SAP publishes no sample of either
 * and the FIS swagger types `document` as a bare object, so the names accepted here are the
 * connector's contract (docs/posting-rules.md). Where several names are plausible they are listed,
 * first match wins; extend the lists when a real document shows another spelling.
 */
import type { FisCashAdvanceDocument, FisFields, FisInvoiceDocument, FisInvoiceLine, FisItemHeader } from './model.js';
import { toDecimalString } from '../money/money.js';
import { FisReader } from './reader.js';
import { parseEmployee } from './parse-expense.js';

const CA_AMOUNT = ['cashAdvanceAmount', 'amountIssued', 'issuedAmount', 'amount'] as const;
const CA_CURRENCY = ['cashAdvanceCurrencyAlphaCode', 'currencyAlphaCode', 'currencyCode'] as const;
const CA_ID = ['cashAdvanceId', 'cashAdvanceKey'] as const;
const CA_DATE = ['issuedDate', 'cashAdvanceIssuedDate', 'requestDate'] as const;

export function parseCashAdvance(header: Omit<FisItemHeader, 'currency'>, doc: FisFields): FisCashAdvanceDocument {
  const probe = new FisReader(header.id, 'USD');
  const data = probe.object(doc['cashAdvanceData'], 'document.cashAdvanceData');
  const currency = probe.string(...probe.requiredFirst(data, CA_CURRENCY, 'document.cashAdvanceData'));
  const r = new FisReader(header.id, currency);
  const employee = parseEmployee(r, doc['employeeData'], 'document.employeeData');
  const amount = r.amount(...r.requiredFirst(data, CA_AMOUNT, 'document.cashAdvanceData'));
  return {
    ...header,
    currency,
    kind: 'cashadvance',
    employee,
    cashAdvanceId: r.string(...r.requiredFirst(data, CA_ID, 'document.cashAdvanceData')),
    name:
      r.optionalString(data['cashAdvanceName'], 'document.cashAdvanceData', 'cashAdvanceName') ??
      r.optionalString(data['name'], 'document.cashAdvanceData', 'name'),
    amount,
    issuedDate: r.optionalString(...r.first(data, CA_DATE, 'document.cashAdvanceData')),
    fields: data,
  };
}

/**
 * Invoice shape: `document.invoice` (header: requestId, invoiceNumber, name, vendorCode, vendorName,
 * currencyCode, totalAmount, invoiceDate, paymentDate, version) and `document.lineItems[]`
 * (lineItemId, description, expenseTypeCode, journalAccountCode, amount, `allocations[]` with
 * allocationId, percentage, amount, journalAccountCode and custom codes).
 */
export function parseInvoice(header: Omit<FisItemHeader, 'currency'>, doc: FisFields): FisInvoiceDocument {
  const probe = new FisReader(header.id, 'USD');
  const h = probe.object(doc['invoice'], 'document.invoice');
  const currency = probe.string(h['currencyCode'], 'document.invoice', 'currencyCode');
  const r = new FisReader(header.id, currency);
  const lines = r.array(doc['lineItems'], 'document', 'lineItems').map((raw, i) => parseInvoiceLine(r, raw, `document.lineItems[${i}]`, i + 1));
  if (lines.length === 0) r.fail('document.lineItems', 'is empty: an invoice needs at least one line');
  return {
    ...header,
    currency,
    kind: 'invoice',
    requestId: r.string(h['requestId'], 'document.invoice', 'requestId'),
    invoiceNumber: r.optionalString(h['invoiceNumber'], 'document.invoice', 'invoiceNumber'),
    name: r.optionalString(h['name'], 'document.invoice', 'name'),
    vendorCode: r.string(h['vendorCode'], 'document.invoice', 'vendorCode'),
    vendorName: r.optionalString(h['vendorName'], 'document.invoice', 'vendorName'),
    totalAmount: r.amount(h['totalAmount'], 'document.invoice', 'totalAmount'),
    invoiceDate: r.optionalString(h['invoiceDate'], 'document.invoice', 'invoiceDate'),
    paymentDate: r.optionalString(h['paymentDate'], 'document.invoice', 'paymentDate'),
    version: r.optionalString(h['version'], 'document.invoice', 'version'),
    lines,
    fields: h,
  };
}

function parseInvoiceLine(r: FisReader, raw: unknown, path: string, position: number): FisInvoiceLine {
  const o = r.object(raw, path);
  const allocations = r.array(o['allocations'], path, 'allocations', false).map((a, i) => {
    const p = `${path}.allocations[${i}]`;
    const ao = r.object(a, p);
    const pct = ao['percentage'];
    if (pct !== undefined && pct !== null && typeof pct !== 'number' && typeof pct !== 'string') r.fail(`${p}.percentage`, 'must be a number');
    const percentage = pct === undefined || pct === null || pct === '' ? null : toDecimalString(pct);
    const amount = r.optionalAmount(ao['amount'], p, 'amount');
    if (percentage === null && amount === null) r.fail(`${p}.amount`, `is missing, and so is ${p}.percentage`);
    const allocationId = r.optionalString(ao['allocationId'], p, 'allocationId');
    return {
      allocationId,
      ref: allocationId ?? `#${i + 1}`,
      percentage,
      amount,
      accountCode: r.optionalString(ao['journalAccountCode'], p, 'journalAccountCode'),
      fields: ao,
    };
  });
  const lineId = r.optionalString(o['lineItemId'], path, 'lineItemId');
  return {
    lineId,
    ref: lineId ?? `#${position}`,
    description: r.optionalString(o['description'], path, 'description'),
    expenseTypeCode: r.optionalString(o['expenseTypeCode'], path, 'expenseTypeCode'),
    accountCode: r.optionalString(o['journalAccountCode'], path, 'journalAccountCode'),
    amount: r.amount(o['amount'], path, 'amount'),
    allocations,
    fields: o,
  };
}
