import { describe, expect, it } from 'vitest';
import { serializeGlBatch, UnpostableEntryError } from '../../src/adapters/intacct/glbatch-serializer.js';
import { parseXmlDocument } from '../../src/adapters/intacct/xml/response-parser.js';
import { expenseEntry } from './journal-fixtures.js';

describe('GLBATCH serializer', () => {
  it('writes Intacct fields: mm/dd/yyyy, 2 decimals, TR_TYPE, dimension names, escaped memo', () => {
    const xml = serializeGlBatch(expenseEntry('0021', [2430, 570])).xml;
    const doc = parseXmlDocument(xml) as { create: { GLBATCH: Record<string, unknown> & { ENTRIES: { GLENTRY: Record<string, string>[] } } } };
    const b = doc.create.GLBATCH;
    expect(b).toMatchObject({ JOURNAL: 'EXPJ', BATCH_DATE: '06/30/2026', BATCH_TITLE: 'Trip report 0021', REFERENCENO: 'ML-EXP-0021-1', STATE: 'Posted' });
    expect(b.ENTRIES.GLENTRY[0]).toEqual({
      ACCOUNTNO: '6500',
      TR_TYPE: '1',
      TRX_AMOUNT: '24.30',
      CURRENCY: 'USD',
      DEPARTMENT: 'D100',
      LOCATION: '100',
      DESCRIPTION: 'Airfare & "hotel" <0>',
    });
    expect(b.ENTRIES.GLENTRY[2]).toMatchObject({ ACCOUNTNO: '2100', TR_TYPE: '-1', TRX_AMOUNT: '30.00', EMPLOYEEID: 'E1017' });
    expect(xml).toContain('<DESCRIPTION>Airfare &amp; &quot;hotel&quot; &lt;0&gt;</DESCRIPTION>');
  });

  it('trims long memos conservatively; a title too long for the domain limit keeps its id', () => {
    const e = expenseEntry('1', [100]);
    e.batchTitle = `${'T'.repeat(200)} (R-1)`;
    e.lines[0]!.memo = 'm'.repeat(500);
    const xml = serializeGlBatch(e).xml;
    const title = /<BATCH_TITLE>([^<]*)</.exec(xml)![1]!;
    expect([...title]).toHaveLength(80);
    expect(title.endsWith('… (R-1)')).toBe(true);
    expect([.../<DESCRIPTION>([^<]*)</.exec(xml)![1]!]).toHaveLength(100);
  });

  it('refuses an unbalanced entry, showing the difference', () => {
    const e = expenseEntry('2', [1000]);
    e.lines[1]!.amount = '9.99';
    expect(() => serializeGlBatch(e)).toThrow(UnpostableEntryError);
    expect(() => serializeGlBatch(e)).toThrow(/debits 10.00 and credits 9.99 differ by 0.01/);
  });

  it('refuses amounts it cannot send exactly and single-line entries', () => {
    const e = expenseEntry('3', [1000]);
    e.lines[0]!.amount = '10.001';
    expect(() => serializeGlBatch(e)).toThrow(/more than 2 decimals/);
    expect(() => serializeGlBatch({ ...expenseEntry('4', [1]), lines: [expenseEntry('4', [1]).lines[0]!] })).toThrow(/at least a debit and a credit/);
    expect(() => serializeGlBatch({ ...expenseEntry('5', [1]), batchDate: '30/06/2026' })).toThrow(/not YYYY-MM-DD/);
  });
});
