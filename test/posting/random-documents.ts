/**
 * A small seeded generator of FIS expense documents (no property-testing package): random entries,
 * allocations, taxes, credits, personal card expenses and cash advances, always internally consistent
 * (G = N + sum(T) per journal line), with the totals the document itself implies.
 */
import { formatMinor } from '../../src/domain/money/money.js';
import { expenseItem, type EntrySpec, type JournalSpec } from './builders.js';

/** The same seeded generator the simulators use for faults, so a failing run can be reproduced. */
export { seededRandom as mulberry32 } from '../../src/adapters/intacct/simulator/faults.js';

export const ACCOUNT_CODES = ['474230', '474210', '5', '37', '11', '56'];
export const DEPT_CODES = ['21-KING', '21-BELLEV1', '11-KING'];
const PARTIES = ['EMPL', 'COPD', 'IBCP', 'CBCP', 'IBIP'];
const TAX_LABELS = ['DEVAT', 'FRVAT', null];

export interface Expected {
  /** Signed (debit +) minor units per line kind. */
  byKind: Record<string, number>;
  cost: number;
}

export function randomExpenseDocument(rand: () => number, index: number, currency = 'USD'): { item: Record<string, unknown>; expected: Expected } {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const num = (minor: number) => Number(formatMinor(minor, currency)); // Concur sends JSON numbers
  const byKind: Record<string, number> = { expense: 0, 'tax-reclaim': 0, 'tax-nondeductible': 0, counterparty: 0, 'cash-advance': 0 };
  let cost = 0;
  const entries: EntrySpec[] = [];
  for (let e = 0; e < int(1, 8); e++) {
    const allocations: EntrySpec['allocations'] = [];
    const personal = rand() < 0.15;
    for (let a = 0; a < (personal ? 1 : int(1, 3)); a++) {
      const journals: JournalSpec[] = [];
      if (personal) {
        const g = int(1, 50000);
        journals.push(
          { account: '', payer: 'COMP', payee: pick(['IBCP', 'CBCP']), gross: num(g) },
          { account: '', payer: 'EMPL', payee: 'COMP', gross: num(-g) },
        );
        byKind['counterparty']! += 0; // -g on the card, +g on the employee: counterparty lines net 0 in sum
      } else {
        for (let j = 0; j < int(1, 2); j++) {
          const sign = rand() < 0.2 ? -1 : 1;
          const net = sign * int(1, 100000);
          const taxes: NonNullable<JournalSpec['taxes']> = [];
          let taxTotal = 0;
          for (let t = 0; t < int(0, 2); t++) {
            const tax = sign * int(0, 20000);
            const reclaim = sign * int(0, Math.abs(tax));
            taxes.push({ guid: `T${index}-${e}-${a}-${j}-${t}`, tax: num(tax), reclaim: num(reclaim), label: pick(TAX_LABELS) });
            taxTotal += tax;
            byKind['tax-reclaim']! += reclaim;
            byKind['tax-nondeductible']! += tax - reclaim;
          }
          const gross = net + taxTotal;
          const companyPaid = sign > 0 || rand() < 0.5;
          journals.push({
            account: pick(ACCOUNT_CODES),
            payer: companyPaid ? 'COMP' : 'EMPL',
            payee: companyPaid ? pick(PARTIES) : 'COMP',
            gross: num(gross),
            net: rand() < 0.1 && taxes.length === 0 ? null : num(net),
            taxes,
          });
          byKind['expense']! += net;
          byKind['counterparty']! -= gross;
          cost += gross;
        }
      }
      allocations.push({ id: `A${e}-${a}`, percentage: 100, fields: { allocationCustom4Code: pick(DEPT_CODES) }, journals });
    }
    entries.push({
      id: `E${index}-${e}`,
      vendor: rand() < 0.5 ? 'Vendor \u0007 with a <very> long & odd name '.repeat(int(1, 4)) : null,
      personal,
      allocations,
    });
  }
  const cashAdvances: { id: string; amount: number }[] = [];
  for (let c = 0; c < int(0, 2); c++) {
    const amount = -int(1, 30000);
    cashAdvances.push({ id: `CA${c}`, amount: num(amount) });
    byKind['cash-advance']! += amount;
    byKind['counterparty']! -= amount;
  }
  const item = expenseItem({ id: `DOC${index}`, currency, total: rand() < 0.8 ? num(cost) : null, entries, cashAdvances });
  return { item, expected: { byKind, cost } };
}
