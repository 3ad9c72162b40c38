import { describe, expect, it } from 'vitest';
import { seedDemoCompany } from '../../adapters/intacct/simulator/company.js';
import { validateGlBatch } from '../../adapters/intacct/simulator/glbatch-rules.js';
import { parseFisDocument } from '../../domain/fis/index.js';
import type { JournalEntry } from '../../domain/journal/journal-entry.js';
import { exportMappingsJson, parseMappingsJson, type MappingSet } from '../../domain/mapping/index.js';
import { parseMinor } from '../../domain/money/index.js';
import { preparePosting } from '../../domain/posting/index.js';
import type { ReferenceKind } from '../../domain/reference/index.js';
import {
  demoClosedPeriod,
  demoDocuments,
  demoExpectations,
  demoMappingsJson,
  demoReferenceData,
  demoDimensionCheck,
  DEMO_UNMAPPED_ACCOUNT_CODE,
  DEMO_UNMAPPED_ACCOUNT_FIX,
  seedSandboxIntacctCompany,
} from './index.js';

const NOW = new Date('2026-11-28T15:00:00Z');
const NEW_YEAR = new Date('2027-01-01T00:30:00Z'); // month and year boundary: "last month" is December

function mappings(): MappingSet {
  const parsed = parseMappingsJson(demoMappingsJson());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

const check = demoDimensionCheck(demoReferenceData());
const prepare = (item: unknown, set = mappings()) => preparePosting(parseFisDocument(item), set, check, { today: '2026-11-28' });

/** Sum of one side of an entry in minor units (exact integers, as the rules promise). */
const side = (entry: JournalEntry, trType: 1 | -1): number =>
  entry.lines.filter((l) => l.trType === trType).reduce((s, l) => s + parseMinor(l.amount, entry.currency), 0);

/** The GLBATCH rows the Intacct simulator would receive (its own rules then judge them). */
function glbatchRows(entry: JournalEntry): { header: Record<string, string>; rows: Record<string, string>[] } {
  const [y, m, d] = entry.batchDate.split('-');
  return {
    header: { JOURNAL: entry.journal, BATCH_DATE: `${m}/${d}/${y}`, BATCH_TITLE: entry.batchTitle },
    rows: entry.lines.map((l) => ({ ACCOUNTNO: l.accountNo, TR_TYPE: String(l.trType), TRX_AMOUNT: l.amount, ...(l.dimensions as Record<string, string>) })),
  };
}

describe('sandbox demo mappings', () => {
  it('validate with the mapping module and survive an export/import round trip', () => {
    const set = mappings();
    expect(set.journal).toBe('EXPJ');
    expect([...set.counterparties.keys()].sort()).toEqual(['CBCP', 'COPD', 'EMPL', 'IBCP', 'IBIP', 'VENDOR']);
    const again = parseMappingsJson(exportMappingsJson(set));
    expect(again.ok && again.value).toEqual(set);
  });

  it('point only at Intacct values that exist and are active in the demo reference data', () => {
    const set = mappings();
    const used: [ReferenceKind, string, string][] = [];
    for (const [code, account] of set.accounts) used.push(['GLACCOUNT', account, `accounts.${code}`]);
    for (const [party, cp] of set.counterparties) {
      used.push(['GLACCOUNT', cp.account, `counterparties.${party}`]);
      if (cp.vendorId) used.push(['VENDOR', cp.vendorId, `counterparties.${party}.vendorId`]);
    }
    for (const [label, t] of set.taxAccounts)
      used.push(['GLACCOUNT', t.reclaim, `taxAccounts.${label}`], ['GLACCOUNT', t.nonDeductible, `taxAccounts.${label}`]);
    used.push(['GLACCOUNT', set.cashAdvanceAccount!, 'cashAdvanceAccount'], ['GLACCOUNT', DEMO_UNMAPPED_ACCOUNT_FIX, 'the documented fix']);
    const kindOf = { DEPARTMENT: 'DEPARTMENT', PROJECTID: 'PROJECT', CUSTOMERID: 'CUSTOMER', CLASSID: 'CLASS', LOCATION: 'LOCATION' } as const;
    for (const rule of set.dimensions) for (const value of rule.values.values()) used.push([kindOf[rule.target as keyof typeof kindOf], value, rule.source]);
    for (const value of set.employees.values()) used.push(['EMPLOYEE', value, 'employees']);
    for (const [target, value] of set.defaults) used.push([kindOf[target as keyof typeof kindOf], value, `defaults.${target}`]);
    const active = new Set(demoReferenceData().flatMap((s) => s.records.filter((r) => r.status === 'active').map((r) => `${s.kind}:${r.id}`)));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter(([kind, id]) => !active.has(`${kind}:${id}`))).toEqual([]);
    expect(set.accounts.get(DEMO_UNMAPPED_ACCOUNT_CODE)).toBeUndefined();
  });
});

