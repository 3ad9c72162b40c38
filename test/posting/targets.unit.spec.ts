/**
 * The mapping set's `targets` (README, Posting targets): one document becomes one record per Intacct
 * object it is chosen for, each balanced on its own, with its own key and party.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { journalProblem } from '../../src/domain/journal/balance.js';
import type { JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { DEFAULT_TARGETS, type MappingSet, type PostingTargets } from '../../src/domain/mapping/model.js';
import { preparePosting, type PostingResult } from '../../src/domain/posting/index.js';
import { expenseItem } from './builders.js';
import { DEMO_REFERENCE, demoMappings, OPTIONS, referenceCheck } from './fixtures.js';

const check = referenceCheck({ ...DEMO_REFERENCE, VENDORID: [...DEMO_REFERENCE.VENDORID, 'V-EMP-1017001'] });

function withTargets(
  expense: Partial<PostingTargets['expense']>,
  rest: Partial<Omit<PostingTargets, 'expense'>> = {},
  extra: Partial<MappingSet> = {},
): MappingSet {
  const base = demoMappings();
  return {
    ...base,
    targets: { ...DEFAULT_TARGETS, ...rest, expense: { ...DEFAULT_TARGETS.expense, ...expense } },
    cardAccounts: new Map([
      ['CBCP', 'CC-AMEX'],
      ['VISA1', 'CC-VISA'],
    ]),
    ...extra,
  };
}

const records = (r: PostingResult): JournalEntry[] => {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.records;
};

/** Lines of a record as [account, D/C, amount, offset?]. */
const shape = (e: JournalEntry) => e.lines.map((l) => [l.accountNo || l.expenseType || '(payable)', l.trType === 1 ? 'D' : 'C', l.amount, l.offset === true]);

/** Two out-of-pocket meals, two charges on the AMEX card program and one on a VISA program. */
const mixedReport = expenseItem({
  total: 245,
  entries: [
    { id: 'E1', type: 'MEALS', allocations: [{ id: 'A1', journals: [{ gross: 30 }] }] },
    { id: 'E2', type: 'TAXI', allocations: [{ id: 'A2', journals: [{ gross: 15, account: '474210' }] }] },
    { id: 'E3', vendor: 'Hotel Adlon', allocations: [{ id: 'A3', journals: [{ gross: 100, payee: 'CBCP' }] }] },
    { id: 'E4', vendor: 'Lufthansa', allocations: [{ id: 'A4', journals: [{ gross: 60, payee: 'CBCP', account: '474210' }] }] },
    { id: 'E5', vendor: 'Sixt', fields: { cardProgramTypeCode: 'VISA1' }, allocations: [{ id: 'A5', journals: [{ gross: 40, payee: 'IBCP' }] }] },
  ],
});

