/**
 * A document that becomes several Intacct records: each posted exactly once, the document POSTED when
 * all are, a partial success visible per record and retried record by record, a resubmission reversing
 * each posted record by its own key.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../journal/journal-entry.js';
import { decide, LifecycleError, type Preparation } from './decider.js';
import type { PostingError } from './events.js';
import { evolve, failedPostingKeys, foldDocument, initialDocumentState, outstandingPosting, type DocumentEvent, type DocumentState } from './state.js';

const record = (suffix: string, target: JournalEntry['target'], amount = '40.00'): JournalEntry => ({
  postingKey: suffix ? `ML-EXP-D1-1-${suffix}` : 'ML-EXP-D1-1',
  docType: 'expense',
  concurDocumentId: 'D1',
  reportId: 'R1',
  journal: 'EXPJ',
  batchDate: '2026-06-30',
  batchTitle: 'Trip (R1)',
  currency: 'USD',
  total: amount,
  ...(target ? { target, party: target === 'EEXPENSES' ? { employeeId: 'E1' } : { cardAccount: 'CC-AMEX', payee: 'Hotel' } } : {}),
  lines: [
    { accountNo: '6400', trType: 1, amount, memo: 'Meal', dimensions: {}, kind: 'expense' },
    { accountNo: target ? '' : '2050', trType: -1, amount, memo: 'Employee', dimensions: {}, kind: 'counterparty', ...(target ? { offset: true } : {}) },
  ],
});

const ee = record('EE', 'EEXPENSES');
const cc = record('CC1', 'CCTRANSACTION', '100.00');
const error = (category: PostingError['category']): PostingError => ({
  category,
  errorNo: 'BL01001973',
  description: null,
  description2: category === 'validation' ? 'Vendor AMEX is not valid' : 'HTTP 503',
  correction: null,
  message: category,
});

const start: DocumentEvent[] = [
  {
    type: 'ConcurDocumentReceived',
    data: { docType: 'expense', concurDocumentId: 'D1', channel: 'webhook', notificationId: 'N1', href: null, reportId: 'R1' },
  },
  {
    type: 'ConcurDocumentFetched',
    data: {
      docType: 'expense',
      concurDocumentId: 'D1',
      reportId: 'R1',
      reportName: 'Trip',
      employeeId: 'E1',
      amount: '140.00',
      currency: 'USD',
      version: '1',
      document: {},
    },
  },
];

/** Runs commands through decide + evolve, as the command handler does. */
function run(events: DocumentEvent[], ...commands: Parameters<typeof decide>[0][]): { state: DocumentState; events: DocumentEvent[] } {
  let state = foldDocument(events);
  const all = [...events];
  for (const command of commands) {
    for (const e of decide(command, state)) {
      state = evolve(state, e);
      all.push(e);
    }
  }
  return { state, events: all };
}

const preparation = (...records: JournalEntry[]): Preparation => ({ result: 'entry', entry: records[0]!, records, mappingRevision: 1 });
const outcome = (postingKey: string, recordNo: string) =>
  ({ type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey, recordNo, how: 'created' } }) as const;
const refused = (postingKey: string) =>
  ({ type: 'RecordPostingOutcome', data: { outcome: 'rejected', postingKey, attempt: 1, error: error('validation') } }) as const;

