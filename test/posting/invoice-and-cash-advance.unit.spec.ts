import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting, type PostingResult } from '../../src/domain/posting/index.js';
import { DEMO_REFERENCE, demoCheck, demoMappings, OPTIONS, referenceCheck } from './fixtures.js';

const shape = (r: PostingResult) => {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.entry.lines.map((l) => [l.accountNo, l.trType === 1 ? 'D' : 'C', l.amount, l.dimensions]);
};

function invoice(lines: unknown[], total: number, docType = 'invoice') {
  return {
    id: 'INV-1',
    docType,
    document: {
      invoice: {
        requestId: 'PR77',
        invoiceNumber: 'F-2026-001',
        name: 'Office supplies',
        vendorCode: 'V100',
        vendorName: 'Paper & Co',
        currencyCode: 'USD',
        totalAmount: total,
        invoiceDate: '2026-06-10',
        paymentDate: '2026-06-20T00:00:00Z',
      },
      lineItems: lines,
    },
  };
}

describe('invoices and payment requests', () => {
  it('debit expense per allocation, credit the vendor AP account with VENDORID', () => {
    const item = invoice(
      [
        {
          lineItemId: 'L1',
          description: 'Paper',
          journalAccountCode: '474230',
          amount: 60,
          allocations: [{ allocationId: 'A', amount: 60, custom4Code: '21-KING' }],
        },
        { lineItemId: 'L2', description: 'Toner', journalAccountCode: '474210', amount: 40 },
      ],
      100,
    );
    const mappings = demoMappings({ dimensions: [{ source: 'custom4Code', target: 'DEPARTMENT', values: { '21-KING': 'D210' } }] });
    const result = preparePosting(parseFisDocument(item), mappings, demoCheck, OPTIONS);
    expect(shape(result)).toEqual([
      ['6400', 'D', '60.00', { DEPARTMENT: 'D210', LOCATION: '100' }],
      ['6410', 'D', '40.00', { LOCATION: '100' }],
      ['2000', 'C', '100.00', { VENDORID: 'V100', LOCATION: '100' }],
    ]);
    expect(result.ok && result.entry).toMatchObject({
      postingKey: 'ML-INV-INV-1-1',
      batchDate: '2026-06-20',
      batchTitle: 'Office supplies (PR77)',
      reportId: 'PR77',
    });
  });

  it('percent-only allocations are split with the remainder cent on the largest line', () => {
    const item = invoice(
      [
        {
          lineItemId: 'L1',
          journalAccountCode: '474230',
          amount: 100,
          allocations: [
            { allocationId: 'A', percentage: 33.33, custom4Code: '21-KING' },
            { allocationId: 'B', percentage: 33.33, custom4Code: '21-BELLEV1' },
            { allocationId: 'C', percentage: 33.34, custom4Code: '11-KING' },
          ],
        },
      ],
      100,
      'paymentrequest',
    );
    const mappings = demoMappings({
      dimensions: [{ source: 'custom4Code', target: 'DEPARTMENT', values: { '21-KING': 'D210', '21-BELLEV1': 'D211', '11-KING': 'D110' } }],
    });
    expect(shape(preparePosting(parseFisDocument(item), mappings, demoCheck, OPTIONS)).map((l) => l.slice(0, 3))).toEqual([
      ['6400', 'D', '33.33'],
      ['6400', 'D', '33.33'],
      ['6400', 'D', '33.34'],
      ['2000', 'C', '100.00'],
    ]);
  });

  it('an invoice whose lines do not add up to its total is rejected with the difference', () => {
    const item = invoice([{ lineItemId: 'L1', journalAccountCode: '474230', amount: 99.5 }], 100);
    const result = preparePosting(parseFisDocument(item), demoMappings(), demoCheck, OPTIONS);
    expect(!result.ok && 'rejected' in result && result.rejected.difference).toBe('-0.50');
  });

  it('an unknown vendor is a vendor gap', () => {
    const item = invoice([{ lineItemId: 'L1', journalAccountCode: '474230', amount: 10 }], 10);
    const result = preparePosting(parseFisDocument(item), demoMappings(), referenceCheck({ ...DEMO_REFERENCE, VENDORID: [] }), OPTIONS);
    expect(!result.ok && 'gaps' in result && result.gaps.map((g) => [g.kind, g.code, g.field, g.lines])).toEqual([
      ['vendor', 'V100', 'invoice.vendorCode', ['invoice PR77']],
    ]);
  });
});

describe('cash advance issuance', () => {
  it('debits the cash advance account and credits the employee', () => {
    const item = {
      id: 'CA-DOC',
      docType: 'cashadvance',
      document: {
        employeeData: { employeeId: '1017001' },
        cashAdvanceData: {
          cashAdvanceId: 'CA77',
          cashAdvanceName: 'Trip to Berlin',
          cashAdvanceAmount: 500,
          currencyCode: 'USD',
          issuedDate: '2026-06-01T09:00:00Z',
        },
        journalData: {},
      },
    };
    const result = preparePosting(parseFisDocument(item), demoMappings(), demoCheck, OPTIONS);
    expect(shape(result)).toEqual([
      ['1310', 'D', '500.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
      ['2050', 'C', '500.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
    expect(result.ok && result.entry).toMatchObject({
      postingKey: 'ML-CA-CA-DOC-1',
      batchDate: '2026-06-01',
      batchTitle: 'Cash advance Trip to Berlin (CA77)',
    });
  });
});
