import { describe, expect, it } from 'vitest';
import { billVendorOf, isMissingBillVendorGap, matchBillVendor, type IntacctVendor } from './bill-vendors.js';
import { parseFisDocument } from '../fis/parse.js';

const intacct: IntacctVendor[] = [
  { vendorId: 'V100', name: 'Hotel Co', taxId: '98-7654321' },
  { vendorId: 'V200', name: 'Northwind Consulting', taxId: null },
];

describe('bill vendors: matching a Concur invoice vendor against Intacct', () => {
  it('by VENDORID = the Concur code: it exists, nothing to do', () => {
    expect(matchBillVendor({ concurCode: 'V200', name: 'Someone else', taxId: '1' }, intacct)).toEqual({ kind: 'exists' });
  });

  it('by tax id (punctuation and case ignored) before the name: a conflict naming the mapping to set', () => {
    const m = matchBillVendor({ concurCode: 'HC-2', name: 'Northwind Consulting', taxId: '987654321' }, intacct);
    expect(m).toMatchObject({ kind: 'conflict', by: 'tax id', vendorIds: ['V100'] });
    expect(m.kind === 'conflict' && m.message).toBe(
      "Concur vendor HC-2 'Northwind Consulting' matches Intacct vendor V100 by tax id 987654321; map it in vendors (vendors.HC-2 = V100) or rename one side; nothing was created or changed",
    );
  });

  it('by name, case-insensitive and exact', () => {
    expect(matchBillVendor({ concurCode: 'NW-9', name: ' northwind CONSULTING ', taxId: null }, intacct)).toMatchObject({
      kind: 'conflict',
      by: 'name',
      vendorIds: ['V200'],
    });
    expect(matchBillVendor({ concurCode: 'NW-9', name: 'Northwind Consulting LLC', taxId: null }, intacct).kind).toBe('create');
  });

  it('no match: created under the Concur code with its name (the code when Concur gives none) and tax id', () => {
    expect(matchBillVendor({ concurCode: 'V777', name: 'Bright Paper', taxId: '12-3' }, intacct)).toEqual({
      kind: 'create',
      vendorId: 'V777',
      name: 'Bright Paper',
      taxId: '12-3',
    });
    expect(matchBillVendor({ concurCode: 'V778', name: null, taxId: null }, intacct)).toMatchObject({ kind: 'create', name: 'V778' });
  });

  it('only an unmapped invoice vendor that does not exist starts the push', () => {
    const gap = {
      kind: 'vendor' as const,
      code: 'V777',
      field: 'invoice.vendorCode',
      lines: [],
      message: 'VENDORID V777 (from invoice.vendorCode) does not exist in Intacct: …',
    };
    expect(isMissingBillVendorGap(gap)).toBe(true);
    expect(isMissingBillVendorGap({ ...gap, field: 'vendors.V777' })).toBe(false);
    expect(isMissingBillVendorGap({ ...gap, message: 'VENDORID V777 (from invoice.vendorCode) is inactive in Intacct' })).toBe(false);
    expect(isMissingBillVendorGap({ ...gap, kind: 'employee' })).toBe(false);
  });

  it("reads the invoice's vendor code, name and an optional tax id from the FIS document", () => {
    const item = (invoice: Record<string, unknown>) => ({
      id: 'd1',
      docType: 'invoice',
      document: {
        invoice: { requestId: 'R1', vendorCode: 'V777', vendorName: 'Bright Paper', currencyCode: 'USD', totalAmount: 10, ...invoice },
        lineItems: [{ amount: 10, journalAccountCode: '6100' }],
      },
    });
    expect(billVendorOf(parseFisDocument(item({})))).toEqual({ concurCode: 'V777', name: 'Bright Paper', taxId: null });
    expect(billVendorOf(parseFisDocument(item({ vendorTaxId: ' 12-345 ' })))?.taxId).toBe('12-345');
    expect(billVendorOf(parseFisDocument(item({ taxId: 987 })))?.taxId).toBe('987');
  });
});
