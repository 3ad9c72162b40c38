/**
 * Each SAP FIS sample becomes the posting its use case describes. Expected lines are derived from
 * the document by docs/posting-rules.md (see the comment above each case), not copied from SAP's tables.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import type { JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { demoCheck, demoMappings, fisItem, OPTIONS } from './fixtures.js';

function post(example: string, mergeLines = true): JournalEntry {
  const result = preparePosting(parseFisDocument(fisItem(example)), demoMappings({ options: { mergeLines } }), demoCheck, OPTIONS);
  if (!result.ok) throw new Error(`expected an entry, got ${JSON.stringify(result)}`);
  return result.entry;
}

/** [account, D|C, amount, dimensions] — compact and readable. */
const shape = (e: JournalEntry) => e.lines.map((l) => [l.accountNo, l.trType === 1 ? 'D' : 'C', l.amount, l.dimensions]);

function assertBalanced(e: JournalEntry): void {
  const cents = (side: 1 | -1) => e.lines.filter((l) => l.trType === side).reduce((s, l) => s + Number(l.amount.replace('.', '')), 0);
  expect(cents(1)).toBe(cents(-1));
  expect(Number(e.total.replace('.', ''))).toBe(cents(1));
  for (const l of e.lines) expect(l.amount).toMatch(/^[1-9]\d*\.\d{2}$|^0\.(0[1-9]|[1-9]\d)$/); // positive, never zero
}

describe('SAP FIS samples -> journal entries (docs/posting-rules.md)', () => {
  it('Example 1.1 company-paid (COPD): expenses debited gross, company-paid clearing credited', () => {
    // entry TAXI: COMP pays COPD G=N=10 -> D 6400 (474230) 10, C 2070 10; entry TRAIN G=N=20 -> D 6410 20, C 2070 20.
    // No totalApprovedAmount in this sample; no payment processing date -> submit date.
    const e = post('1.1');
    expect(shape(e)).toEqual([
      ['6400', 'D', '10.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
      ['2070', 'C', '30.00', { LOCATION: '100' }],
      ['6410', 'D', '20.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
    ]);
    expect(e).toMatchObject({
      batchDate: '2016-03-24',
      total: '30.00',
      journal: 'EXPJ',
      postingKey: 'ML-EXP-2aaff6d927a84156b5b2de638f163eb3-1',
      batchTitle: 'Retest Company Paid (B1041655B4CE4171BDAA)',
    });
    assertBalanced(e);
    expect(shape(post('1.1', false)).map((l) => l.slice(0, 3))).toEqual([
      ['6400', 'D', '10.00'],
      ['2070', 'C', '10.00'],
      ['6410', 'D', '20.00'],
      ['2070', 'C', '20.00'],
    ]);
  });

  it('Example 1.2 cash rebate (credit, EMPL pays COMP): sides swap, the employee owes the company', () => {
    // G=N=-50, payer EMPL payee COMP: expense +N=-50 -> C 6420 50; payer counterparty -G=+50 -> D 2050 50 + EMPLOYEEID.
    const e = post('1.2');
    expect(shape(e)).toEqual([
      ['6420', 'C', '50.00', { DEPARTMENT: 'D211', LOCATION: '100' }],
      ['2050', 'D', '50.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
    expect(e.total).toBe('50.00');
    expect(e.lines[0]!.memo).toBe('Booking Fees - Ritz Carlton');
    assertBalanced(e);
  });

  it('Example 2.1 simple VAT: net to expense, reclaim to the DEVAT account, gross owed to the employee', () => {
    // G=10, N=8.40, tax T=1.60 R=1.60 (DEVAT) -> D 6430 8.40, D 1410 1.60 (no cost dims), T-R=0 skipped, C 2050 10.00.
    const e = post('2.1');
    expect(shape(e)).toEqual([
      ['6430', 'D', '8.40', { DEPARTMENT: 'D110', LOCATION: '100' }],
      ['1410', 'D', '1.60', { LOCATION: '100' }],
      ['2050', 'C', '10.00', { EMPLOYEEID: '49038128', LOCATION: '100' }],
    ]);
    expect(e.currency).toBe('EUR');
    expect(e.lines.map((l) => l.kind)).toEqual(['expense', 'tax-reclaim', 'counterparty']);
    assertBalanced(e);
  });

  it('Example 3.1 three company-paid hotel lines on one account: merged, total = approved 325', () => {
    const e = post('3.1');
    expect(shape(e)).toEqual([
      ['6400', 'D', '325.00', { DEPARTMENT: 'D211', LOCATION: '100' }],
      ['2070', 'C', '325.00', { LOCATION: '100' }],
    ]);
    expect(e.lines[0]!.memo.length).toBeLessThanOrEqual(100);
    expect(e.lines[0]!.memo.startsWith('Room Rate - All Suites International; Room Tax')).toBe(true);
    expect(post('3.1', false).lines.map((l) => l.amount)).toEqual(['250.00', '250.00', '50.00', '50.00', '25.00', '25.00']);
    assertBalanced(e);
  });

  it('Example 6.1.2 company card (IBCP) and out-of-pocket: card vendor and employee credited', () => {
    // Card entry COMP->IBCP G=56.10 -> D 6440, C 2110 + VENDORID AMEX; cash entry COMP->EMPL 23 -> D 6450, C 2050 + EMPLOYEEID.
    // No allocation/report DEPARTMENT source has a value; employee org units are never used -> only the default LOCATION.
    const e = post('6.1.2');
    expect(shape(e)).toEqual([
      ['6440', 'D', '56.10', { LOCATION: '100' }],
      ['2110', 'C', '56.10', { VENDORID: 'AMEX', LOCATION: '100' }],
      ['6450', 'D', '23.00', { LOCATION: '100' }],
      ['2050', 'C', '23.00', { EMPLOYEEID: 'uiexp', LOCATION: '100' }],
    ]);
    expect(e.total).toBe('79.10'); // = report totalApprovedAmount 79.1
    assertBalanced(e);
  });

  it('uses mapping.employees for EMPLOYEEID when present', () => {
    const mappings = demoMappings({ employees: { '1017001': 'E1' } });
    const result = preparePosting(parseFisDocument(fisItem('1.2')), mappings, demoCheck, OPTIONS);
    expect(result.ok && result.entry.lines[1]!.dimensions.EMPLOYEEID).toBe('E1');
  });

  it('batch date policy: submitDate picks the submit day; journal falls back to the configured default', () => {
    const mappings = demoMappings({ options: { batchDatePolicy: 'submitDate' }, journal: null });
    const result = preparePosting(parseFisDocument(fisItem('6.1.2')), mappings, demoCheck, { ...OPTIONS, defaultJournal: 'CCJ' });
    expect(result.ok && [result.entry.batchDate, result.entry.journal]).toEqual(['2016-06-24', 'CCJ']);
  });
});
