import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting, type PostingResult } from '../../src/domain/posting/index.js';
import type { MappingSet } from '../../src/domain/mapping/index.js';
import { expenseItem } from './builders.js';
import { DEMO_REFERENCE, demoCheck, demoMappings, OPTIONS, referenceCheck } from './fixtures.js';

const run = (item: Record<string, unknown>, mappings: MappingSet = demoMappings(), check = demoCheck): PostingResult =>
  preparePosting(parseFisDocument(item), mappings, check, OPTIONS);

function lines(result: PostingResult): [string, string, string, Record<string, string>][] {
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.entry.lines.map((l) => [l.accountNo, l.trType === 1 ? 'D' : 'C', l.amount, l.dimensions as Record<string, string>]);
}

const dept = { allocationCustom4Code: '21-KING' };

describe('posting rules', () => {
  it('personal expense on a company card cancels: no expense account needed, employee owes the card', () => {
    // Line 1: company pays the card 40 (IBCP); line 2: the employee pays the company back (G=-40).
    // Expense +40 and -40 net to zero on the (empty) account code: no gap although "" is unmapped.
    const item = expenseItem({
      total: 0,
      entries: [
        {
          id: 'E1',
          personal: true,
          allocations: [
            {
              id: 'A1',
              fields: dept,
              journals: [
                { account: '', payer: 'COMP', payee: 'IBCP', gross: 40 },
                { account: '', payer: 'EMPL', payee: 'COMP', gross: -40 },
              ],
            },
          ],
        },
      ],
    });
    expect(lines(run(item))).toEqual([
      ['2110', 'C', '40.00', { VENDORID: 'AMEX', LOCATION: '100' }],
      ['2050', 'D', '40.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
  });

  it('non-deductible tax: T-R debited on the nonDeductible account with cost dimensions; "*" tax fallback', () => {
    const item = expenseItem({
      total: 120,
      entries: [
        {
          id: 'E1',
          allocations: [{ id: 'A1', fields: dept, journals: [{ gross: 120, net: 100, taxes: [{ guid: 'T1', tax: 20, reclaim: 15, label: 'FRVAT' }] }] }],
        },
      ],
    });
    expect(lines(run(item))).toEqual([
      ['6400', 'D', '100.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
      ['1415', 'D', '15.00', { LOCATION: '100' }],
      ['6995', 'D', '5.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
      ['2050', 'C', '120.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
  });

  it('cash advance applied: credits the advance account, reduces what the employee is paid', () => {
    const item = expenseItem({
      total: 300,
      entries: [{ id: 'E1', allocations: [{ id: 'A1', fields: dept, journals: [{ gross: 300 }] }] }],
      cashAdvances: [{ id: 'CA1', amount: -200 }],
    });
    expect(lines(run(item))).toEqual([
      ['6400', 'D', '300.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
      ['2050', 'C', '100.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
      ['1310', 'C', '200.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
    const unmerged = lines(run(item, demoMappings({ options: { mergeLines: false } })));
    expect(unmerged.map((l) => l.slice(0, 3))).toEqual([
      ['6400', 'D', '300.00'],
      ['2050', 'C', '300.00'],
      ['1310', 'C', '200.00'],
      ['2050', 'D', '200.00'],
    ]);
  });

  it('advance larger than the expenses: the employee owes the rest (debit)', () => {
    const item = expenseItem({
      total: 50,
      entries: [{ id: 'E1', allocations: [{ id: 'A1', fields: dept, journals: [{ gross: 50 }] }] }],
      cashAdvances: [{ id: 'CA1', amount: -80 }],
    });
    expect(lines(run(item)).map((l) => l.slice(0, 3))).toEqual([
      ['6400', 'D', '50.00'],
      ['2050', 'D', '30.00'],
      ['1310', 'C', '80.00'],
    ]);
  });

  it('dimensions: allocation before entry before report; passThrough; a missing level falls back to defaults', () => {
    const mappings = demoMappings({
      dimensions: [
        { source: 'Custom2Code', target: 'PROJECTID', values: {}, passThrough: true },
        { source: 'reportOrgUnit1Code', target: 'CLASSID', values: { R1: 'C-R1' }, passThrough: false },
        { source: 'entryCustom9Code', target: 'LOCATION', values: { L: '200' } },
      ],
    });
    const check = referenceCheck({ ...DEMO_REFERENCE, PROJECTID: ['P-ALLOC', 'P-ENTRY'], CLASSID: ['C-R1'], LOCATION: ['100', '200'] });
    const item = expenseItem({
      total: 30,
      reportFields: { reportOrgUnit1Code: 'R1', reportCustom2Code: 'P-REPORT' },
      entries: [
        {
          id: 'E1',
          fields: { entryCustom2Code: 'P-ENTRY', entryCustom9Code: 'L' },
          allocations: [{ id: 'A1', fields: { allocationCustom2Code: 'P-ALLOC' }, journals: [{ gross: 10, account: '474210' }] }],
        },
        { id: 'E2', fields: { entryCustom2Code: 'P-ENTRY' }, allocations: [{ id: 'A2', fields: { allocationCustom2Code: '' }, journals: [{ gross: 20 }] }] },
      ],
    });
    const result = lines(run(item, mappings, check));
    expect(result[0]).toEqual(['6410', 'D', '10.00', { PROJECTID: 'P-ALLOC', CLASSID: 'C-R1', LOCATION: '200' }]);
    expect(result.find((l) => l[0] === '6400')).toEqual(['6400', 'D', '20.00', { PROJECTID: 'P-ENTRY', CLASSID: 'C-R1', LOCATION: '100' }]);
  });

  it('never posts a zero line and never two lines for an amount that nets within an entry', () => {
    const item = expenseItem({ total: 0, entries: [{ id: 'E1', allocations: [{ id: 'A1', fields: dept, journals: [{ gross: 15 }, { gross: -15 }] }] }] });
    const result = run(item);
    expect(result).toEqual({ ok: false, rejected: { reason: 'Document DOC1: every amount nets to zero, there is nothing to post.', difference: null } });
  });

  it('splits are used as Concur gives them: two allocations of 33.33% / 66.67% of 10.00', () => {
    const item = expenseItem({
      total: 10,
      entries: [
        {
          id: 'E1',
          allocations: [
            { id: 'A1', percentage: 33.33, fields: { allocationCustom4Code: '21-KING' }, journals: [{ gross: 3.33 }] },
            { id: 'A2', percentage: 66.67, fields: { allocationCustom4Code: '11-KING' }, journals: [{ gross: 6.67 }] },
          ],
        },
      ],
    });
    expect(lines(run(item)).map((l) => l.slice(0, 3))).toEqual([
      ['6400', 'D', '3.33'],
      ['2050', 'C', '10.00'],
      ['6400', 'D', '6.67'],
    ]);
  });
});

describe('rejections (never fixed silently)', () => {
  it('a journal line whose gross is not net + tax is rejected with the difference', () => {
    const item = expenseItem({
      entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 10, net: 8.4, taxes: [{ guid: 'T', tax: 1.5, reclaim: 1.5, label: 'DEVAT' }] }] }] }],
    });
    const result = run(item);
    expect(result).toEqual({
      ok: false,
      rejected: {
        reason:
          'Document DOC1 does not balance: debits fall short of credits by 0.10 USD. entry E1 / allocation A1 / journal 1: gross 10.00 is not net 8.40 + tax 1.50',
        difference: '-0.10',
      },
    });
  });

  it('a report whose lines do not add up to totalApprovedAmount is rejected', () => {
    const item = expenseItem({ total: 99.99, entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 100 }] }] }] });
    const result = run(item);
    expect(!result.ok && 'rejected' in result && result.rejected).toEqual({
      reason:
        "Document DOC1: the journal lines' expense and tax amounts add up to 100.00 USD but the report's totalApprovedAmount is 99.99 USD. Check the document in Concur.",
      difference: '0.01',
    });
  });

  it('a journal line between two non-company parties is rejected', () => {
    const item = expenseItem({ entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 5, payer: 'EMPL', payee: 'IBCP' }] }] }] });
    const result = run(item);
    expect(!result.ok && 'rejected' in result && result.rejected.reason).toContain('neither payer EMPL nor payee IBCP is exactly one side COMP');
  });
});
