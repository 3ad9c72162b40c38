import { describe, expect, it } from 'vitest';
import { csvCell, parseCsv, toCsv } from '../../src/csv/csv.js';
import { formatMoney, fromUnits, prettyXml, toUnits } from './format.js';
import { planFix } from './gap-fix.js';
import { TARGET_CHOICES as DOMAIN_TARGET_CHOICES } from '../../src/domain/mapping/model.js';
import { entriesOf, historyDiffs, parseImport, TARGET_CHOICES, targetsOf, toDiffItems } from './mapping-import.js';

describe('CSV (shared by the console export and the audit report)', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(null)).toBe('');
    expect(
      toCsv([
        ['a', 1],
        ['b', null],
      ]),
    ).toBe('a,1\r\nb,\r\n');
  });

  it('neutralises cells a spreadsheet would run as a formula, but keeps numbers', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(evil).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });

  it('reads back what it writes', () => {
    const rows = [
      ['id', 'name'],
      ['1', 'Smith, "Chris"'],
      ['2', 'multi\nline'],
      ['3', ''],
    ];
    expect(parseCsv(`\ufeff${toCsv(rows)}`)).toEqual(rows);
  });
});

describe('formatting', () => {
  it('formats amounts in the currency, JPY without decimals, and sums exactly', () => {
    expect(formatMoney('1234.5', 'USD')).toMatch(/1,234\.50/);
    expect(formatMoney('1234', 'JPY')).toMatch(/^¥1,234$/);
    expect(formatMoney('12345678901234.56', 'EUR')).toContain('12,345,678,901,234.56');
    expect(formatMoney(null, 'USD')).toBe('—');
    expect(fromUnits(toUnits('0.10', 2) + toUnits('0.20', 2), 2)).toBe('0.30');
    expect(fromUnits(toUnits('-5', 2), 2)).toBe('-5.00');
  });

  it('indents XML for reading', () => {
    expect(prettyXml('<a><b>1</b><c/></a>')).toBe('<a>\n  <b>1</b>\n  <c/>\n</a>');
  });
});

const SET = {
  journal: 'EXPJ',
  accounts: { '474100': '6000.10', '474210': '6500' },
  counterparties: { EMPL: { account: '2100', employeeDimension: true } },
  taxAccounts: {},
  cashAdvanceAccount: '1450',
  dimensions: [{ source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '21-BELLEV1': 'D100', '11-KING': 'D900' }, passThrough: false }],
  employees: {},
  defaults: { LOCATION: '100' },
  options: { mergeLines: true },
};

describe('mapping import preview', () => {
  it("renders the service's diff entries per section and key", () => {
    expect(
      toDiffItems([
        { change: 'CHANGED', section: 'journal', key: null, oldValue: 'EXPJ', newValue: 'GJ' },
        { change: 'REMOVED', section: 'accounts', key: '474210', oldValue: '6500', newValue: null },
        { change: 'ADDED', section: 'accounts', key: '479100', oldValue: null, newValue: '6800' },
      ]),
    ).toEqual([
      { section: 'journal', key: null, change: 'changed', before: 'EXPJ', after: 'GJ' },
      { section: 'accounts', key: '474210', change: 'removed', before: '6500' },
      { section: 'accounts', key: '479100', change: 'added', after: '6800' },
    ]);
  });

  it('refuses what is not a mapping set before asking the service', () => {
    expect(parseImport('{')).toMatchObject({ ok: false });
    expect(parseImport('[]')).toMatchObject({ ok: false });
    expect(parseImport('{"acounts": {}}')).toMatchObject({ ok: false, error: expect.stringContaining('acounts') });
  });

  it('knows the target sections: targets with the choices of the domain, and the code sections', () => {
    expect(TARGET_CHOICES).toEqual([...DOMAIN_TARGET_CHOICES]);
    const text = '{"targets": {"invoice": "APBILL"}, "expenseTypes": {"AIRFR": "Airfare"}, "cardAccounts": {}, "vendors": {"__proto__": "V1"}}';
    const parsed = parseImport(text);
    expect(parsed.ok).toBe(true);
    const doc = parsed.ok ? parsed.doc : {};
    expect(targetsOf(doc).map((t) => [t.key, t.value])).toEqual([
      ['expense.outOfPocket', 'GLBATCH'],
      ['expense.companyCard', 'GLBATCH'],
      ['expense.companyPaid', 'GLBATCH'],
      ['invoice', 'APBILL'],
      ['paymentRequest', 'GLBATCH'],
      ['cashAdvance', 'GLBATCH'],
    ]);
    expect(entriesOf(doc, 'targets')).toMatchObject({ invoice: 'APBILL', 'expense.outOfPocket': 'GLBATCH' });
    expect(Object.entries(entriesOf(doc, 'vendors'))).toEqual([['__proto__', 'V1']]);
  });

  it("gives each history revision the service's diff", () => {
    const diffs = historyDiffs([
      {
        revision: 1,
        type: 'MappingChanged',
        section: 'accounts',
        key: '479100',
        value: '"6800"',
        reason: 'r',
        actor: 'a',
        occurredAt: '',
        diff: [{ change: 'ADDED', section: 'accounts', key: '479100', oldValue: null, newValue: '6800' }],
      },
      {
        revision: 2,
        type: 'MappingChanged',
        section: 'accounts',
        key: '479100',
        value: 'null',
        reason: 'r',
        actor: 'a',
        occurredAt: '',
        diff: [{ change: 'REMOVED', section: 'accounts', key: '479100', oldValue: '6800', newValue: null }],
      },
    ]);
    expect(diffs.get(1)).toEqual([{ section: 'accounts', key: '479100', change: 'added', after: '6800' }]);
    expect(diffs.get(2)).toEqual([{ section: 'accounts', key: '479100', change: 'removed', before: '6800' }]);
  });
});

