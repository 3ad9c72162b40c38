import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../journal/journal-entry.js';
import { deciderSpec } from '../../../test/support/given.js';
import { decide, documentDecider, LifecycleError, type DocumentCommand } from './decider.js';
import type { PostingError } from './events.js';
import { foldDocument, type DocumentEvent } from './state.js';

/** given(events).when(command).then(events): the shared decider specification (test/support/given.ts). */
const spec = deciderSpec(documentDecider);
function given(...events: DocumentEvent[]) {
  const g = spec.given(...events);
  return {
    state: g.state,
    when(command: DocumentCommand) {
      const w = g.when(command);
      return {
        then: (...expected: DocumentEvent[]) => (expected.length === 0 ? w.thenNothingHappened() : void w.then(...expected)),
        thenThrows: (message: RegExp) => w.thenThrows(LifecycleError, message),
      };
    },
  };
}

const entry = (key = 'ML-EXP-D1-1', amounts: [string, string] = ['24.30', '24.30']): JournalEntry => ({
  postingKey: key,
  docType: 'expense',
  concurDocumentId: 'D1',
  reportId: 'R1',
  journal: 'EXPJ',
  batchDate: '2026-06-30',
  batchTitle: 'Trip R1',
  currency: 'USD',
  total: amounts[0],
  lines: [
    { accountNo: '6500', trType: 1, amount: amounts[0], memo: 'Taxi', dimensions: { DEPARTMENT: 'D100' }, kind: 'expense' },
    { accountNo: '2050', trType: -1, amount: amounts[1], memo: 'Employee', dimensions: { EMPLOYEEID: 'E1' }, kind: 'counterparty' },
  ],
});

const received: DocumentEvent = {
  type: 'ConcurDocumentReceived',
  data: { docType: 'expense', concurDocumentId: 'D1', channel: 'webhook', notificationId: 'N1', href: null, reportId: null },
};
const fetched: DocumentEvent = {
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
};
const prepared: DocumentEvent = {
  type: 'JournalEntryPrepared',
  data: { postingKey: 'ML-EXP-D1-1', entry: entry(), mappingRevision: 3, closedPeriodPolicy: 'reject' },
};
const requested: DocumentEvent = { type: 'PostingRequested', data: { postingKey: 'ML-EXP-D1-1', entry: entry(), reverses: null } };
const succeeded: DocumentEvent = { type: 'PostingSucceeded', data: { postingKey: 'ML-EXP-D1-1', recordNo: '1001', outcome: 'created' } };
const transientError: PostingError = {
  category: 'transient',
  errorNo: null,
  description: 'HTTP 503',
  description2: null,
  correction: null,
  message: 'Intacct was unavailable',
};

/** Intacct's closed-period answer, as the classifier reads it. */
const closedPeriod = (firstOpenDate = '2026-07-01'): PostingError => ({
  category: 'closed-period',
  errorNo: 'BL01001973',
  description: null,
  description2: `The period for 06/30/2026 is closed. Date must be on or after ${firstOpenDate.slice(5, 7)}/${firstOpenDate.slice(8, 10)}/${firstOpenDate.slice(0, 4)}.`,
  correction: 'Reopen the period or post with a later date.',
  message: 'closed',
  firstOpenDate,
});
const rejectedBy = (error: PostingError): DocumentEvent => ({ type: 'PostingRejected', data: { postingKey: 'ML-EXP-D1-1', attempt: 1, error } });

