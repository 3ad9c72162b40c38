/**
 * Invoices / payment requests: debit expense per line allocation, credit the vendor's AP account
 * (counterparties.VENDOR) with the invoice total and VENDORID. Cash-advance issuance: debit the cash
 * advance account, credit the employee (counterparties.EMPL).
 */
import type { FisCashAdvanceDocument, FisInvoiceDocument } from '../fis/model.js';
import { allocateByPercentages, formatMinor, MoneyError } from '../money/money.js';
import { cleanText, expenseMemo, MEMO_MAX } from './text.js';
import type { DraftLine } from './types.js';

export interface OtherDrafts {
  drafts: DraftLine[];
  /** Problems that make the document impossible to balance from its own figures. */
  unbalanced: string[];
  cost: number;
}

export function invoiceDrafts(doc: FisInvoiceDocument): OtherDrafts {
  const drafts: DraftLine[] = [];
  const unbalanced: string[] = [];
  const c = doc.currency;
  let cost = 0;
  const header = { prefix: 'invoice', fields: doc.fields };
  for (const line of doc.lines) {
    const lineLevel = { prefix: 'lineItem', fields: line.fields };
    const memo = expenseMemo(line.description ?? line.expenseTypeCode, doc.vendorName ?? doc.vendorCode);
    // A line without allocations is one allocation of the whole line, named like the line.
    const allocations =
      line.allocations.length > 0
        ? line.allocations
        : [{ allocationId: line.lineId, ref: line.ref, percentage: '100', amount: line.amount, accountCode: null, fields: {} }];
    let amounts: number[];
    if (allocations.every((a) => a.amount !== null)) {
      amounts = allocations.map((a) => a.amount!);
      const sum = amounts.reduce((s, v) => s + v, 0);
      if (sum !== line.amount) unbalanced.push(`line ${line.ref}: allocations add up to ${formatMinor(sum, c)}, the line is ${formatMinor(line.amount, c)}`);
    } else if (allocations.every((a) => a.percentage !== null)) {
      try {
        amounts = allocateByPercentages(
          line.amount,
          allocations.map((a) => a.percentage!),
        );
      } catch (error) {
        if (!(error instanceof MoneyError)) throw error;
        unbalanced.push(`line ${line.ref}: ${error.message}`);
        continue;
      }
    } else {
      unbalanced.push(`line ${line.ref}: allocations mix amounts and percentages`);
      continue;
    }
    allocations.forEach((a, i) => {
      const amount = amounts[i]!;
      cost += amount;
      if (amount === 0) return;
      drafts.push({
        kind: 'expense',
        amount,
        account: { type: 'expense', code: a.accountCode ?? line.accountCode, fallback: line.expenseTypeCode },
        cost: { levels: [{ prefix: 'allocation', fields: a.fields }, lineLevel, header] },
        memo,
        source: `line ${line.ref} / allocation ${a.ref}`,
        scope: line.ref,
      });
    });
  }
  if (doc.totalAmount !== 0) {
    const memo = cleanText(`Invoice ${doc.invoiceNumber ?? doc.requestId} ${doc.vendorName ?? doc.vendorCode}`, MEMO_MAX);
    drafts.push({
      kind: 'vendor-payable',
      amount: -doc.totalAmount,
      account: { type: 'vendor-payable', vendorCode: doc.vendorCode },
      cost: null,
      memo,
      source: `invoice ${doc.requestId}`,
      scope: 'invoice',
    });
  }
  return { drafts, unbalanced, cost };
}

export function cashAdvanceDrafts(doc: FisCashAdvanceDocument): OtherDrafts {
  const source = `cashAdvance ${doc.cashAdvanceId}`;
  const memo = cleanText(`Cash advance ${doc.name ?? doc.cashAdvanceId}`, MEMO_MAX);
  const drafts: DraftLine[] =
    doc.amount === 0
      ? []
      : [
          { kind: 'cash-advance', amount: doc.amount, account: { type: 'cash-advance', id: doc.cashAdvanceId }, cost: null, memo, source, scope: 'ca' },
          { kind: 'counterparty', amount: -doc.amount, account: { type: 'counterparty', party: 'EMPL' }, cost: null, memo, source, scope: 'ca' },
        ];
  return { drafts, unbalanced: [], cost: doc.amount };
}
