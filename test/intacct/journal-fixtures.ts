import { randomUUID } from 'node:crypto';
import { newEvent } from '../../src/domain/events/envelope.js';
import type { EventStore } from '../../src/domain/eventstore/port.js';
import { documentStreamId, type PostingRequested } from '../../src/domain/document/events.js';
import { postingKeyFor, type JournalEntry } from '../../src/domain/journal/journal-entry.js';

const money = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** A balanced expense entry: expense debits on 6500/D100 and 6100/D200, one employee credit. */
export function expenseEntry(docId: string, cents: number[], overrides: Partial<JournalEntry> = {}): JournalEntry {
  const total = cents.reduce((a, b) => a + b, 0);
  return {
    postingKey: postingKeyFor('expense', docId, 1),
    docType: 'expense',
    concurDocumentId: docId,
    reportId: `R-${docId}`,
    journal: 'EXPJ',
    batchDate: '2026-06-30',
    batchTitle: `Trip report ${docId}`,
    currency: 'USD',
    lines: [
      ...cents.map((c, i) => ({
        accountNo: i % 2 === 0 ? '6500' : '6100',
        trType: 1 as const,
        amount: money(c),
        memo: `Airfare & "hotel" <${i}>`,
        dimensions: { DEPARTMENT: i % 2 === 0 ? 'D100' : 'D200', LOCATION: '100' },
        kind: 'expense' as const,
      })),
      {
        accountNo: '2100',
        trType: -1 as const,
        amount: money(total),
        memo: 'Employee payable',
        dimensions: { EMPLOYEEID: 'E1017', LOCATION: '100' },
        kind: 'counterparty' as const,
      },
    ],
    total: money(total),
    ...overrides,
  };
}

/** Appends PostingRequested to the document's stream, as the document decider would. */
export async function requestPosting(store: EventStore, entry: JournalEntry, eventId: string = randomUUID()): Promise<string> {
  const streamId = documentStreamId(entry.docType, entry.concurDocumentId);
  const data: PostingRequested = { postingKey: entry.postingKey, entry, reverses: null };
  await store.appendToStream(streamId, [newEvent('PostingRequested', data, { id: eventId, actor: 'system:test' })]);
  return streamId;
}

export const cents = (amount: string): number => {
  const [i, f = ''] = amount.split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0'));
};