describe('a document of several records', () => {
  it('requests each record once under its own key, and is POSTED (and confirmable) only when all are', () => {
    const { state, events } = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) });
    expect(events.filter((e) => e.type === 'PostingRequested').map((e) => e.data.postingKey)).toEqual(['ML-EXP-D1-1-EE', 'ML-EXP-D1-1-CC1']);
    expect(state.status).toBe('POSTING');
    const half = run(events, outcome(ee.postingKey, '501'));
    expect(half.state.status).toBe('POSTING');
    expect(half.state.recordNo).toBeNull();
    expect(half.state.records.map((r) => [r.target, r.status, r.recordNo])).toEqual([
      ['EEXPENSES', 'POSTED', '501'],
      ['CCTRANSACTION', 'POSTING', null],
    ]);
    expect(() => decide({ type: 'RecordConfirmation', data: { status: 'success', documentNumber: '501', serviceCode: 0, messages: [] } }, half.state)).toThrow(
      LifecycleError,
    );
    const all = run(half.events, outcome(cc.postingKey, '502'), outcome(cc.postingKey, '502'));
    expect(all.state.status).toBe('POSTED');
    expect(all.state.recordNo).toBe('501');
    // A repeated success adds nothing; a second RECORDNO for one record is refused.
    expect(all.events.filter((e) => e.type === 'PostingSucceeded')).toHaveLength(2);
    expect(() => decide(outcome(cc.postingKey, '999'), all.state)).toThrow(/already posted as Intacct RECORDNO 502/);
  });

  it('a partial success: the refused record is retried alone, the posted one is never requested again', () => {
    const posted = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) }, outcome(ee.postingKey, '501'), refused(cc.postingKey));
    expect(posted.state.status).toBe('REJECTED');
    expect(posted.state.records.map((r) => r.status)).toEqual(['POSTED', 'REJECTED']);
    const fixed = { ...cc, party: { cardAccount: 'CC-VISA', payee: 'Hotel' } };
    const retried = run(posted.events, {
      type: 'RequestRetry',
      data: { reason: 'card account fixed', preparation: preparation({ ...ee, total: '999.00' }, fixed) },
    });
    const after = retried.events.slice(posted.events.length);
    expect(after.filter((e) => e.type === 'PostingRequested').map((e) => e.data.postingKey)).toEqual([cc.postingKey]);
    // The posted record keeps the entry it was posted with, whatever the new evaluation says.
    expect(retried.state.records[0]!.entry!.total).toBe('40.00');
    expect(outstandingPosting(retried.state, ee.postingKey)).toBeNull();
    expect(outstandingPosting(retried.state, cc.postingKey)!.entry.party).toEqual({ cardAccount: 'CC-VISA', payee: 'Hotel' });
    expect(run(retried.events, outcome(cc.postingKey, '503')).state.status).toBe('POSTED');
  });

  it('refuses a retry whose plan drops a record already in Intacct (the targets changed), saying what to do', () => {
    const posted = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) }, outcome(ee.postingKey, '501'), refused(cc.postingKey));
    const asJournal = record('', undefined, '140.00');
    expect(() => run(posted.events, { type: 'RequestRetry', data: { reason: 'x', preparation: preparation(asJournal) } })).toThrow(
      /EEXPENSES ML-EXP-D1-1-EE \(RECORDNO 501\) is already in Intacct.*Restore the targets/,
    );
  });

  it('an automatic retry makes every failed record due, and only those', () => {
    const failed = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) }, outcome(ee.postingKey, '501'), {
      type: 'RecordPostingOutcome',
      data: { outcome: 'failed', postingKey: cc.postingKey, attempt: 1, error: error('transient'), nextAttemptAt: '2026-07-01T00:00:00.000Z' },
    });
    expect(failed.state.status).toBe('FAILED');
    expect(failed.state.nextAttemptAt).toBe('2026-07-01T00:00:00.000Z');
    expect(failedPostingKeys(failed.state)).toEqual([cc.postingKey]);
  });

  it('a resubmission reverses each posted record under its own reversal key, the document REVERSED when all are', () => {
    const posted = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) }, outcome(ee.postingKey, '501'), outcome(cc.postingKey, '502'));
    const superseded = run(posted.events, { type: 'Supersede', data: { byConcurDocumentId: 'D2' } });
    const reversals = superseded.events.filter((e) => e.type === 'PostingRequested' && e.data.reverses !== null);
    expect(reversals.map((e) => e.type === 'PostingRequested' && [e.data.postingKey, e.data.reverses, e.data.entry.target])).toEqual([
      ['ML-EXP-D1-1-EE-REV', '501', 'EEXPENSES'],
      ['ML-EXP-D1-1-CC1-REV', '502', 'CCTRANSACTION'],
    ]);
    const one = run(superseded.events, outcome('ML-EXP-D1-1-EE-REV', '601'));
    expect(one.state.status).toBe('SUPERSEDED');
    const both = run(one.events, outcome('ML-EXP-D1-1-CC1-REV', '602'));
    expect(both.state.status).toBe('REVERSED');
  });

  it('a record that lands after the resubmission is reversed at once; one that never went out is not', () => {
    const sent = run(start, { type: 'RecordPreparation', data: preparation(ee, cc) }, outcome(ee.postingKey, '501'), {
      type: 'Supersede',
      data: { byConcurDocumentId: 'D2' },
    });
    expect(outstandingPosting(sent.state, cc.postingKey)).toBeNull();
    const landed = run(sent.events, outcome(cc.postingKey, '502'));
    const keys = landed.events
      .filter((e) => e.type === 'PostingRequested' && e.data.reverses !== null)
      .map((e) => e.type === 'PostingRequested' && e.data.postingKey);
    expect(keys).toEqual(['ML-EXP-D1-1-EE-REV', 'ML-EXP-D1-1-CC1-REV']);
  });

  it('folds a stream recorded before targets (one GLBATCH, no records list) to one record', () => {
    const gl = record('', undefined, '24.30');
    const state = [
      ...start,
      { type: 'JournalEntryPrepared', data: { postingKey: gl.postingKey, entry: gl, mappingRevision: 1 } },
      { type: 'PostingRequested', data: { postingKey: gl.postingKey, entry: gl, reverses: null } },
      { type: 'PostingSucceeded', data: { postingKey: gl.postingKey, recordNo: '77', outcome: 'created' } },
    ].reduce((s, e) => evolve(s, e as DocumentEvent), initialDocumentState());
    expect(state.records.map((r) => [r.target, r.recordNo])).toEqual([['GLBATCH', '77']]);
    expect([state.status, state.recordNo]).toEqual(['POSTED', '77']);
  });
});
