import { seededRandom as random } from '../../src/adapters/intacct/simulator/faults.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runDocumentCommand } from '../../src/domain/document/command-handler.js';
import { LifecycleError, type DocumentCommand, type Preparation } from '../../src/domain/document/decider.js';
import { documentStreamId, type PostingError } from '../../src/domain/document/events.js';
import { foldDocument, type DocumentState } from '../../src/domain/document/state.js';
import { postingKeyFor, reversalKeyFor, type JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { PostingQueries, type PostingRow } from '../../src/projections/posting-queries.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { tempEnvironment } from './harness.js';

/**
 * One state machine: the posting-state read model and the domain's fold must never disagree. Random
 * lifecycles (every command the decider takes, in random order, refused ones skipped) are written
 * through the real command handler to a real SQLite store; the projection's row of each document must
 * say what `foldDocument` of its stream says. Seeded, so a failure replays.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const error = (category: PostingError['category'], message: string, firstOpenDate: string | null = null): PostingError => ({
  category,
  errorNo: 'BL01001973',
  description: message,
  description2: null,
  correction: null,
  message,
  firstOpenDate,
});

function entry(docId: string, version: number, batchDate: string): JournalEntry {
  return {
    postingKey: postingKeyFor('expense', docId, String(version)),
    docType: 'expense',
    concurDocumentId: docId,
    reportId: `R-${docId}`,
    journal: 'EXPJ',
    batchDate,
    batchTitle: `Report ${docId}`,
    currency: 'USD',
    lines: [
      { accountNo: '6400', trType: 1, amount: '10.00', memo: 'm', dimensions: {}, kind: 'expense' },
      { accountNo: '2000', trType: -1, amount: '10.00', memo: 'm', dimensions: {}, kind: 'counterparty' },
    ],
    total: '10.00',
  };
}

function nextCommand(rnd: () => number, docId: string, state: DocumentState, step: number): DocumentCommand {
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)]!;
  const preparation = (): Preparation =>
    pick<Preparation>([
      {
        result: 'entry',
        entry: entry(docId, step, pick(['2026-11-02', '2026-12-01'])),
        mappingRevision: step,
        closedPeriodPolicy: pick(['reject', 'next-open-period']),
      },
      {
        result: 'gaps',
        gaps: [{ kind: 'account', field: 'expenseTypeCode', code: pick(['AIRFR', 'constructor']), lines: ['entry 1'], message: 'no account' }],
        mappingRevision: step,
      },
      { result: 'rejected', reason: 'rules refuse it', difference: null },
    ]);
  const keys = [state.postingKey, state.reversal?.postingKey, state.reversal?.postingKey, state.postingKey, postingKeyFor('expense', docId, '0')].filter(
    (k): k is string => Boolean(k),
  );
  const outcome = (): DocumentCommand => {
    const postingKey = pick(keys);
    return {
      type: 'RecordPostingOutcome',
      data: pick([
        { outcome: 'succeeded', postingKey, recordNo: pick(['7001', '7002']), how: 'created' } as const,
        {
          outcome: 'failed',
          postingKey,
          attempt: state.attempts + 1,
          error: error('transient', 'timeout'),
          nextAttemptAt: '2026-12-02T10:00:00.000Z',
        } as const,
        {
          outcome: 'rejected',
          postingKey,
          attempt: state.attempts + 1,
          error: pick([error('validation', 'bad account'), error('closed-period', 'period closed', '2026-12-01')]),
        } as const,
      ]),
    };
  };
  // Mostly the next step of a real lifecycle, sometimes anything at all (which the decider may refuse),
  // so every status is reached and every refusal is tried.
  const fetched = (): DocumentCommand => ({
    type: 'RecordFetchedDocument',
    data: {
      docType: 'expense',
      concurDocumentId: docId,
      reportId: `R-${docId}`,
      reportName: `Trip ${docId}`,
      employeeId: 'E1',
      amount: '10.00',
      currency: 'USD',
      version: '1',
      document: {},
    },
  });
  const r = rnd();
  if (r < 0.6) {
    switch (state.status) {
      case 'RECEIVED':
        return fetched();
      case 'FETCHED':
      case 'AWAITING_MAPPING':
        return { type: 'RecordPreparation', data: preparation() };
      case 'POSTING':
      case 'FAILED':
        return outcome();
      case 'POSTED':
        return r < 0.4
          ? { type: 'RecordConfirmation', data: { status: 'success', documentNumber: state.recordNo, serviceCode: 0, messages: [] } }
          : { type: 'Supersede', data: { byConcurDocumentId: `${docId}-NEW` } };
      case 'SUPERSEDED':
        if (state.reversal && state.reversal.recordNo === null) {
          return { type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey: state.reversal.postingKey, recordNo: '7100', how: 'created' } };
        }
        break;
      case 'REJECTED':
        return { type: 'RequestRetry', data: { reason: 'fixed', batchDate: pick([null, '2026-12-05']), preparation: preparation() } };
    }
  }
  return pick<() => DocumentCommand>([
    () => ({
      type: 'ReceiveDocument',
      data: { docType: 'expense', concurDocumentId: docId, channel: 'webhook', notificationId: null, href: null, reportId: `R-${docId}` },
    }),
    fetched,
    () => ({ type: 'RecordAcknowledgement', data: { systemId: 'ML-CONNECTOR', serviceCode: 0 } }),
    () => ({ type: 'RecordPreparation', data: preparation() }),
    () => ({ type: 'RecordPreparation', data: preparation() }),
    outcome,
    outcome,
    outcome,
    () => ({ type: 'RequestRetry', data: { reason: 'fixed', batchDate: pick([null, '2026-12-05']), preparation: preparation() } }),
    () => ({ type: 'RecordConfirmation', data: { status: pick(['success', 'error'] as const), documentNumber: state.recordNo, serviceCode: 0, messages: [] } }),
    () => ({ type: 'RecordRecall', data: { serviceCode: pick([102, 112, 116]), reason: 'recalled' } }),
    () => ({ type: 'Supersede', data: { byConcurDocumentId: `${docId}-NEW` } }),
  ])();
}

/** The read-model columns as the domain's state says they must be. */
function expectedRow(state: DocumentState): Partial<PostingRow> {
  return {
    status: state.status!,
    concurDocumentId: state.concurDocumentId!,
    reportId: state.reportId,
    reportName: state.reportName,
    version: state.version,
    postingKey: state.postingKey,
    intacctRecordNo: state.recordNo,
    batchDate: state.batchDate,
    attempts: state.attempts,
    supersededBy: state.supersededBy,
    rejectionReason: state.rejectionReason,
    gaps: state.gaps,
    lastError: state.lastError,
  };
}

describe('posting-state read model and the domain fold: one state machine', () => {
  it('agree on every column for 300 random lifecycles written through the command handler', async () => {
    const env = await tempEnvironment();
    const runner = ProjectionRunner.start({ store: env.store, databasePath: env.readModels, projections: [postingStateProjection] });
    cleanups.push(async () => {
      await runner.stop();
      await env.cleanup();
    });
    const rnd = random(20261202);
    const ids: string[] = [];
    let refused = 0;
    const visited = new Set<string>();
    for (let d = 0; d < 300; d++) {
      const docId = `DOC${d}`;
      const streamId = documentStreamId('expense', docId);
      ids.push(streamId);
      await runDocumentCommand(
        env.store,
        streamId,
        nextCommand(() => 0, docId, foldDocument([]), 0),
        `${docId}:0`,
        { actor: 'test' },
      );
      for (let step = 1; step < 6 + Math.floor(rnd() * 30); step++) {
        const state = foldDocument(await env.store.readStream(streamId));
        visited.add(state.status!);
        try {
          await runDocumentCommand(env.store, streamId, nextCommand(rnd, docId, state, step), `${docId}:${step}`, { actor: 'test' });
        } catch (e) {
          if (!(e instanceof LifecycleError)) throw e;
          refused++;
        }
      }
    }
    await runner.waitFor(await env.store.headPosition());
    const queries = new PostingQueries(runner.db);
    for (const id of ids) {
      const state = foldDocument(await env.store.readStream(id));
      const row = queries.get(id)!;
      expect({ id, ...pickKeys(row, expectedRow(state)) }).toEqual({ id, ...expectedRow(state) });
    }
    // The generator reaches every corner of the lifecycle, refusals included.
    expect([...visited].sort()).toEqual(
      expect.arrayContaining(['AWAITING_MAPPING', 'CONFIRMED', 'FAILED', 'POSTED', 'POSTING', 'RECEIVED', 'REJECTED', 'REVERSED', 'SUPERSEDED']),
    );
    expect(refused).toBeGreaterThan(50);
  }, 120_000);
});

function pickKeys<T extends object>(row: T, like: object): Partial<T> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, (row as Record<string, unknown>)[k]])) as Partial<T>;
}