describe('sandbox demo reference data', () => {
  it('has one complete list per kind, with an inactive department the cache reports as such', () => {
    const data = demoReferenceData();
    expect(data.map((s) => s.kind).sort()).toEqual(['CLASS', 'CUSTOMER', 'DEPARTMENT', 'EMPLOYEE', 'GLACCOUNT', 'LOCATION', 'PROJECT', 'VENDOR']);
    expect(data.find((s) => s.kind === 'DEPARTMENT')!.records.some((r) => r.status === 'inactive')).toBe(true);
    expect(check('DEPARTMENT', 'D900')).toBe('inactive');
    expect(check('DEPARTMENT', 'D100')).toBe('ok');
    expect(check('GLACCOUNT', '6800')).toBe('ok');
    expect(check('VENDORID', 'NOPE')).toBe('missing');
  });

  it('is exactly what the simulated Intacct company holds once seeded, and last month is closed', () => {
    const company = seedDemoCompany();
    seedSandboxIntacctCompany(company, NOW);
    seedSandboxIntacctCompany(company, NOW); // idempotent: a restart seeds again
    const ID = {
      GLACCOUNT: 'ACCOUNTNO',
      DEPARTMENT: 'DEPARTMENTID',
      LOCATION: 'LOCATIONID',
      PROJECT: 'PROJECTID',
      CUSTOMER: 'CUSTOMERID',
      CLASS: 'CLASSID',
      EMPLOYEE: 'EMPLOYEEID',
      VENDOR: 'VENDORID',
    };
    for (const set of demoReferenceData()) {
      const held = [...company.objects.get(set.kind)!.values()].map((row) => `${row[ID[set.kind]]}:${row['STATUS']}`).sort();
      expect(held, set.kind).toEqual(set.records.map((r) => `${r.id}:${r.status}`).sort());
    }
    const contacts = company.objects.get('CONTACT')!;
    for (const employee of company.objects.get('EMPLOYEE')!.values()) expect(contacts.has(employee['PERSONALINFO.CONTACTNAME']!)).toBe(true);
    expect(company.closedPeriods.has('2026-10')).toBe(true);
    expect(company.closedPeriods.has('2026-11')).toBe(false);
    expect(demoClosedPeriod(NEW_YEAR)).toBe('2026-12');
  });
});

