/**
 * A report shaped like SAP's examples of a personal expense on a company-billed card (CBCP): the
 * personal charge's allocation has no `allocationId`, its journal lines have an empty account
 * code, no tax and `taxGuid: []`. Such documents were rejected ("…allocationId is missing or
 * empty") although posting never needs the id; they post, balanced, with the allocation named by
 * its position in the audit trail.
 */
import { describe, expect, it } from 'vitest';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { parseMinor } from '../../src/domain/money/money.js';
import { demoCheck, demoMappings, OPTIONS } from './fixtures.js';

const allocationFields = {
  allocationPercentage: 100,
  allocationCustom1Code: 'Q16CLNT500',
  allocationCustom2Code: '0021',
  allocationCustom3Code: 'CC',
  allocationCustom4Code: '21-BELLEV1',
  allocationCustom5Code: null,
};
const line = (payer: string, payee: string, amount: number, account: string) => ({
  amountGross: amount,
  amountGrossCard: null,
  journalAccountCode: account,
  journalPayee: payee,
  journalPayer: payer,
  cardTransactionReferenceNumber: null,
  amountNetOfReclaim: amount,
  amountNetOfTax: amount,
  taxGuid: [],
  accountingTransactionType: null,
});

const item = {
  id: '5b0d1c2e3f40415263748596a7b8c9d0',
  docType: 'expense',
  companyId: '821599',
  entityId: 't0171945nik5',
  companyUuid: '070fde04-3e0c-4716-89fd-6026ae292ed0',
  erpSystemId: '',
  docStatus: 'READY',
  document: {
    employee: { employeeId: '1017001', employeeFirstName: 'Dp1', employeeLastName: 'CTE', employeeMI: null, employeeOrgUnit4Code: '21-BELLEV1' },
    report: {
      requestId: [],
      employeeCurrencyAlphaCode: 'USD',
      reportName: 'Hotel with a minibar charge',
      reportId: '0A1B2C3D4E5F60718293',
      totalApprovedAmount: 125,
      ledgerCode: 'DEFAULT',
      reportKey: 5301,
      cashAdvanceReturnsAmount: 0,
      homeCountryCode: 'US',
      reportSubmitDate: '2019-06-10T17:02:11.000Z',
      reportPaymentProcessingDate: '2019-06-10T17:20:45.000Z',
      versionId: '4',
      revisionNumber: '1',
    },
    expenseEntry: [
      {
        entryId: '95C3C97F4149CF45949DECE8C5171478',
        expenseTypeCode: 'LODNG',
        expenseTypeName: 'Room Rate',
        entryVendorDescription: 'Marriott Hotels',
        entryIsPersonal: 'N',
        entryApprovedAmount: 125,
        entryCurrAlphaCode: 'USD',
        reportEntryPatKey: 'CBCP',
        allocation: [{ ...allocationFields, allocationId: '89C5DE0AB4BC4A4CBF4D5AE750A3A8E7', journal: [line('COMP', 'CBCP', 125, '474230')], tax: [] }],
      },
      {
        // The personal charge: the company pays the card, the employee pays the company back.
        entryId: '52F2FB67BBD8D243A4C374FE7E508207',
        expenseTypeCode: 'PRSNL',
        expenseTypeName: 'Personal expense (do not reimburse)',
        entryVendorDescription: 'Marriott Hotels minibar',
        entryIsPersonal: 'Y',
        entryApprovedAmount: 0,
        entryCurrAlphaCode: 'USD',
        reportEntryPatKey: 'CBCP',
        allocation: [{ ...allocationFields, journal: [line('COMP', 'CBCP', 30, ''), line('EMPL', 'COMP', -30, '')], tax: [] }],
      },
    ],
    cashAdvanceApplication: [],
  },
};

describe('personal expense on a company card, as SAP writes it (no allocationId)', () => {
  it('posts balanced: hotel to expense, the whole card charge to the card, the personal part owed by the employee', () => {
    const result = preparePosting(parseFisDocument(structuredClone(item)), demoMappings(), demoCheck, OPTIONS);
    if (!result.ok) throw new Error(JSON.stringify(result));
    const e = result.entry;
    expect(e.lines.map((l) => [l.accountNo, l.trType === 1 ? 'D' : 'C', l.amount, l.dimensions])).toEqual([
      ['6400', 'D', '125.00', { DEPARTMENT: 'D211', LOCATION: '100' }],
      ['2120', 'C', '155.00', { VENDORID: 'AMEX', LOCATION: '100' }],
      ['2050', 'D', '30.00', { EMPLOYEEID: '1017001', LOCATION: '100' }],
    ]);
    const side = (t: 1 | -1) => e.lines.filter((l) => l.trType === t).reduce((s, l) => s + parseMinor(l.amount, 'USD'), 0);
    expect(side(1)).toBe(side(-1));
    expect(e.total).toBe('155.00');
    expect(e.postingKey).toBe('ML-EXP-5b0d1c2e3f40415263748596a7b8c9d0-1');
    // The personal allocation is named by its position; the one with an id keeps it.
    expect(e.lines[1]!.sources).toEqual([
      'entry 95C3C97F4149CF45949DECE8C5171478 / allocation 89C5DE0AB4BC4A4CBF4D5AE750A3A8E7 / journal 1',
      'entry 52F2FB67BBD8D243A4C374FE7E508207 / allocation #1 / journal 1',
    ]);
    expect(e.lines[2]!.sources).toEqual(['entry 52F2FB67BBD8D243A4C374FE7E508207 / allocation #1 / journal 2']);
  });
});
