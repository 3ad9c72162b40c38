import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FisDocumentError, parseFisDocument, summarizeFisDocument } from './index.js';
import { FIS_DIR, fisItem } from '../../../test/posting/fixtures.js';

describe('parseFisDocument', () => {
  it('parses every SAP sample', () => {
    for (const file of readdirSync(FIS_DIR)) {
      const wrapper = JSON.parse(readFileSync(join(FIS_DIR, file), 'utf8')) as { fIDocuments: unknown[] };
      for (const item of wrapper.fIDocuments) expect(parseFisDocument(item).kind).toBe('expense');
    }
  });

  it('normalises Example 2.1 (VAT): amounts in cents, tax matched, fields kept', () => {
    const doc = parseFisDocument(fisItem('2.1'));
    if (doc.kind !== 'expense') throw new Error('expense expected');
    expect(doc).toMatchObject({ id: 'f7a675d035bc44419cc0df2389c5b10c', docType: 'expense', companyId: '821599', entityId: 't0171945nik5', currency: 'EUR' });
    expect(doc.report).toMatchObject({
      reportId: 'F071FADEA6B142DD884A',
      totalApprovedAmount: 1000,
      revisionNumber: '1',
      versionId: '4',
      paymentProcessingDate: '2019-06-05T22:35:06.433Z',
    });
    const entry = doc.entries[0]!;
    expect(entry).toMatchObject({
      entryId: '2C14A4301BD26741B7244388A5E10941',
      expenseTypeCode: 'LNDRY',
      expenseTypeName: 'Laundry',
      isPersonal: false,
      approvedAmount: 1000,
    });
    const allocation = entry.allocations[0]!;
    expect(allocation.percentage).toBe('100');
    const tax = {
      index: 1,
      taxGuid: 'BC10BB80E9998B49B0BE941251CBA0D1',
      ref: 'BC10BB80E9998B49B0BE941251CBA0D1',
      amountTax: 160,
      amountReclaim: 160,
      taxAuthorityLabel: 'DEVAT',
      taxReclaimCode: 'VA',
    };
    expect(allocation.journals[0]).toEqual({
      index: 1,
      accountCode: '37',
      payer: 'COMP',
      payee: 'EMPL',
      gross: 1000,
      netOfTax: 840,
      netOfReclaim: 840,
      taxes: [tax],
    });
    expect(allocation.taxes[0]).toEqual(tax);
    expect(allocation.fields['allocationCustom4Code']).toBe('11-KING');
  });

  it('reads the card fields of Example 6.1.2', () => {
    const doc = parseFisDocument(fisItem('6.1.2'));
    expect(doc.kind === 'expense' && doc.entries[0]).toMatchObject({
      cardTransactionId: '111112589312803',
      cardProgramTypeCode: 'AX',
      vendorDescription: 'Dollar',
    });
  });

  it('summarises for ConcurDocumentFetched', () => {
    expect(summarizeFisDocument(parseFisDocument(fisItem('1.2')))).toEqual({
      reportId: '6517F735E33A47B98D80',
      reportName: 'FI use-case test example 1.2',
      employeeId: '1017001',
      amount: '-50.00',
      currency: 'USD',
      version: '1',
    });
    expect(summarizeFisDocument(parseFisDocument(fisItem('1.1'))).amount).toBeNull();
  });

  it('names the document and the exact path of a missing or invalid field', () => {
    const broken = (mutate: (doc: any) => void) => {
      const item = structuredClone(fisItem('2.1')) as any;
      mutate(item);
      try {
        parseFisDocument(item);
      } catch (error) {
        expect(error).toBeInstanceOf(FisDocumentError);
        return (error as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(broken((d) => delete d.document.expenseEntry[0].allocation[0].journal[0].amountGross)).toContain(
      'Concur FIS document f7a675d035bc44419cc0df2389c5b10c: document.expenseEntry[0].allocation[0].journal[0].amountGross is missing',
    );
    expect(broken((d) => (d.document.expenseEntry[0].allocation[0].journal[0].amountNetOfTax = '8.4x'))).toContain('amountNetOfTax is not a valid EUR amount');
    expect(broken((d) => (d.document.expenseEntry[0].allocation[0].journal[0].taxGuid = ['NOPE']))).toContain(
      'journal[0].taxGuid references tax NOPE, which is not in document.expenseEntry[0].allocation[0].tax',
    );
    expect(broken((d) => delete d.document.report.employeeCurrencyAlphaCode)).toContain('document.report.employeeCurrencyAlphaCode is missing or empty');
    expect(broken((d) => (d.document.employee = null))).toContain('document.employee must be an object, got null');
    expect(broken((d) => (d.docType = 'payroll'))).toContain('"payroll" is not a supported type');
    expect(broken((d) => (d.document.expenseEntry = {}))).toContain('document.expenseEntry must be an array, got object');
    expect(() => parseFisDocument({ docType: 'expense' })).toThrow('id is missing or empty');
  });
});

describe('identifiers posting does not need (docs/required-fields.md)', () => {
  const vat = () => structuredClone(fisItem('2.1')) as any;
  const allocationOf = (item: unknown) => {
    const doc = parseFisDocument(item);
    if (doc.kind !== 'expense') throw new Error('expense expected');
    return doc.entries[0]!.allocations[0]!;
  };

  it('names an entry and an allocation without ids by their position', () => {
    const item = vat();
    delete item.document.expenseEntry[0].entryId;
    item.document.expenseEntry[0].allocation[0].allocationId = '';
    const doc = parseFisDocument(item);
    expect(doc.kind === 'expense' && [doc.entries[0]!.ref, doc.entries[0]!.allocations[0]!.ref]).toEqual(['#1', '#1']);
  });

  it('links a tax item without taxGuid to the one reference nothing else matches', () => {
    const item = vat();
    delete item.document.expenseEntry[0].allocation[0].tax[0].taxGuid;
    const allocation = allocationOf(item);
    expect(allocation.journals[0]!.taxes.map((t) => [t.ref, t.amountTax])).toEqual([['#1', 160]]);
  });

  it('refuses references it cannot tell apart, naming the path', () => {
    const item = vat();
    const tax = item.document.expenseEntry[0].allocation[0].tax[0];
    delete tax.taxGuid;
    item.document.expenseEntry[0].allocation[0].tax.push({ ...tax });
    expect(() => parseFisDocument(item)).toThrow(
      'document.expenseEntry[0].allocation[0].journal[0].taxGuid references tax BC10BB80E9998B49B0BE941251CBA0D1, which is not in document.expenseEntry[0].allocation[0].tax (2 tax item(s) there have no taxGuid',
    );
  });

  it('a referenced tax list that is missing, or a taken tax item without an amount, is named', () => {
    const noList = vat();
    delete noList.document.expenseEntry[0].allocation[0].tax;
    expect(() => parseFisDocument(noList)).toThrow(
      'document.expenseEntry[0].allocation[0].tax is missing or empty, but document.expenseEntry[0].allocation[0].journal[0].taxGuid references tax BC10BB80E9998B49B0BE941251CBA0D1',
    );
    const noAmount = vat();
    noAmount.document.expenseEntry[0].allocation[0].tax[0].amountTax = null;
    expect(() => parseFisDocument(noAmount)).toThrow('document.expenseEntry[0].allocation[0].tax[0].amountTax is missing (posting needs it:');
  });

  it('leaves an unreferenced tax item alone when the line balances without it (as before)', () => {
    const item = vat();
    const journal = item.document.expenseEntry[0].allocation[0].journal[0];
    journal.taxGuid = [];
    journal.amountNetOfTax = journal.amountGross;
    expect(allocationOf(item).journals[0]!.taxes).toEqual([]);
  });
});

describe('cash advance and invoice documents (connector contract, no SAP sample)', () => {
  it('parses a cash advance issuance', () => {
    const doc = parseFisDocument({
      id: 'CA-DOC',
      docType: 'cashadvance',
      document: {
        employeeData: { employeeId: '1017001' },
        cashAdvanceData: {
          cashAdvanceId: 'CA77',
          cashAdvanceName: 'Trip',
          cashAdvanceAmount: '500.00',
          currencyCode: 'USD',
          issuedDate: '2026-06-01T00:00:00Z',
        },
        journalData: {},
      },
    });
    expect(doc).toMatchObject({ kind: 'cashadvance', cashAdvanceId: 'CA77', amount: 50000, currency: 'USD', employee: { employeeId: '1017001' } });
  });

  it('parses an invoice and refuses an allocation with neither amount nor percentage', () => {
    const item = {
      id: 'INV-DOC',
      docType: 'invoice',
      document: {
        invoice: { requestId: 'PR1', vendorCode: 'V100', currencyCode: 'USD', totalAmount: 100 },
        lineItems: [{ lineItemId: 'L1', amount: 100, allocations: [{ allocationId: 'X' }] }],
      },
    };
    expect(() => parseFisDocument(item)).toThrow(
      'Concur FIS document INV-DOC: document.lineItems[0].allocations[0].amount is missing, and so is document.lineItems[0].allocations[0].percentage (posting needs it: an allocation needs an amount or a percentage',
    );
  });
});
