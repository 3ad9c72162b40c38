import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { expenseItem } from './builders.js';
import { DEMO_REFERENCE, demoCheck, demoMappings, fisItem, OPTIONS, referenceCheck } from './fixtures.js';

describe('mapping gaps are listed exactly', () => {
  it('lists every unresolved code once, with the mapping field and every affected line', () => {
    const mappings = demoMappings({
      accounts: { '474230': '6400' },
      counterparties: { EMPL: { account: '2050', employeeDimension: true } },
      taxAccounts: {},
      cashAdvanceAccount: null,
    });
    const item = expenseItem({
      total: 52,
      employeeId: 'NEWGUY',
      entries: [
        { id: 'E1', allocations: [{ id: 'A1', fields: { allocationCustom4Code: 'XX-UNKNOWN' }, journals: [{ gross: 10, account: '999' }] }] },
        { id: 'E2', allocations: [{ id: 'A2', fields: { allocationCustom4Code: 'XX-UNKNOWN' }, journals: [{ gross: 20, account: '999' }] }] },
        {
          id: 'E3',
          allocations: [
            {
              id: 'A3',
              fields: { allocationCustom4Code: '21-KING' },
              journals: [{ gross: 12, net: 10, payee: 'CBCP', taxes: [{ guid: 'T1', tax: 2, reclaim: 2, label: 'GBVAT' }] }],
            },
          ],
        },
        { id: 'E4', allocations: [{ id: 'A4', fields: { allocationCustom4Code: '11-KING' }, journals: [{ gross: 10 }] }] },
      ],
      cashAdvances: [{ id: 'CA9', amount: -5 }],
    });
    const check = referenceCheck({ ...DEMO_REFERENCE, EMPLOYEEID: [], DEPARTMENT: ['D210'] }, { DEPARTMENT: ['D110'] });
    const result = preparePosting(parseFisDocument(item), mappings, check, OPTIONS);
    expect(result.ok).toBe(false);
    const gaps = !result.ok && 'gaps' in result ? result.gaps : [];
    expect(gaps.map(({ kind, code, field, lines }) => ({ kind, code, field, lines }))).toEqual([
      { kind: 'account', code: '999', field: 'accounts', lines: ['entry E1 / allocation A1 / journal 1', 'entry E2 / allocation A2 / journal 1'] },
      {
        kind: 'dimension',
        code: 'XX-UNKNOWN',
        field: 'dimensions[allocationCustom4Code->DEPARTMENT]',
        lines: ['entry E1 / allocation A1 / journal 1', 'entry E2 / allocation A2 / journal 1'],
      },
      {
        kind: 'employee',
        code: 'NEWGUY',
        field: 'employees',
        lines: [
          'entry E1 / allocation A1 / journal 1',
          'entry E2 / allocation A2 / journal 1',
          'entry E4 / allocation A4 / journal 1',
          'cashAdvanceApplication CA9',
        ],
      },
      { kind: 'tax-account', code: 'GBVAT', field: 'taxAccounts', lines: ['entry E3 / allocation A3 / journal 1 / tax T1'] },
      { kind: 'counterparty', code: 'CBCP', field: 'counterparties', lines: ['entry E3 / allocation A3 / journal 1'] },
      { kind: 'unknown-value', code: 'D110', field: 'dimensions[allocationCustom4Code->DEPARTMENT]', lines: ['entry E4 / allocation A4 / journal 1'] },
      { kind: 'cash-advance-account', code: 'CA9', field: 'cashAdvanceAccount', lines: ['cashAdvanceApplication CA9'] },
    ]);
    expect(gaps.find((g) => g.code === 'D110')!.message).toContain('is inactive in Intacct');
    expect(gaps.find((g) => g.kind === 'employee')!.message).toContain('does not exist in Intacct');
  });

  it('a mapped account that Intacct does not have is an unknown-value gap on accounts.<code>', () => {
    const check = referenceCheck({ ...DEMO_REFERENCE, GLACCOUNT: DEMO_REFERENCE.GLACCOUNT.filter((a) => a !== '6430') });
    const result = preparePosting(parseFisDocument(fisItem('2.1')), demoMappings(), check, OPTIONS);
    expect(!result.ok && 'gaps' in result && result.gaps.map((g) => [g.kind, g.code, g.field, g.lines.length])).toEqual([
      ['unknown-value', '6430', 'accounts.37', 1],
    ]);
  });

  it('card vendor and default location are checked against the cache too', () => {
    const check = referenceCheck({ ...DEMO_REFERENCE, VENDORID: [], LOCATION: [] });
    const result = preparePosting(parseFisDocument(fisItem('6.1.2')), demoMappings(), check, OPTIONS);
    expect(!result.ok && 'gaps' in result && result.gaps.map((g) => [g.kind, g.code, g.field, g.lines.length])).toEqual([
      ['unknown-value', '100', 'defaults.LOCATION', 2], // both journal lines (each feeds an expense and a counterparty line)
      ['vendor', 'AMEX', 'counterparties.IBCP.vendorId', 1],
    ]);
  });

  it('an expense line without journalAccountCode falls back to the expenseTypeCode key', () => {
    const item = expenseItem({ total: 7, entries: [{ id: 'E1', type: 'TAXIX', allocations: [{ id: 'A1', journals: [{ gross: 7, account: null }] }] }] });
    const result = preparePosting(parseFisDocument(item), demoMappings(), demoCheck, OPTIONS);
    expect(result.ok && result.entry.lines[0]!.accountNo).toBe('6499');
    const unmapped = preparePosting(
      parseFisDocument(
        expenseItem({ total: 7, entries: [{ id: 'E1', type: 'PARKING', allocations: [{ id: 'A1', journals: [{ gross: 7, account: null }] }] }] }),
      ),
      demoMappings(),
      demoCheck,
      OPTIONS,
    );
    expect(!unmapped.ok && 'gaps' in unmapped && unmapped.gaps[0]).toMatchObject({ kind: 'account', code: 'PARKING', field: 'accounts (by expenseTypeCode)' });
  });
});
