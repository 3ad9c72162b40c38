/**
 * Property tests of the posting targets over seeded random documents: whatever the targets, every
 * record balances on its own to the minor unit, the cost and tax lines of all records together are
 * exactly the journal's (nothing lost, nothing twice), each record's payable equals what its own
 * lines come to, and keys are unique and stable.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { journalProblem } from '../../src/domain/journal/balance.js';
import type { JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { DEFAULT_TARGETS, type MappingSet, type PostingTargets } from '../../src/domain/mapping/model.js';
import { parseMinor } from '../../src/domain/money/money.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { demoCheck, demoMappings, OPTIONS } from './fixtures.js';
import { mulberry32, randomExpenseDocument } from './random-documents.js';

const TARGET_SETS: PostingTargets['expense'][] = [
  { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
  { outOfPocket: 'GLBATCH', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
  { outOfPocket: 'EEXPENSES', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' },
  { outOfPocket: 'APBILL', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
];

function withTargets(expense: PostingTargets['expense']): MappingSet {
  const base = demoMappings();
  return {
    ...base,
    targets: { ...DEFAULT_TARGETS, expense },
    cardAccounts: new Map([
      ['CBCP', 'CC-CORP'],
      ['IBCP', 'CC-IND'],
    ]),
    vendors: new Map([['1017001', 'V100']]),
  };
}

/** Signed minor units of the lines that are not a record's own payable, per account (the journal's view of cost and tax). */
function costByAccount(records: readonly JournalEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records)
    for (const l of r.lines) {
      if (l.offset || l.kind === 'counterparty') continue;
      const key = `${l.kind}|${l.accountNo || l.expenseType}`;
      out.set(key, (out.get(key) ?? 0) + l.trType * parseMinor(l.amount, r.currency));
    }
  return out;
}

describe('posting targets properties (seeded random documents)', () => {
  it('every record balances, all records together carry exactly the journal cost, payables match, keys are unique', () => {
    const rand = mulberry32(20261203);
    let records = 0;
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const { item } = randomExpenseDocument(rand, i);
      const doc = parseFisDocument(item);
      const journal = preparePosting(doc, demoMappings(), demoCheck, OPTIONS);
      for (const expense of TARGET_SETS) {
        const result = preparePosting(doc, withTargets(expense), demoCheck, OPTIONS);
        if (!journal.ok) {
          expect(result.ok, `doc ${i}: a document the journal refuses is refused whatever the targets`).toBe(false);
          continue;
        }
        if (!result.ok) {
          // Only an employee report or bill that would not be positive (or card lines netting to zero) is refused.
          expect('rejected' in result && result.rejected.reason, `doc ${i} ${JSON.stringify(expense)}`).toMatch(
            /employee owes the company|positive total|net to zero/,
          );
          refused++;
          continue;
        }
        const list = result.records;
        records += list.length;
        for (const r of list) {
          expect(journalProblem(r), `doc ${i} ${r.postingKey}`).toBeNull();
          if ((r.target ?? 'GLBATCH') !== 'GLBATCH') {
            const payable = -r.lines.filter((l) => l.offset).reduce((s, l) => s + l.trType * parseMinor(l.amount, r.currency), 0);
            const sent = r.lines.filter((l) => !l.offset).reduce((s, l) => s + l.trType * parseMinor(l.amount, r.currency), 0);
            expect(sent, `doc ${i} ${r.postingKey}: the sent lines come to the payable`).toBe(payable);
            if (r.target !== 'CCTRANSACTION') expect(payable).toBeGreaterThan(0);
          } else expect(r.lines.some((l) => l.offset)).toBe(false);
        }
        expect(new Set(list.map((r) => r.postingKey)).size, `doc ${i}: unique keys`).toBe(list.length);
        expect(costByAccount(list), `doc ${i} ${JSON.stringify(expense)}: cost conserved`).toEqual(costByAccount([journal.entry]));
        // Deterministic: the same document and mappings give the same records.
        const again = preparePosting(doc, withTargets(expense), demoCheck, OPTIONS);
        expect(again.ok && again.records.map((r) => r.postingKey)).toEqual(list.map((r) => r.postingKey));
      }
    }
    expect(records).toBeGreaterThan(600);
    expect(refused).toBeLessThan(400);
  });
});