describe('sandbox demo documents', () => {
  it('are real FIS items with fixed 32-hex ids, one expectation each', () => {
    const items = demoDocuments(NOW);
    expect(items.length).toBe(12);
    expect(items.filter((i) => i.docType === 'invoice').length).toBe(2);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['companyId', 'companyUuid', 'docStatus', 'docType', 'document', 'entityId', 'erpSystemId', 'id']);
      expect(item.id).toMatch(/^[0-9a-f]{32}$/);
      expect(demoExpectations[item.id], item.id).toBeDefined();
      expect(() => parseFisDocument(structuredClone(item))).not.toThrow();
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(demoDocuments(NEW_YEAR).map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect(Object.keys(demoExpectations).length).toBe(items.length);
  });

  for (const now of [NOW, NEW_YEAR]) {
    it(`become the expected entries or gap (now = ${now.toISOString()})`, () => {
      const month = now.toISOString().slice(0, 7);
      const company = seedDemoCompany();
      seedSandboxIntacctCompany(company, now);
      const outcomes: Record<string, number> = {};
      for (const item of demoDocuments(now)) {
        const expected = demoExpectations[item.id]!;
        outcomes[expected.outcome] = (outcomes[expected.outcome] ?? 0) + 1;
        const result = prepare(item);
        if (expected.outcome === 'awaiting-mapping') {
          expect('gaps' in result && result.gaps.map((g) => ({ kind: g.kind, code: g.code, field: g.field })), expected.case).toEqual([expected.gap]);
          const gap = 'gaps' in result ? result.gaps[0]! : null;
          expect(gap!.lines).toHaveLength(1);
          expect(gap!.lines[0]).toMatch(/^entry [0-9A-F]{32} \/ allocation [0-9A-F]{32} \/ journal 1$/);
          continue;
        }
        if (!('entry' in result)) throw new Error(`case ${expected.case}: ${JSON.stringify(result)}`);
        const entry = result.entry;
        expect(entry.currency, expected.case).toBe(expected.currency);
        expect(entry.total, expected.case).toBe(expected.total);
        expect(side(entry, 1), expected.case).toBe(side(entry, -1));
        expect(side(entry, 1), expected.case).toBe(parseMinor(expected.total, entry.currency));
        const { header, rows } = glbatchRows(entry);
        const errors = validateGlBatch(company, header, rows).map((e) => e.description2);
        if (expected.outcome === 'posted') {
          expect(entry.batchDate.slice(0, 7), expected.case).toBe(month);
          expect(errors, expected.case).toEqual([]);
        } else {
          expect(entry.batchDate.slice(0, 7), expected.case).toBe(demoClosedPeriod(now));
          expect(errors.join(' '), expected.case).toMatch(/period for .* is closed/);
        }
      }
      expect(outcomes).toEqual({ posted: 10, 'awaiting-mapping': 1, 'rejected-closed-period': 1 });
    });
  }

  it('post the unmapped report once its account is mapped (the README fix)', () => {
    const set = { ...mappings(), accounts: new Map([...mappings().accounts, [DEMO_UNMAPPED_ACCOUNT_CODE, DEMO_UNMAPPED_ACCOUNT_FIX]]) };
    const [id, expected] = Object.entries(demoExpectations).find(([, e]) => e.outcome === 'awaiting-mapping')!;
    const result = prepare(
      demoDocuments(NOW).find((i) => i.id === id),
      set,
    );
    expect('entry' in result && result.entry.total).toBe(expected.total);
    expect('entry' in result && result.entry.lines.some((l) => l.accountNo === DEMO_UNMAPPED_ACCOUNT_FIX && l.dimensions.DEPARTMENT === 'D200')).toBe(true);
  });

  it('show each rule on the lines it produces', () => {
    const byCase = new Map(demoDocuments(NOW).map((i) => [demoExpectations[i.id]!.case, i]));
    const lines = (c: string) => {
      const r = prepare(byCase.get(c));
      if (!('entry' in r)) throw new Error(`case ${c} has no entry`);
      return r.entry.lines
        .map(
          (l) =>
            `${l.trType === 1 ? 'Dr' : 'Cr'} ${l.accountNo} ${l.amount} ${Object.entries(l.dimensions)
              .map(([k, v]) => `${k}=${v}`)
              .sort()
              .join(',')}`,
        )
        .sort();
    };
    expect(lines('b')).toEqual([
      'Cr 2100 357.00 EMPLOYEEID=E1017,LOCATION=100',
      'Dr 1400 51.30 LOCATION=100',
      'Dr 6200 200.00 CLASSID=CL-RND,DEPARTMENT=D200,LOCATION=100',
      'Dr 6600 100.00 CLASSID=CL-RND,DEPARTMENT=D200,LOCATION=100',
      'Dr 6900 5.70 CLASSID=CL-RND,DEPARTMENT=D200,LOCATION=100',
    ]);
    expect(lines('d')).toEqual([
      'Cr 2160 355.00 LOCATION=100,VENDORID=AMEX',
      'Dr 2100 45.00 EMPLOYEEID=E1023,LOCATION=100',
      'Dr 6200 310.00 CLASSID=CL-RND,DEPARTMENT=D200,LOCATION=100',
    ]);
    expect(lines('e')).toContain('Cr 1450 300.00 EMPLOYEEID=E1022,LOCATION=100');
    expect(lines('e')).toContain('Cr 2100 205.40 EMPLOYEEID=E1022,LOCATION=100');
    expect(lines('f')).toEqual([
      'Cr 2100 187.45 EMPLOYEEID=E1021,LOCATION=100',
      'Dr 6100 112.47 CLASSID=CL-RND,DEPARTMENT=D200,LOCATION=100',
      'Dr 6100 74.98 CLASSID=CL-RND,DEPARTMENT=D100,LOCATION=100',
    ]);
    expect(lines('g')).toContain('Cr 6000.10 150.00 CLASSID=CL-SALES,DEPARTMENT=D100,LOCATION=100');
    expect(lines('h')).toContain('Dr 6000.10 380.00 CLASSID=CL-SALES,CUSTOMERID=C-ACME,DEPARTMENT=D100,LOCATION=100,PROJECTID=P-1001');
    expect(lines('h')).toContain('Cr 2070 380.00 LOCATION=100');
    expect(lines('l')).toContain('Dr 6100 416.76 DEPARTMENT=D300,LOCATION=100');
  });
});