describe('document lifecycle decider', () => {
  it('receives a new document once; a redelivered notification adds nothing', () => {
    given()
      .when({ type: 'ReceiveDocument', data: received.data as never })
      .then(received);
    given(received)
      .when({ type: 'ReceiveDocument', data: received.data as never })
      .then();
  });

  it('records the fetched document once', () => {
    given(received)
      .when({ type: 'RecordFetchedDocument', data: fetched.data as never })
      .then(fetched);
    given(received, fetched)
      .when({ type: 'RecordFetchedDocument', data: fetched.data as never })
      .then();
  });

  it('cannot prepare before the document is fetched', () => {
    given(received)
      .when({ type: 'RecordPreparation', data: { result: 'entry', entry: entry(), mappingRevision: 1 } })
      .thenThrows(/before the Concur document is fetched/);
  });

  it('a balanced entry is prepared and requested for posting', () => {
    given(received, fetched)
      .when({ type: 'RecordPreparation', data: { result: 'entry', entry: entry(), mappingRevision: 3 } })
      .then(prepared, requested);
    expect(foldDocument([received, fetched, prepared, requested]).status).toBe('POSTING');
  });

  it('an unbalanced entry is never requested: it is rejected with the difference', () => {
    given(received, fetched)
      .when({ type: 'RecordPreparation', data: { result: 'entry', entry: entry('ML-EXP-D1-1', ['24.30', '24.29']), mappingRevision: 3 } })
      .then({ type: 'DocumentRejectedByRules', data: { reason: 'document D1: debits and credits differ by 0.01', difference: null } });
  });

  it('mapping gaps park the document; the same gaps again record nothing', () => {
    const gaps = [{ kind: 'account' as const, code: '60000', field: 'accounts', lines: ['entry 1'], message: 'no account for 60000' }];
    const gapFound: DocumentEvent = { type: 'MappingGapFound', data: { gaps, mappingRevision: 2 } };
    given(received, fetched)
      .when({ type: 'RecordPreparation', data: { result: 'gaps', gaps, mappingRevision: 2 } })
      .then(gapFound);
    given(received, fetched, gapFound)
      .when({ type: 'RecordPreparation', data: { result: 'gaps', gaps, mappingRevision: 3 } })
      .then();
    expect(foldDocument([received, fetched, gapFound]).status).toBe('AWAITING_MAPPING');
    // After the mapping is fixed the entry is prepared.
    given(received, fetched, gapFound)
      .when({ type: 'RecordPreparation', data: { result: 'entry', entry: entry(), mappingRevision: 4 } })
      .then({ ...prepared, data: { ...(prepared.data as object), mappingRevision: 4 } } as DocumentEvent, requested);
  });

  it('records a success once; a repeat with the same RECORDNO is a no-op; a different RECORDNO is refused', () => {
    const outcome = { outcome: 'succeeded' as const, postingKey: 'ML-EXP-D1-1', recordNo: '1001', how: 'created' as const };
    given(received, fetched, prepared, requested).when({ type: 'RecordPostingOutcome', data: outcome }).then(succeeded);
    given(received, fetched, prepared, requested, succeeded).when({ type: 'RecordPostingOutcome', data: outcome }).then();
    given(received, fetched, prepared, requested, succeeded)
      .when({ type: 'RecordPostingOutcome', data: { ...outcome, recordNo: '1002' } })
      .thenThrows(/already posted as Intacct RECORDNO 1001/);
  });

  it('a late failure after success changes nothing', () => {
    given(received, fetched, prepared, requested, succeeded)
      .when({
        type: 'RecordPostingOutcome',
        data: { outcome: 'failed', postingKey: 'ML-EXP-D1-1', attempt: 2, error: transientError, nextAttemptAt: '2026-01-01T00:00:00Z' },
      })
      .then();
  });

  it('rejects an outcome for a posting key it never requested', () => {
    given(received, fetched, prepared, requested)
      .when({ type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey: 'OTHER', recordNo: '1', how: 'created' } })
      .thenThrows(/unknown posting key OTHER/);
  });

  it('failed -> retry allowed; posted -> retry refused', () => {
    const failed: DocumentEvent = {
      type: 'PostingFailed',
      data: { postingKey: 'ML-EXP-D1-1', attempt: 1, error: transientError, nextAttemptAt: '2026-01-01T00:00:00Z' },
    };
    expect(foldDocument([received, fetched, prepared, requested, failed]).status).toBe('FAILED');
    given(received, fetched, prepared, requested, failed)
      .when({ type: 'RequestRetry', data: { reason: 'operator' } })
      .then({ type: 'PostingRetryRequested', data: { reason: 'operator' } });
    given(received, fetched, prepared, requested, succeeded)
      .when({ type: 'RequestRetry', data: { reason: 'x' } })
      .thenThrows(/only FAILED, REJECTED or AWAITING_MAPPING/);
  });

  it('confirmation: success needs a RECORDNO, and is recorded once', () => {
    const confirm = { status: 'success' as const, documentNumber: '1001', serviceCode: 0, messages: [] };
    given(received, fetched, prepared, requested)
      .when({ type: 'RecordConfirmation', data: confirm })
      .thenThrows(/no Intacct RECORDNO/);
    const confirmed: DocumentEvent = { type: 'PostingConfirmedToConcur', data: confirm };
    given(received, fetched, prepared, requested, succeeded).when({ type: 'RecordConfirmation', data: confirm }).then(confirmed);
    given(received, fetched, prepared, requested, succeeded, confirmed).when({ type: 'RecordConfirmation', data: confirm }).then();
    expect(foldDocument([received, fetched, prepared, requested, succeeded, confirmed]).status).toBe('CONFIRMED');
  });

  it('superseding a posted document requests a mirror reversal linked to the old RECORDNO', () => {
    const [superseded, reversal] = decide(
      { type: 'Supersede', data: { byConcurDocumentId: 'D2' } },
      foldDocument([received, fetched, prepared, requested, succeeded]),
    );
    expect(superseded).toEqual({ type: 'DocumentSuperseded', data: { byConcurDocumentId: 'D2' } });
    expect(reversal?.type).toBe('PostingRequested');
    const data = reversal!.data as { postingKey: string; reverses: string; entry: JournalEntry };
    expect(data.postingKey).toBe('ML-EXP-D1-1-REV');
    expect(data.reverses).toBe('1001');
    expect(data.entry.lines.map((l) => l.trType)).toEqual([-1, 1]);
    const reversed: DocumentEvent = { type: 'PostingSucceeded', data: { postingKey: 'ML-EXP-D1-1-REV', recordNo: '1002', outcome: 'created' } };
    const state = foldDocument([received, fetched, prepared, requested, succeeded, superseded!, reversal!, reversed]);
    expect(state.status).toBe('REVERSED');
    expect(state.recordNo).toBe('1001');
    expect(state.reversal).toMatchObject({ postingKey: 'ML-EXP-D1-1-REV', recordNo: '1002', rejected: false });
  });

  it('superseding an unposted document only marks it; no reversal', () => {
    given(received, fetched)
      .when({ type: 'Supersede', data: { byConcurDocumentId: 'D2' } })
      .then({ type: 'DocumentSuperseded', data: { byConcurDocumentId: 'D2' } });
  });

  it('once a posting is requested, nothing re-evaluates it behind the worker: only an answer from Intacct or a retry moves it', () => {
    const failed: DocumentEvent = {
      type: 'PostingFailed',
      data: { postingKey: 'ML-EXP-D1-1', attempt: 1, error: transientError, nextAttemptAt: '2026-01-01T00:00:00Z' },
    };
    const remapped = { type: 'RecordPreparation', data: { result: 'entry', entry: { ...entry(), batchTitle: 'Other' }, mappingRevision: 9 } } as const;
    given(received, fetched, prepared, requested).when(remapped).then();
    given(received, fetched, prepared, requested, failed).when(remapped).then();
    given(received, fetched, prepared, requested, rejectedBy(closedPeriod())).when(remapped).then();
  });

  it('a retry of a refused document carries its new evaluation: retry, entry and request in one decision', () => {
    const now = { ...entry(), lines: entry().lines.map((l) => (l.kind === 'expense' ? { ...l, accountNo: '6200' } : l)) };
    given(received, fetched, prepared, requested, rejectedBy(closedPeriod()))
      .when({
        type: 'RequestRetry',
        data: { reason: 'remapped', preparation: { result: 'entry', entry: now, mappingRevision: 5, closedPeriodPolicy: 'reject' } },
      })
      .then(
        { type: 'PostingRetryRequested', data: { reason: 'remapped' } },
        { type: 'JournalEntryPrepared', data: { postingKey: 'ML-EXP-D1-1', entry: now, mappingRevision: 5, closedPeriodPolicy: 'reject' } },
        { type: 'PostingRequested', data: { postingKey: 'ML-EXP-D1-1', entry: now, reverses: null } },
      );
    // Without its evaluation a retry of a fetched, refused document is refused: it would post a stale entry.
    given(received, fetched, prepared, requested, rejectedBy(closedPeriod()))
      .when({ type: 'RequestRetry', data: { reason: 'x' } })
      .thenThrows(/must carry the document's new evaluation/);
  });

  it("a retry with a batch date records the operator's date beside the original; a FAILED posting cannot be re-dated", () => {
    const moved = { ...entry(), batchDate: '2026-07-01', originalBatchDate: '2026-06-30' };
    const [asked] = decide(
      { type: 'RequestRetry', data: { reason: 'June is closed', batchDate: '2026-07-01', preparation: { result: 'entry', entry: moved, mappingRevision: 3 } } },
      foldDocument([received, fetched, prepared, requested, rejectedBy(closedPeriod())]),
    );
    expect(asked).toEqual({ type: 'PostingRetryRequested', data: { reason: 'June is closed', batchDate: '2026-07-01', originalBatchDate: '2026-06-30' } });
    expect(foldDocument([received, fetched, prepared, requested, asked!]).batchDateOverride).toBe('2026-07-01');
    const failed: DocumentEvent = {
      type: 'PostingFailed',
      data: { postingKey: 'ML-EXP-D1-1', attempt: 1, error: transientError, nextAttemptAt: '2026-01-01T00:00:00Z' },
    };
    given(received, fetched, prepared, requested, failed)
      .when({ type: 'RequestRetry', data: { reason: 'x', batchDate: '2026-07-01' } })
      .thenThrows(/may have reached Intacct/);
  });

  it('a closed period under next-open-period re-dates the entry to the first open date Intacct named, in the same decision', () => {
    const policy: DocumentEvent = { ...prepared, data: { ...(prepared.data as object), closedPeriodPolicy: 'next-open-period' } } as DocumentEvent;
    const outcome = { outcome: 'rejected' as const, postingKey: 'ML-EXP-D1-1', attempt: 1, error: closedPeriod('2026-07-01') };
    const [rejected, redated, again] = decide({ type: 'RecordPostingOutcome', data: outcome }, foldDocument([received, fetched, policy, requested]));
    expect(rejected).toEqual(rejectedBy(closedPeriod('2026-07-01')));
    expect(redated).toEqual({
      type: 'JournalEntryRedated',
      data: {
        postingKey: 'ML-EXP-D1-1',
        originalBatchDate: '2026-06-30',
        batchDate: '2026-07-01',
        policy: 'next-open-period',
        reason: 'The period for 06/30/2026 is closed. Date must be on or after 07/01/2026.',
      },
    });
    const sent = (again!.data as { entry: JournalEntry }).entry;
    expect([again!.type, sent.batchDate, sent.originalBatchDate, sent.batchTitle]).toEqual([
      'PostingRequested',
      '2026-07-01',
      '2026-06-30',
      'Trip R1 (R1), Concur date 2026-06-30',
    ]);
    expect(sent.lines).toEqual(entry().lines);
    expect(foldDocument([received, fetched, policy, requested, rejected!, redated!, again!]).status).toBe('POSTING');
    // The default policy leaves it to a person; and a date that does not move forward is never retried.
    given(received, fetched, prepared, requested)
      .when({ type: 'RecordPostingOutcome', data: outcome })
      .then(rejectedBy(closedPeriod('2026-07-01')));
    given(received, fetched, policy, requested)
      .when({ type: 'RecordPostingOutcome', data: { ...outcome, error: closedPeriod('2026-06-01') } })
      .then(rejectedBy(closedPeriod('2026-06-01')));
  });

  it('a posting that lands after its document was superseded is recorded and reversed at once', () => {
    const superseded: DocumentEvent = { type: 'DocumentSuperseded', data: { byConcurDocumentId: 'D2' } };
    const [success, reversal] = decide(
      { type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey: 'ML-EXP-D1-1', recordNo: '1001', how: 'found-existing' } },
      foldDocument([received, fetched, prepared, requested, superseded]),
    );
    expect(success).toEqual({ type: 'PostingSucceeded', data: { postingKey: 'ML-EXP-D1-1', recordNo: '1001', outcome: 'found-existing' } });
    expect(reversal).toMatchObject({ type: 'PostingRequested', data: { postingKey: 'ML-EXP-D1-1-REV', reverses: '1001' } });
  });

  it('a superseded document is not prepared again', () => {
    given(received, fetched, { type: 'DocumentSuperseded', data: { byConcurDocumentId: 'D2' } })
      .when({ type: 'RecordPreparation', data: { result: 'entry', entry: entry(), mappingRevision: 1 } })
      .then();
  });
});
