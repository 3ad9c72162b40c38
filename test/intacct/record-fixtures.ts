import type { IntacctTarget, JournalEntry, JournalLine } from '../../src/domain/journal/journal-entry.js';
import { postingKeyFor, recordKeyFor } from '../../src/domain/journal/journal-entry.js';

const line = (accountNo: string, trType: 1 | -1, amount: string, extra: Partial<JournalLine> = {}): JournalLine => ({
  accountNo,
  trType,
  amount,
  memo: '',
  dimensions: {},
  kind: 'expense',
  ...extra,
});

/**
 * A balanced record of `target`: two expense lines (6500 on D100/100, 6200) and the record's own
 * payable as an offset credit (2100 employee, 2000 vendor, 2150 card).
 */
export function recordEntry(target: Exclude<IntacctTarget, 'GLBATCH'>, docId: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  const suffix = target === 'EEXPENSES' ? 'EE' : target === 'APBILL' ? 'AP' : 'CC1';
  const payable = target === 'EEXPENSES' ? '2100' : target === 'APBILL' ? '2000' : '2150';
  const party =
    target === 'EEXPENSES' ? { employeeId: 'E1017' } : target === 'APBILL' ? { vendorId: 'V100' } : { cardAccount: 'AMEX-CORP', payee: 'Hotel Co & Sons' };
  return {
    postingKey: recordKeyFor(postingKeyFor(target === 'APBILL' ? 'invoice' : 'expense', docId, 1), suffix),
    docType: target === 'APBILL' ? 'invoice' : 'expense',
    concurDocumentId: docId,
    reportId: `R-${docId}`,
    journal: 'EXPJ',
    batchDate: '2026-06-30',
    batchTitle: `Trip report ${docId}`,
    currency: 'USD',
    target,
    party,
    billNumber: target === 'APBILL' ? `INV-${docId}` : null,
    dueDate: target === 'APBILL' ? '2026-07-30' : null,
    lines: [
      line('6500', 1, '24.30', { memo: 'Airfare <1>', dimensions: { DEPARTMENT: 'D100', LOCATION: '100' }, ...(target === 'EEXPENSES' ? {} : {}) }),
      line('6200', 1, '5.70', { memo: 'Hotel', dimensions: { PROJECTID: 'P-1001' } }),
      line(payable, -1, '30.00', { offset: true, kind: 'counterparty' }),
    ],
    total: '30.00',
    ...overrides,
  };
}

/** The domain's mirror of a posted entry (sides swapped, key `-REV`). */
export function mirrorOf(entry: JournalEntry, batchDate = entry.batchDate): JournalEntry {
  return {
    ...entry,
    postingKey: `${entry.postingKey}-REV`,
    batchDate,
    lines: entry.lines.map((l) => ({ ...l, trType: (l.trType === 1 ? -1 : 1) as 1 | -1 })),
  };
}
