/**
 * Expense report documents. Required fields (docs/required-fields.md) are read with `string` /
 * `amount` / `array`, everything else with the optional readers; ids that only name a level fall
 * back to its position (`ref`).
 */
import type { FisAllocation, FisCashAdvanceApplication, FisEmployee, FisExpenseEntry, FisJournal, FisReport, FisTax } from './model.js';
import type { FisFields } from './model.js';
import type { FisReader } from './reader.js';
import { toDecimalString } from '../money/money.js';
import { linkTaxes, type JournalTaxRefs } from './tax-links.js';

export function parseEmployee(r: FisReader, raw: unknown, path: string): FisEmployee {
  const o = r.object(raw, path);
  return {
    employeeId: r.string(o['employeeId'], path, 'employeeId'),
    firstName: r.optionalString(o['employeeFirstName'], path, 'employeeFirstName'),
    lastName: r.optionalString(o['employeeLastName'], path, 'employeeLastName'),
    email: r.optionalString(o['emailAddress'], path, 'emailAddress'),
    loginId: r.optionalString(o['loginId'], path, 'loginId'),
    fields: o,
  };
}

export function parseReport(r: FisReader, raw: unknown, path: string): FisReport {
  const o = r.object(raw, path);
  return {
    reportId: r.string(o['reportId'], path, 'reportId'),
    reportKey: r.optionalString(o['reportKey'], path, 'reportKey'),
    reportName: r.optionalString(o['reportName'], path, 'reportName') ?? '',
    totalApprovedAmount: r.optionalAmount(o['totalApprovedAmount'], path, 'totalApprovedAmount'),
    revisionNumber: r.optionalString(o['revisionNumber'], path, 'revisionNumber'),
    versionId: r.optionalString(o['versionId'], path, 'versionId'),
    submitDate: r.optionalString(o['reportSubmitDate'], path, 'reportSubmitDate'),
    paymentProcessingDate: r.optionalString(o['reportPaymentProcessingDate'], path, 'reportPaymentProcessingDate'),
    userDefinedDate: r.optionalString(o['reportUserDefinedDate'], path, 'reportUserDefinedDate'),
    cashAdvanceReturnsAmount: r.optionalAmount(o['cashAdvanceReturnsAmount'], path, 'cashAdvanceReturnsAmount'),
    fields: o,
  };
}

export function parseEntries(r: FisReader, doc: FisFields, path: string): FisExpenseEntry[] {
  return r.array(doc['expenseEntry'], path, 'expenseEntry').map((raw, i) => parseEntry(r, raw, `${path}.expenseEntry[${i}]`, i + 1));
}

function parseEntry(r: FisReader, raw: unknown, path: string, position: number): FisExpenseEntry {
  const o = r.object(raw, path);
  const entryId = r.optionalString(o['entryId'], path, 'entryId');
  return {
    entryId,
    ref: entryId ?? `#${position}`,
    expenseTypeCode: r.optionalString(o['expenseTypeCode'], path, 'expenseTypeCode'),
    expenseTypeName: r.optionalString(o['expenseTypeName'], path, 'expenseTypeName'),
    entryDate: r.optionalString(o['entryDate'], path, 'entryDate'),
    vendorDescription: r.optionalString(o['entryVendorDescription'], path, 'entryVendorDescription'),
    vendorCode: r.optionalString(o['entryVendorCode'], path, 'entryVendorCode'),
    isPersonal: r.optionalString(o['entryIsPersonal'], path, 'entryIsPersonal') === 'Y',
    approvedAmount: r.optionalAmount(o['entryApprovedAmount'], path, 'entryApprovedAmount'),
    cardTransactionId: r.optionalString(o['cardTransactionID'], path, 'cardTransactionID'),
    cardProgramTypeCode: r.optionalString(o['cardProgramTypeCode'], path, 'cardProgramTypeCode'),
    allocations: r.array(o['allocation'], path, 'allocation').map((a, i) => parseAllocation(r, a, `${path}.allocation[${i}]`, i + 1)),
    fields: o,
  };
}