describe('posting targets', () => {
  it('default: the whole report is one GLBATCH under the plain posting key, as before targets existed', () => {
    const [only, ...rest] = records(preparePosting(parseFisDocument(mixedReport), demoMappings(), check, OPTIONS));
    expect(rest).toEqual([]);
    expect(only!.postingKey).toBe('ML-EXP-DOC1-2');
    expect(only!.target).toBeUndefined();
    expect(only!.lines.some((l) => l.offset)).toBe(false);
  });

  it('an expense report with card and out-of-pocket lines: one EEXPENSES for the employee, one CCTRANSACTION per card account', () => {
    const list = records(
      preparePosting(parseFisDocument(mixedReport), withTargets({ outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION' }), check, OPTIONS),
    );
    expect(list.map((r) => [r.target, r.postingKey, r.party])).toEqual([
      ['EEXPENSES', 'ML-EXP-DOC1-2-EE', { employeeId: '1017001' }],
      ['CCTRANSACTION', 'ML-EXP-DOC1-2-CC1', { cardAccount: 'CC-AMEX', payee: '' }],
      ['CCTRANSACTION', 'ML-EXP-DOC1-2-CC2', { cardAccount: 'CC-VISA', payee: 'Sixt' }],
    ]);
    for (const r of list) expect(journalProblem(r)).toBeNull();
    expect(shape(list[0]!)).toEqual([
      ['6400', 'D', '30.00', false],
      ['(payable)', 'C', '45.00', true],
      ['6410', 'D', '15.00', false],
    ]);
    expect(shape(list[1]!)).toEqual([
      ['6400', 'D', '100.00', false],
      ['(payable)', 'C', '160.00', true],
      ['6410', 'D', '60.00', false],
    ]);
    expect(shape(list[2]!)).toEqual([
      ['6400', 'D', '40.00', false],
      ['(payable)', 'C', '40.00', true],
    ]);
    // Every cost line is in exactly one record: nothing lost, nothing twice.
    const cost = list.flatMap((r) => r.lines.filter((l) => !l.offset)).reduce((s, l) => s + Number(l.amount) * l.trType, 0);
    expect(cost).toBe(245);
  });

  it('mixes: out-of-pocket stays a journal while cards become card transactions', () => {
    const list = records(preparePosting(parseFisDocument(mixedReport), withTargets({ companyCard: 'CCTRANSACTION' }), check, OPTIONS));
    expect(list.map((r) => [r.target ?? 'GLBATCH', r.postingKey])).toEqual([
      ['GLBATCH', 'ML-EXP-DOC1-2'],
      ['CCTRANSACTION', 'ML-EXP-DOC1-2-CC1'],
      ['CCTRANSACTION', 'ML-EXP-DOC1-2-CC2'],
    ]);
    // The journal keeps its own credit to the employee account, with the employee on it.
    expect(list[0]!.lines.find((l) => l.trType === -1)).toMatchObject({ accountNo: '2050', amount: '45.00', dimensions: { EMPLOYEEID: '1017001' } });
  });

  it('EEXPENSES lines name the Intacct expense type when one is mapped, else the GL account', () => {
    const mappings = withTargets({ outOfPocket: 'EEXPENSES' }, {}, { expenseTypes: new Map([['MEALS', 'Meals & Entertainment']]) });
    const [ee] = records(preparePosting(parseFisDocument(mixedReport), mappings, check, OPTIONS)).filter((r) => r.target === 'EEXPENSES');
    expect(ee!.lines.filter((l) => !l.offset).map((l) => [l.expenseType ?? null, l.accountNo])).toEqual([
      ['Meals & Entertainment', ''],
      [null, '6410'],
    ]);
  });

  it('a card program without an Intacct card account is a gap naming cardAccounts, not a wrong account', () => {
    const mappings = withTargets({ companyCard: 'CCTRANSACTION' }, {}, { cardAccounts: new Map([['CBCP', 'CC-AMEX']]) });
    const result = preparePosting(parseFisDocument(mixedReport), mappings, check, OPTIONS);
    expect(result.ok).toBe(false);
    expect(!result.ok && 'gaps' in result && result.gaps).toEqual([expect.objectContaining({ kind: 'card-account', code: 'VISA1', field: 'cardAccounts' })]);
  });

  it('out of pocket as an AP bill to the employee needs the employee vendor in vendors', () => {
    const gap = preparePosting(parseFisDocument(mixedReport), withTargets({ outOfPocket: 'APBILL' }), check, OPTIONS);
    expect(!gap.ok && 'gaps' in gap && gap.gaps).toEqual([expect.objectContaining({ kind: 'vendor', code: '1017001', field: 'vendors' })]);
    const mappings = withTargets({ outOfPocket: 'APBILL' }, {}, { vendors: new Map([['1017001', 'V-EMP-1017001']]) });
    const [, bill] = records(preparePosting(parseFisDocument(mixedReport), mappings, check, OPTIONS));
    expect(bill).toMatchObject({ target: 'APBILL', postingKey: 'ML-EXP-DOC1-2-AP', party: { vendorId: 'V-EMP-1017001' }, billNumber: 'R1', dueDate: null });
  });

  it('an employee expense report that would be negative is refused with the reason and the way out', () => {
    const item = expenseItem({
      total: 20,
      entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 20, payee: 'CBCP' }] }] }],
      cashAdvances: [{ id: 'CA1', amount: -50 }],
    });
    const result = preparePosting(parseFisDocument(item), withTargets({ outOfPocket: 'EEXPENSES' }), check, OPTIONS);
    expect(result.ok).toBe(false);
    expect(!result.ok && 'rejected' in result && result.rejected.reason).toMatch(/employee owes the company.*targets\.expense\.outOfPocket/);
  });

  it('an invoice as an APBILL: vendor, bill number, due date, the AP credit as the offset', () => {
    const item = {
      id: 'INV-1',
      docType: 'invoice',
      document: {
        invoice: {
          requestId: 'PR77',
          invoiceNumber: 'F-2026-001',
          name: 'Office supplies',
          vendorCode: 'V100',
          vendorName: 'Paper & Co',
          currencyCode: 'USD',
          totalAmount: 100,
          invoiceDate: '2026-06-10',
          paymentDate: '2026-07-10T00:00:00Z',
        },
        lineItems: [
          { lineItemId: 'L1', description: 'Paper', journalAccountCode: '474230', amount: 60 },
          { lineItemId: 'L2', description: 'Toner', journalAccountCode: '474210', amount: 40 },
        ],
      },
    };
    const [bill, ...rest] = records(preparePosting(parseFisDocument(item), withTargets({}, { invoice: 'APBILL' }), check, OPTIONS));
    expect(rest).toEqual([]);
    expect(bill).toMatchObject({
      target: 'APBILL',
      postingKey: 'ML-INV-INV-1-1-AP',
      party: { vendorId: 'V100' },
      billNumber: 'F-2026-001',
      dueDate: '2026-07-10',
    });
    expect(shape(bill!)).toEqual([
      ['6400', 'D', '60.00', false],
      ['6410', 'D', '40.00', false],
      ['(payable)', 'C', '100.00', true],
    ]);
    // The same invoice with a vendors entry posts to the mapped Intacct vendor.
    const mapped = withTargets({}, { invoice: 'APBILL' }, { vendors: new Map([['V100', 'AMEX']]) });
    expect(records(preparePosting(parseFisDocument(item), mapped, check, OPTIONS))[0]!.party).toEqual({ vendorId: 'AMEX' });
  });
});
