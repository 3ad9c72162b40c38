import { describe, it } from 'vitest';
import type { DocumentEvent } from '../../src/domain/document/state.js';
import type { JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';
import { projectionSpec } from '../support/given.js';

/** The posting-state read model in the given / then style: events in, rows out (test/support/given.ts). */
const stream = 'document-expense-D1';
const at = (event: DocumentEvent) => ({ ...event, streamId: stream });
const entry: JournalEntry = {
  postingKey: 'ML-EXP-D1-1',
  docType: 'expense',
  concurDocumentId: 'D1',
  reportId: 'R1',
  journal: 'EXPJ',
  batchDate: '2026-06-30',
  batchTitle: 'Trip R1',
  currency: 'USD',
  total: '24.30',
  lines: [
    { accountNo: '6500', trType: 1, amount: '24.30', memo: 'Taxi', dimensions: {}, kind: 'expense' },
    { accountNo: '2050', trType: -1, amount: '24.30', memo: 'Employee', dimensions: {}, kind: 'counterparty' },
  ],
};
const posted: DocumentEvent[] = [
  {
    type: 'ConcurDocumentReceived',
    data: { docType: 'expense', concurDocumentId: 'D1', channel: 'webhook', notificationId: 'N1', href: null, reportId: null },
  },
  {
    type: 'ConcurDocumentFetched',
    data: {
      docType: 'expense',
      concurDocumentId: 'D1',
      reportId: 'R1',
      reportName: 'Trip',
      employeeId: 'E1',
      amount: '24.30',
      currency: 'USD',
      version: '1',
      document: {},
    },
  },
  { type: 'JournalEntryPrepared', data: { postingKey: 'ML-EXP-D1-1', entry, mappingRevision: 0, closedPeriodPolicy: 'reject' } },
  { type: 'PostingRequested', data: { postingKey: 'ML-EXP-D1-1', entry, reverses: null } },
  { type: 'PostingSucceeded', data: { postingKey: 'ML-EXP-D1-1', recordNo: '1001', outcome: 'created' } },
];

describe('posting-state projection (given events, then rows)', () => {
  it('a posted document has its RECORDNO and no confirmation yet', () => {
    projectionSpec(postingStateProjection)
      .given(...posted.map(at))
      .then('SELECT status, intacct_record_no, concur_confirmation FROM postings', [
        { status: 'POSTED', intacct_record_no: '1001', concur_confirmation: null },
      ]);
  });

  it('a recall after posting shows as the Concur confirmation "recalled"; the document stays POSTED', () => {
    projectionSpec(postingStateProjection)
      .given(...[...posted, { type: 'DocumentRecalled', data: { serviceCode: 116, reason: 'recalled in Concur' } } as DocumentEvent].map(at))
      .then('SELECT status, concur_confirmation FROM postings', [{ status: 'POSTED', concur_confirmation: 'recalled' }]);
  });
});