function parseAllocation(r: FisReader, raw: unknown, path: string, position: number): FisAllocation {
  const o = r.object(raw, path);
  const pct = o['allocationPercentage'];
  let percentage: string | null = null;
  if (pct !== undefined && pct !== null && pct !== '') {
    if (typeof pct !== 'number' && typeof pct !== 'string') r.fail(`${path}.allocationPercentage`, 'must be a number');
    percentage = toDecimalString(pct);
  }
  const rawTaxes = r.array(o['tax'], path, 'tax', false);
  const taxes: FisTax[] = [];
  for (let i = 0; i < rawTaxes.length; i++) taxes.push(parseTax(r, rawTaxes[i], `${path}.tax[${i}]`, i + 1));
  const rawJournals = r.array(o['journal'], path, 'journal');
  const lines: (Omit<FisJournal, 'taxes'> & JournalTaxRefs)[] = [];
  for (let i = 0; i < rawJournals.length; i++) lines.push(parseJournal(r, rawJournals[i], `${path}.journal[${i}]`, i + 1));
  const links = linkTaxes(r, path, lines, taxes);
  const journals: FisJournal[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    journals.push({
      index: l.index,
      accountCode: l.accountCode,
      payer: l.payer,
      payee: l.payee,
      gross: l.gross,
      netOfTax: l.netOfTax,
      netOfReclaim: l.netOfReclaim,
      taxes: links[i]!,
    });
  }
  const allocationId = r.optionalString(o['allocationId'], path, 'allocationId');
  return { allocationId, ref: allocationId ?? `#${position}`, percentage, journals, taxes, fields: o };
}

function parseJournal(r: FisReader, raw: unknown, path: string, index: number): Omit<FisJournal, 'taxes'> & JournalTaxRefs {
  const o = r.object(raw, path);
  const rawGuids = r.array(o['taxGuid'], path, 'taxGuid', false);
  for (let i = 0; i < rawGuids.length; i++) {
    const g = rawGuids[i];
    if (typeof g !== 'string' || g === '') r.fail(`${path}.taxGuid[${i}]`, 'must be a non-empty string');
  }
  return {
    index,
    accountCode: r.optionalString(o['journalAccountCode'], path, 'journalAccountCode'),
    payer: r.string(o['journalPayer'], path, 'journalPayer'),
    payee: r.string(o['journalPayee'], path, 'journalPayee'),
    gross: r.amount(o['amountGross'], path, 'amountGross'),
    netOfTax: r.optionalAmount(o['amountNetOfTax'], path, 'amountNetOfTax'),
    netOfReclaim: r.optionalAmount(o['amountNetOfReclaim'], path, 'amountNetOfReclaim'),
    guids: rawGuids.length === 0 ? null : (rawGuids as readonly string[]),
  };
}

function parseTax(r: FisReader, raw: unknown, path: string, index: number): FisTax {
  const o = r.object(raw, path);
  const taxGuid = r.optionalString(o['taxGuid'], path, 'taxGuid');
  return {
    index,
    taxGuid,
    ref: taxGuid ?? `#${index}`,
    amountTax: r.optionalAmount(o['amountTax'], path, 'amountTax'),
    amountReclaim: r.optionalAmount(o['amountReclaim'], path, 'amountReclaim') ?? 0,
    taxAuthorityLabel: r.optionalString(o['taxAuthorityLabel'], path, 'taxAuthorityLabel'),
    taxReclaimCode: r.optionalString(o['taxReclaimCode'], path, 'taxReclaimCode'),
  };
}

export function parseCashAdvanceApplications(r: FisReader, doc: FisFields, path: string): FisCashAdvanceApplication[] {
  return r.array(doc['cashAdvanceApplication'], path, 'cashAdvanceApplication', false).map((raw, i) => {
    const p = `${path}.cashAdvanceApplication[${i}]`;
    const o = r.object(raw, p);
    const cashAdvanceId = r.optionalString(o['cashAdvanceId'], p, 'cashAdvanceId');
    return {
      cashAdvanceId,
      ref: cashAdvanceId ?? `#${i + 1}`,
      amount: r.amount(o['cashAdvanceApplicationAmount'], p, 'cashAdvanceApplicationAmount'),
      clearingAccountCode: r.optionalString(o['cashAdvanceClearingAccountCode'], p, 'cashAdvanceClearingAccountCode'),
    };
  });
}
