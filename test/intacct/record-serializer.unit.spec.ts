import { describe, expect, it } from 'vitest';
import { UnpostableEntryError } from '../../src/adapters/intacct/glbatch-serializer.js';
import { readBackFunctionFor } from '../../src/adapters/intacct/record-readback.js';
import { serializeRecord, serializeReversal } from '../../src/adapters/intacct/record-serializer.js';
import { parseXmlDocument, type XmlRecord } from '../../src/adapters/intacct/xml/response-parser.js';
import { expenseEntry } from './journal-fixtures.js';
import { mirrorOf, recordEntry } from './record-fixtures.js';

const parse = (xml: string): XmlRecord => parseXmlDocument(xml) as XmlRecord;
const child = (r: XmlRecord, ...path: string[]): XmlRecord => path.reduce((x, k) => x[k] as XmlRecord, r);
const many = (v: unknown): XmlRecord[] => (Array.isArray(v) ? v : [v]) as XmlRecord[];

describe('record serializers (EEXPENSES, APBILL, CCTRANSACTION)', () => {
  it('GLBATCH entries (and entries without a target) are the GLBATCH they always were', () => {
    const e = expenseEntry('G1', [100]);
    expect(serializeRecord(e).xml).toContain('<create><GLBATCH>');
    expect(serializeRecord({ ...e, target: 'GLBATCH' }).xml).toBe(serializeRecord(e).xml);
  });

  it('EEXPENSES: create_expensereport with the employee, split dates, memo = posting key, expense type or account, subledger dimension names', () => {
    const e = recordEntry('EEXPENSES', 'E1');
    e.lines[1]!.expenseType = 'Lodging';
    const xml = serializeRecord(e).xml;
    const r = child(parse(xml), 'create_expensereport');
    expect(r).toMatchObject({
      employeeid: 'E1017',
      datecreated: { year: '2026', month: '06', day: '30' },
      state: 'Submitted',
      description: 'Trip report E1',
      memo: 'ML-EXP-E1-1-EE',
      currency: 'USD',
    });
    const lines = many(child(r, 'expenses').expense);
    expect(lines).toHaveLength(2); // the offset (employee payable) is not sent
    expect(lines[0]).toEqual({
      glaccountno: '6500',
      amount: '24.30',
      expensedate: { year: '2026', month: '06', day: '30' },
      memo: 'Airfare <1>',
      locationid: '100',
      departmentid: 'D100',
    });
    expect(lines[1]).toMatchObject({ expensetype: 'Lodging', amount: '5.70', projectid: 'P-1001' });
    expect(lines[1]!['glaccountno']).toBeUndefined();
    expect(xml).not.toContain('DEPARTMENT>');
    expect(xml).toContain('<memo>Airfare &lt;1&gt;</memo>');
  });

  it('APBILL: create APBILL with VENDORID, RECORDID = bill number, DOCNUMBER = posting key, WHENDUE, lines without the payable', () => {
    const e = recordEntry('APBILL', 'B1');
    const b = child(parse(serializeRecord(e).xml), 'create', 'APBILL');
    expect(b).toMatchObject({
      WHENCREATED: '06/30/2026',
      VENDORID: 'V100',
      RECORDID: 'INV-B1',
      DOCNUMBER: 'ML-INV-B1-1-AP',
      WHENDUE: '07/30/2026',
      DESCRIPTION: 'Trip report B1',
      CURRENCY: 'USD',
    });
    const items = many(child(b, 'APBILLITEMS').APBILLITEM);
    expect(items).toEqual([
      { ACCOUNTNO: '6500', TRX_AMOUNT: '24.30', ENTRYDESCRIPTION: 'Airfare <1>', DEPARTMENTID: 'D100', LOCATIONID: '100' },
      { ACCOUNTNO: '6200', TRX_AMOUNT: '5.70', ENTRYDESCRIPTION: 'Hotel', PROJECTID: 'P-1001' },
    ]);
    const noDue = child(parse(serializeRecord({ ...e, dueDate: null, billNumber: null }).xml), 'create', 'APBILL');
    expect(noDue['WHENDUE']).toBe('06/30/2026');
    expect(noDue['RECORDID']).toBeUndefined();
  });

  it('CCTRANSACTION: record_cctransaction on the card account, referenceno = posting key, payee, signed payment amounts (a credit is negative)', () => {
    const e = recordEntry('CCTRANSACTION', 'C1');
    // A refund line inside a charge: 6200 credited.
    e.lines = [
      { ...e.lines[0]!, amount: '30.00' },
      { ...e.lines[1]!, trType: -1, amount: '5.70' },
      { ...e.lines[2]!, amount: '24.30' },
    ];
    const c = child(parse(serializeRecord(e).xml), 'record_cctransaction');
    expect(c).toMatchObject({
      chargecardid: 'AMEX-CORP',
      paymentdate: { year: '2026', month: '06', day: '30' },
      referenceno: 'ML-EXP-C1-1-CC1',
      payee: 'Hotel Co & Sons',
      description: 'Trip report C1',
      currency: 'USD',
    });
    expect(many(child(c, 'ccpayitems').ccpayitem)).toEqual([
      { glaccountno: '6500', description: 'Airfare <1>', paymentamount: '30.00', departmentid: 'D100', locationid: '100' },
      { glaccountno: '6200', description: 'Hotel', paymentamount: '-5.70', projectid: 'P-1001' },
    ]);
    // A card refund as a whole (negative total) is a CCTRANSACTION too.
    const refund = mirrorOf(recordEntry('CCTRANSACTION', 'C2'));
    expect(many(child(parse(serializeRecord(refund).xml), 'record_cctransaction', 'ccpayitems').ccpayitem)[0]!['paymentamount']).toBe('-24.30');
  });

  it('refuses records that do not balance against their own payable, with the difference', () => {
    const e = recordEntry('APBILL', 'U1');
    e.lines[2]!.amount = '29.99';
    expect(() => serializeRecord(e)).toThrow(UnpostableEntryError);
    expect(() => serializeRecord(e)).toThrow(/APBILL lines \(30.00\) and the record's own payable \(-29.99\) do not balance: they differ by 0.01/);
    const noOffset = recordEntry('EEXPENSES', 'U2');
    noOffset.lines = noOffset.lines.slice(0, 2);
    expect(() => serializeRecord(noOffset)).toThrow(/do not balance/);
  });

  it('refuses non-positive expense reports and bills, zero card transactions, zero lines, missing parties and accounts', () => {
    expect(() => serializeRecord(mirrorOf(recordEntry('EEXPENSES', 'N1')))).toThrow(/EEXPENSES total -30.00 is not positive/);
    expect(() => serializeRecord(mirrorOf(recordEntry('APBILL', 'N2')))).toThrow(/APBILL total -30.00 is not positive/);
    const zero = recordEntry('CCTRANSACTION', 'N3');
    zero.lines = [zero.lines[0]!, { ...zero.lines[0]!, trType: -1 }];
    expect(() => serializeRecord(zero)).toThrow(/CCTRANSACTION total is zero/);
    const zeroLine = recordEntry('APBILL', 'N4');
    zeroLine.lines[1]!.amount = '0.00';
    expect(() => serializeRecord(zeroLine)).toThrow(/line 2 \(account 6200\) has a zero amount/);
    expect(() => serializeRecord(recordEntry('EEXPENSES', 'N5', { party: {} }))).toThrow(/EEXPENSES needs party.employeeId/);
    expect(() => serializeRecord(recordEntry('APBILL', 'N6', { party: { employeeId: 'E1017' } }))).toThrow(/APBILL needs party.vendorId/);
    expect(() => serializeRecord(recordEntry('CCTRANSACTION', 'N7', { party: undefined }))).toThrow(/CCTRANSACTION needs party.cardAccount/);
    const noAccount = recordEntry('EEXPENSES', 'N8');
    noAccount.lines[0]!.accountNo = '';
    expect(() => serializeRecord(noAccount)).toThrow(/line 1 has no account or expense type/);
    noAccount.lines[0]!.expenseType = 'Airfare';
    expect(serializeRecord(noAccount).xml).toContain('<expensetype>Airfare</expensetype>');
    const onlyOffset = recordEntry('APBILL', 'N9');
    onlyOffset.lines = [onlyOffset.lines[2]!];
    expect(() => serializeRecord(onlyOffset)).toThrow(/no line to send/);
  });

  it('reverses subledger records by their own reverse function on the RECORDNO, dated by the mirror; a GLBATCH by its mirror batch', () => {
    const cases = [
      ['EEXPENSES', 'reverse_expensereport', 'description'],
      ['APBILL', 'reverse_bill', 'description'],
      ['CCTRANSACTION', 'reverse_cctransaction', 'memo'],
    ] as const;
    for (const [target, fn, memo] of cases) {
      const mirror = mirrorOf(recordEntry(target, 'R1'), '2026-07-02');
      const xml = serializeReversal(mirror, '1007').xml;
      expect(xml.startsWith(`<${fn} key="1007"><datereversed><year>2026</year><month>07</month><day>02</day></datereversed><${memo}>`)).toBe(true);
      expect(xml).toContain(mirror.postingKey);
      expect(() => serializeReversal(mirror, null)).toThrow(/RECORDNO of the .* it reverses is not known/);
    }
    const gl = { ...expenseEntry('R2', [100]), postingKey: 'ML-EXP-R2-1-REV' };
    expect(serializeReversal(gl, '1001').xml).toBe(serializeRecord(gl).xml);
  });

  it('reads each object back by its reference field; a subledger reversal as the original in STATE Reversed', () => {
    const body = (xml: string) => child(parse(xml), 'readByQuery');
    const ee = readBackFunctionFor(recordEntry('EEXPENSES', 'Q1'));
    expect(ee.controlId).toMatch(/^readback-/);
    expect(body(ee.body.xml)).toMatchObject({ object: 'EEXPENSES', query: "MEMO = 'ML-EXP-Q1-1-EE'" });
    expect(body(readBackFunctionFor(recordEntry('APBILL', 'Q2')).body.xml)).toMatchObject({ object: 'APBILL', query: "DOCNUMBER = 'ML-INV-Q2-1-AP'" });
    expect(body(readBackFunctionFor(recordEntry('CCTRANSACTION', "Q'3")).body.xml)).toMatchObject({
      object: 'CCTRANSACTION',
      query: "RECORDID = 'ML-EXP-Q_3-1-CC1'",
    });
    expect(body(readBackFunctionFor(expenseEntry('Q4', [100])).body.xml)).toMatchObject({ object: 'GLBATCH', query: "REFERENCENO = 'ML-EXP-Q4-1'" });
    expect(body(readBackFunctionFor(mirrorOf(recordEntry('APBILL', 'Q5')), '1009').body.xml)).toMatchObject({
      object: 'APBILL',
      query: "RECORDNO = '1009' AND STATE = 'Reversed'",
    });
    // A GLBATCH reversal is its own batch: read back by its REFERENCENO.
    const glRev = { ...expenseEntry('Q6', [100]), postingKey: 'ML-EXP-Q6-1-REV' };
    expect(body(readBackFunctionFor(glRev, '1001').body.xml)).toMatchObject({ query: "REFERENCENO = 'ML-EXP-Q6-1-REV'" });
    expect(readBackFunctionFor(glRev).controlId).not.toBe(readBackFunctionFor(glRev).controlId);
  });
});