describe('mapping gap fixes', () => {
  it('maps an account code, a payment type, an employee', () => {
    const account = planFix({ kind: 'account', code: '479100', field: 'accounts', message: '' }, SET, null);
    expect(account).toMatchObject({ section: 'accounts', key: '479100', inputs: [{ kind: 'GLACCOUNT' }] });
    expect(typeof account !== 'string' && account.value({ value: '6800' })).toBe('6800');
    const party = planFix({ kind: 'counterparty', code: 'IBIP', field: 'counterparties', message: '' }, SET, null);
    expect(typeof party !== 'string' && party.value({ value: '2100' })).toEqual({ account: '2100', employeeDimension: true });
    const employee = planFix({ kind: 'employee', code: 'E9', field: 'employees', message: '' }, SET, 'C-77');
    expect(employee).toMatchObject({ section: 'employees', key: 'C-77', inputs: [{ kind: 'EMPLOYEE' }] });
  });

  it('adds a code to a dimension rule, or replaces an inactive value in it, keeping the rest of the rule', () => {
    const add = planFix({ kind: 'dimension', code: '21-SEATTLE', field: 'dimensions[allocationCustom4Code->DEPARTMENT]', message: '' }, SET, null);
    expect(typeof add !== 'string' && add.inputs[0]!.kind).toBe('DEPARTMENT');
    expect(typeof add !== 'string' && add.value({ value: 'D200' })).toEqual({
      ...SET.dimensions[0],
      values: { '21-BELLEV1': 'D100', '11-KING': 'D900', '21-SEATTLE': 'D200' },
    });
    const inactive = planFix({ kind: 'unknown-value', code: 'D900', field: 'dimensions[allocationCustom4Code->DEPARTMENT]', message: '' }, SET, null);
    expect(typeof inactive !== 'string' && inactive.value({ value: 'D300' })).toEqual({
      ...SET.dimensions[0],
      values: { '21-BELLEV1': 'D100', '11-KING': 'D300' },
    });
    expect(typeof planFix({ kind: 'unknown-value', code: 'X', field: 'somewhere.else', message: '' }, SET, null)).toBe('string');
  });
  it('maps a card program to a credit-card account typed as free text (no reference list)', () => {
    const card = planFix({ kind: 'card-account', code: 'AX', field: 'cardAccounts', message: '' }, SET, null);
    expect(card).toMatchObject({ section: 'cardAccounts', key: 'AX', inputs: [{ name: 'value', kind: null }] });
    expect(typeof card !== 'string' && card.value({ value: 'AMEX-CORP' })).toBe('AMEX-CORP');
    expect(typeof card !== 'string' && card.summary).toContain('AX');
    expect(typeof planFix({ kind: 'card-account', code: '', field: 'cardAccounts', message: '' }, SET, null)).toBe('string');
    const other = planFix({ kind: 'unknown-value', code: 'OLD-CARD', field: 'cardAccounts.AX', message: '' }, SET, null);
    expect(other).toMatchObject({ section: 'cardAccounts', key: 'AX', inputs: [{ kind: null }] });
  });

  it('maps a Concur employee or vendor code to an Intacct vendor chosen from the VENDOR reference list', () => {
    const employee = planFix({ kind: 'vendor', code: 'dana@example.com', field: 'vendors', message: '' }, SET, 'C-77');
    expect(employee).toMatchObject({ section: 'vendors', key: 'dana@example.com', inputs: [{ name: 'value', kind: 'VENDOR' }] });
    expect(typeof employee !== 'string' && employee.value({ value: 'V-DANA' })).toBe('V-DANA');
    const invoiceVendor = planFix({ kind: 'vendor', code: 'V100', field: 'invoice.vendorCode', message: '' }, SET, null);
    expect(invoiceVendor).toMatchObject({ section: 'vendors', key: 'V100', inputs: [{ kind: 'VENDOR' }] });
    expect(typeof planFix({ kind: 'vendor', code: '', field: 'vendors', message: '' }, SET, null)).toBe('string');
    // A mapped vendor that Intacct does not have: the same key, another vendor.
    const mapped = planFix({ kind: 'vendor', code: 'V-GONE', field: 'vendors.E100', message: '' }, SET, null);
    expect(mapped).toMatchObject({ section: 'vendors', key: 'E100', inputs: [{ kind: 'VENDOR' }] });
    // A payment type's vendor: the counterparty keeps its account and flags.
    const party = planFix({ kind: 'vendor', code: 'V-GONE', field: 'counterparties.EMPL.vendorId', message: '' }, SET, null);
    expect(typeof party !== 'string' && party.value({ value: 'V200' })).toEqual({ account: '2100', employeeDimension: true, vendorId: 'V200' });
  });
});
