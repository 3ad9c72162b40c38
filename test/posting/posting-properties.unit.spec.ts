/**
 * Property tests over seeded random documents: every entry balances to the minor unit and conserves
 * the document's totals per kind of line, merged or not; percentages always split exactly.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { allocateByPercentages, currencyExponent, parseMinor } from '../../src/domain/money/money.js';
import type { JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { demoCheck, demoMappings, OPTIONS } from './fixtures.js';
import { mulberry32, randomExpenseDocument } from './random-documents.js';

const signedByKind = (e: JournalEntry): Record<string, number> => {
  const out: Record<string, number> = { expense: 0, 'tax-reclaim': 0, 'tax-nondeductible': 0, counterparty: 0, 'cash-advance': 0 };
  for (const l of e.lines) out[l.kind] = (out[l.kind] ?? 0) + l.trType * parseMinor(l.amount, e.currency);
  return out;
};

describe('posting properties (seeded random documents)', () => {
  for (const currency of ['USD', 'JPY', 'KWD']) {
    it(`balances and conserves totals, merged and unmerged (${currency})`, () => {
      const rand = mulberry32(20260628 + currency.charCodeAt(0));
      const merged = demoMappings();
      const unmerged = demoMappings({ options: { mergeLines: false } });
      const decimals = currencyExponent(currency);
      for (let i = 0; i < 150; i++) {
        const { item, expected } = randomExpenseDocument(rand, i, currency);
        const doc = parseFisDocument(item);
        for (const mappings of [merged, unmerged]) {
          const result = preparePosting(doc, mappings, demoCheck, OPTIONS);
          if (!result.ok) {
            // Only a document whose every line cancels may fail, and then with the explicit reason.
            expect('rejected' in result && result.rejected.reason, `doc ${i}`).toContain('nothing to post');
            expect(Object.values(expected.byKind).every((v) => v === 0)).toBe(true);
            continue;
          }
          const e = result.entry;
          let debit = 0;
          let credit = 0;
          const problems: string[] = [];
          for (const l of e.lines) {
            const minor = parseMinor(l.amount, currency);
            if (minor <= 0) problems.push(`zero or negative line ${l.amount}`);
            if ((l.amount.split('.')[1]?.length ?? 0) !== decimals) problems.push(`amount ${l.amount} without ${decimals} decimals`);
            if (l.memo.length > 100 || /[\u0000-\u001f]/.test(l.memo)) problems.push(`memo not trimmed/cleaned: ${l.memo}`);
            const costLine = l.kind === 'expense' || l.kind === 'tax-nondeductible';
            if ((l.dimensions.DEPARTMENT !== undefined) !== costLine) problems.push(`${l.kind} line with cost dimensions=${!costLine}`);
            if (l.trType === 1) debit += minor;
            else credit += minor;
          }
          if (debit !== credit) problems.push(`unbalanced: ${debit} vs ${credit}`);
          if (parseMinor(e.total, currency) !== debit) problems.push(`total ${e.total} is not the debits`);
          expect(problems, `doc ${i}`).toEqual([]);
          expect(signedByKind(e), `doc ${i} conservation`).toEqual(expected.byKind);
        }
      }
    });
  }

  it('percent allocation: shares add up exactly, remainder cents go to the largest share', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(rand() * 6);
      const raw = Array.from({ length: n }, () => 1 + Math.floor(rand() * 10000));
      const sum = raw.reduce((a, b) => a + b, 0);
      // percentages with 2 decimals adding to exactly 100.00
      const pcts = raw.map((r) => Math.floor((r * 10000) / sum));
      pcts[0]! += 10000 - pcts.reduce((a, b) => a + b, 0);
      const total = Math.floor(rand() * 2_000_000) - 1_000_000;
      const shares = allocateByPercentages(
        total,
        pcts.map((p) => (p / 100).toFixed(2)),
      );
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      const truncated = pcts.map((p) => Math.trunc((total * p) / 10000));
      const largest = pcts.indexOf(Math.max(...pcts));
      shares.forEach((s, k) => {
        if (k !== largest) expect(s).toBe(truncated[k]);
        expect(Math.abs(s - truncated[k]!)).toBeLessThan(n); // the remainder is under one cent per line
      });
    }
  });
});
