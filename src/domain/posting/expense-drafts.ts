/**
 * docs/posting-rules.md for an expense report: per expense entry, allocation and journal line
 *   expense      +N                  (N = amountNetOfTax; G - sum(T) when absent) cost line
 *   tax reclaim  +R                  per tax item the line takes (tax-links)   balance sheet
 *   non-deduct.  +(T - R)                                                      cost line
 *   counterparty -G  on the payee when the company pays (a credit of G),
 *                    on the payer when the company is paid (a debit of -G)
 * and per cash advance application A: cash advance account +A (a credit of -A), employee -A.
 * Amounts are signed debits; a negative one becomes a credit later. Zero amounts make no draft.
 */
import type { FisExpenseDocument, FisExpenseEntry, FisJournal, FisAllocation } from '../fis/model.js';
import type { DraftLine, DimensionLevels } from './types.js';
import { cleanText, expenseMemo, MEMO_MAX } from './text.js';
import { formatMinor } from '../money/money.js';

export interface ExpenseDrafts {
  drafts: DraftLine[];
  /** Journal lines whose own amounts do not balance (G != N + sum(T)), for the rejection reason. */
  unbalanced: string[];
  /** Sum of N + T over all journal lines: what the report costs, compared with its approved total. */
  cost: number;
}

export function expenseDrafts(doc: FisExpenseDocument): ExpenseDrafts {
  const drafts: DraftLine[] = [];
  const unbalanced: string[] = [];
  let cost = 0;
  const reportLevel = { prefix: 'report', fields: doc.report.fields };
  for (const entry of doc.entries) {
    const entryLevel = { prefix: 'entry', fields: entry.fields };
    const memo = expenseMemo(entry.expenseTypeName ?? entry.expenseTypeCode, entry.vendorDescription ?? entry.vendorCode);
    for (const allocation of entry.allocations) {
      const levels: DimensionLevels = { levels: [{ prefix: 'allocation', fields: allocation.fields }, entryLevel, reportLevel] };
      for (const journal of allocation.journals) {
        cost += journalDrafts(doc, entry, allocation, journal, levels, memo, drafts, unbalanced);
      }
    }
  }
  for (const ca of doc.cashAdvanceApplications) {
    const source = `cashAdvanceApplication ${ca.ref}`;
    const memo = cleanText(ca.cashAdvanceId === null ? 'Cash advance applied' : `Cash advance ${ca.cashAdvanceId} applied`, MEMO_MAX);
    push(drafts, { kind: 'cash-advance', amount: ca.amount, account: { type: 'cash-advance', id: ca.ref }, cost: null, memo, source, scope: 'report' });
    push(drafts, { kind: 'counterparty', amount: -ca.amount, account: { type: 'counterparty', party: 'EMPL' }, cost: null, memo, source, scope: 'report' });
  }
  return { drafts, unbalanced, cost };
}

function journalDrafts(
  doc: FisExpenseDocument,
  entry: FisExpenseEntry,
  allocation: FisAllocation,
  journal: FisJournal,
  levels: DimensionLevels,
  memo: string,
  drafts: DraftLine[],
  unbalanced: string[],
): number {
  // Refs are the Concur ids, or positions where Concur sent none: unique within the document, so
  // sources never collide and lines of different entries never net together.
  const source = `entry ${entry.ref} / allocation ${allocation.ref} / journal ${journal.index}`;
  const scope = entry.ref;
  let taxTotal = 0;
  for (const tax of journal.taxes) taxTotal += tax.amountTax;
  // Without amountNetOfTax the net is what the gross leaves after the line's taxes (G when none).
  const net = journal.netOfTax ?? journal.gross - taxTotal;
  push(drafts, {
    kind: 'expense',
    amount: net,
    account: { type: 'expense', code: journal.accountCode, fallback: entry.expenseTypeCode },
    cost: levels,
    memo,
    source,
    scope,
  });
  for (const tax of journal.taxes) {
    const label = tax.taxAuthorityLabel;
    const taxSource = `${source} / tax ${tax.ref}`;
    const taxMemo = cleanText(`Tax ${label ?? ''} ${memo}`, MEMO_MAX);
    push(drafts, {
      kind: 'tax-reclaim',
      amount: tax.amountReclaim,
      account: { type: 'tax', which: 'reclaim', label },
      cost: null,
      memo: taxMemo,
      source: taxSource,
      scope,
    });
    push(drafts, {
      kind: 'tax-nondeductible',
      amount: tax.amountTax - tax.amountReclaim,
      account: { type: 'tax', which: 'nonDeductible', label },
      cost: levels,
      memo: cleanText(`Non-deductible tax ${label ?? ''} ${memo}`, MEMO_MAX),
      source: taxSource,
      scope,
    });
  }
  const party = journal.payer === 'COMP' ? journal.payee : journal.payee === 'COMP' ? journal.payer : null;
  if (party === null || party === 'COMP') {
    unbalanced.push(`${source}: neither payer ${journal.payer} nor payee ${journal.payee} is exactly one side COMP (the company)`);
  } else {
    push(drafts, { kind: 'counterparty', amount: -journal.gross, account: { type: 'counterparty', party }, cost: null, memo, source, scope });
  }
  if (net + taxTotal !== journal.gross) {
    const c = doc.currency;
    unbalanced.push(`${source}: gross ${formatMinor(journal.gross, c)} is not net ${formatMinor(net, c)} + tax ${formatMinor(taxTotal, c)}`);
  }
  return net + taxTotal;
}

function push(drafts: DraftLine[], line: DraftLine): void {
  if (line.amount !== 0) drafts.push(line);
}
