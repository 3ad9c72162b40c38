/**
 * Codes are data, never object keys: account codes, employee ids, dimension codes, tax authority
 * labels and currencies named like Object.prototype members (`constructor`, `__proto__`, `toString`,
 * …) map when mapped and make a mapping gap naming the code when not, and nothing throws. Before
 * the mapping set held Maps, `accounts["constructor"]` found Object.prototype.constructor: the gap
 * carried a function as its code and the document could not be recorded at all.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { validateMappingSet } from '../../src/domain/mapping/index.js';
import { currencyExponent, formatMinor, parseMinor } from '../../src/domain/money/money.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { CODE_NAMES, pick, PROTOTYPE_NAMES } from '../support/code-names.js';
import { expenseItem } from './builders.js';
import { OPTIONS, referenceCheck } from './fixtures.js';
import { mulberry32 } from './random-documents.js';

describe('codes named like Object.prototype members (seeded random)', () => {
  it('map when mapped, are gaps naming the code when not, and never throw', () => {
    const rand = mulberry32(20261202);
    for (let i = 0; i < 400; i++) {
      const account = pick(rand, CODE_NAMES);
      const employee = pick(rand, CODE_NAMES);
      const department = pick(rand, CODE_NAMES);
      const taxLabel = pick(rand, CODE_NAMES);
      const currency = rand() < 0.3 ? pick(rand, PROTOTYPE_NAMES) : 'USD';
      // Intacct values may be such names too.
      const intacctAccount = pick(rand, CODE_NAMES);
      const intacctDepartment = pick(rand, CODE_NAMES);
      const intacctEmployee = pick(rand, CODE_NAMES);
      const mapped = { account: rand() < 0.5, department: rand() < 0.5, tax: rand() < 0.5, employee: rand() < 0.5 };
      const employeeValue = mapped.employee ? intacctEmployee : employee;
      const employeeExists = rand() < 0.7;
      // Built the way an import reads JSON: Object.fromEntries / JSON text keep `__proto__` an own key.
      const json = JSON.parse(
        JSON.stringify({
          journal: 'EXPJ',
          accounts: Object.fromEntries(mapped.account ? [[account, intacctAccount]] : []),
          counterparties: { EMPL: { account: '2050', employeeDimension: true } },
          taxAccounts: Object.fromEntries(mapped.tax ? [[taxLabel, { reclaim: '1410', nonDeductible: '6990' }]] : []),
          dimensions: [
            {
              source: 'allocationCustom4Code',
              target: 'DEPARTMENT',
              values: Object.fromEntries(mapped.department ? [[department, intacctDepartment]] : []),
              passThrough: false,
            },
          ],
          employees: Object.fromEntries(mapped.employee ? [[employee, intacctEmployee]] : []),
          // The target sections' codes too (unused while every target is GLBATCH): held as Map keys, never as object keys.
          expenseTypes: { [account]: intacctAccount },
          cardAccounts: { [department]: intacctDepartment },
          vendors: { [employee]: intacctEmployee },
        }),
      );
      const validated = validateMappingSet(json);
      if (!validated.ok) throw new Error(JSON.stringify(validated.issues));
      expect(
        [validated.value.expenseTypes.get(account), validated.value.cardAccounts.get(department), validated.value.vendors.get(employee)],
        `${account} ${department} ${employee}`,
      ).toEqual([intacctAccount, intacctDepartment, intacctEmployee]);
      const check = referenceCheck({
        GLACCOUNT: [intacctAccount, '2050', '1410', '6990'],
        DEPARTMENT: [intacctDepartment],
        EMPLOYEEID: employeeExists ? [employeeValue] : [],
      });
      const item = expenseItem({
        id: `DOC${i}`,
        currency,
        employeeId: employee,
        total: 12,
        entries: [
          {
            id: 'E1',
            allocations: [
              {
                id: 'A1',
                fields: { allocationCustom4Code: department },
                journals: [{ account, gross: 12, net: 10, payee: 'EMPL', taxes: [{ guid: 'T1', tax: 2, reclaim: 1, label: taxLabel }] }],
              },
            ],
          },
        ],
      });
      const what = `doc ${i}: ${JSON.stringify({ account, employee, department, taxLabel, currency, mapped, employeeExists })}`;
      const result = preparePosting(parseFisDocument(item), validated.value, check, OPTIONS);
      // Events are stored as JSON: a result that does not survive JSON unchanged cannot be recorded.
      expect(JSON.parse(JSON.stringify(result)), what).toEqual(result);

      const expectedGaps: [string, string][] = [];
      if (!mapped.account) expectedGaps.push(['account', account]);
      if (!mapped.department) expectedGaps.push(['dimension', department]);
      if (!employeeExists) expectedGaps.push(['employee', employeeValue]);
      if (!mapped.tax) expectedGaps.push(['tax-account', taxLabel]);
      if (expectedGaps.length > 0) {
        expect(!result.ok && 'gaps' in result, what).toBe(true);
        const gaps = !result.ok && 'gaps' in result ? result.gaps : [];
        for (const gap of gaps) expect(typeof gap.code, what).toBe('string');
        expect(gaps.map((g) => [g.kind, g.code]).sort(), what).toEqual(expectedGaps.sort());
        for (const gap of gaps) expect(gap.message, what).toContain(gap.code);
        continue;
      }
      expect(result.ok, what).toBe(true);
      if (!result.ok) continue;
      const e = result.entry;
      expect(e.currency).toBe(currency);
      expect(e.total).toBe('12.00');
      const expense = e.lines.find((l) => l.kind === 'expense')!;
      expect([expense.accountNo, expense.dimensions.DEPARTMENT], what).toEqual([intacctAccount, intacctDepartment]);
      const payable = e.lines.find((l) => l.kind === 'counterparty')!;
      expect([payable.accountNo, payable.dimensions.EMPLOYEEID], what).toEqual(['2050', employeeValue]);
      expect(e.lines.find((l) => l.kind === 'tax-reclaim')!.accountNo).toBe('1410');
    }
  });

  it('a currency code is looked up, never found on Object.prototype: such codes use 2 decimals', () => {
    for (const code of PROTOTYPE_NAMES) {
      expect([code, currencyExponent(code)]).toEqual([code, 2]);
      expect(formatMinor(1234, code)).toBe('12.34');
      expect(parseMinor('12.34', code)).toBe(1234);
    }
    expect(currencyExponent('JPY')).toBe(0);
  });

  it('a document type named like a prototype member is refused as unsupported', () => {
    for (const docType of ['constructor', '__proto__']) {
      const item = { ...expenseItem({ entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 1 }] }] }] }), docType };
      expect(() => parseFisDocument(item)).toThrow(`"${docType}" is not a supported type`);
    }
  });
});
