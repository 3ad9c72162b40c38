import { afterEach, describe, expect, it } from 'vitest';
import { ConcurBackfill } from '../../src/adapters/concur/backfill.js';
import { runDocumentCommand } from '../../src/domain/document/command-handler.js';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { FisDocumentGateway } from '../../src/adapters/concur/gateway.js';
import { FisQueuePoller } from '../../src/adapters/concur/poller.js';
import { generateExpenseDocument, generateInvoiceDocument } from '../../src/adapters/concur/simulator/index.js';
import { documentStreamId, type ConcurDocumentFetched, type PostingConfirmedToConcur } from '../../src/domain/document/events.js';
import { foldDocument } from '../../src/domain/document/state.js';
import { postingKeyFor, type JournalEntry } from '../../src/domain/journal/journal-entry.js';
import { FIS_DIR } from '../fixtures/concur/index.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

const types = async (docType: 'expense' | 'invoice', id: string) => (await h.store.readStream(documentStreamId(docType, id))).map((e) => e.type);

async function rejectDocument(docId: string, message: string): Promise<void> {
  const streamId = documentStreamId('expense', docId);
  const entry = entryFor(docId);
  const meta = { actor: 'system:test' };
  await runDocumentCommand(h.store, streamId, { type: 'RecordPreparation', data: { result: 'entry', entry, mappingRevision: 1 } }, `prep-${docId}`, meta);
  await runDocumentCommand(
    h.store,
    streamId,
    {
      type: 'RecordPostingOutcome',
      data: {
        outcome: 'rejected',
        postingKey: entry.postingKey,
        attempt: 1,
        error: { category: 'validation', errorNo: 'BL01001973', description: message, description2: null, correction: null, message },
      },
    },
    `rejected-${docId}`,
    meta,
  );
}

function entryFor(docId: string): JournalEntry {
  return {
    postingKey: postingKeyFor('expense', docId, '1'),
    docType: 'expense',
    concurDocumentId: docId,
    reportId: null,
    journal: 'EXPJ',
    batchDate: '2026-11-28',
    batchTitle: 'test',
    currency: 'USD',
    lines: [
      { accountNo: '6400', trType: 1, amount: '62.49', memo: 'm', dimensions: {}, kind: 'expense' },
      { accountNo: '2000', trType: -1, amount: '62.49', memo: 'm', dimensions: {}, kind: 'counterparty' },
    ],
    total: '62.49',
  };
}

async function postDocument(docId: string, recordNo: string): Promise<void> {
  const streamId = documentStreamId('expense', docId);
  const entry = entryFor(docId);
  const meta = { actor: 'system:test' };
  await runDocumentCommand(h.store, streamId, { type: 'RecordPreparation', data: { result: 'entry', entry, mappingRevision: 1 } }, `prep-${docId}`, meta);
  await runDocumentCommand(
    h.store,
    streamId,
    { type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey: entry.postingKey, recordNo, how: 'created' } },
    `ok-${docId}`,
    meta,
  );
}

describe('FIS fetch, acknowledge and confirm against the simulator', () => {
  it('polls the queue (SAP sample page shape) and records the five SAP fixture documents, acknowledged', async () => {
    h = await startHarness({ fixtureDir: FIS_DIR });
    const poller = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0, pageSize: 2 });
    expect(await poller.pollOnce()).toBe(5);
    expect(await poller.pollOnce()).toBe(0);
    await h.settle();
    expect(await poller.pollOnce()).toBe(0);
    const fetched = (await h.store.readAll()).filter((e) => e.type === 'ConcurDocumentFetched').map((e) => e.data as ConcurDocumentFetched);
    expect(fetched.map((f) => [f.reportId, f.amount, f.currency]).sort()).toEqual([
      ['0C45F960C3064ED88C39', '325.00', 'USD'],
      ['6517F735E33A47B98D80', '-50.00', 'USD'],
      ['B1041655B4CE4171BDAA', null, 'USD'],
      ['CDFDE0F4CACE4426A913', '79.10', 'USD'],
      ['F071FADEA6B142DD884A', '10.00', 'EUR'],
    ]);
    expect((await types('expense', 'f7a675d035bc44419cc0df2389c5b10c')).slice(0, 3)).toEqual([
      'ConcurDocumentReceived',
      'ConcurDocumentFetched',
      'ConcurDocumentAcknowledged',
    ]);
    expect(h.sim.state.fisCalls.filter((c) => c.kind === 'acknowledgement').map((c) => c.code)).toEqual([0, 0, 0, 0, 0]);
  });

  it('reads the documented {content, page} shape and invoices too', async () => {
    h = await startHarness({ fixtureDir: false });
    h.sim.state.responseShape = 'content';
    for (let i = 0; i < 3; i++) h.sim.addDocument(generateExpenseDocument());
    const invoice = h.sim.addDocument(generateInvoiceDocument());
    const poller = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0, pageSize: 2 });
    expect(await poller.pollOnce()).toBe(4);
    await h.settle();
    const inv = foldDocument(await h.store.readStream(documentStreamId('invoice', invoice.id)));
    expect(inv).toMatchObject({ fetched: true, docType: 'invoice' });
  });

  it('fetches the document named by a webhook notification, then acknowledges it', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument({ entryCents: [1250, 4999] }));
    const ingest = new ConcurNotificationIngest(h.store);
    await ingest.ingest(h.sim.ess.documentReady('expense', doc.id, h.sim.url), 'webhook');
    await h.settle();
    const fetched = (await h.store.readStream(documentStreamId('expense', doc.id))).find((e) => e.type === 'ConcurDocumentFetched')!
      .data as ConcurDocumentFetched;
    expect(fetched).toMatchObject({ amount: '62.49', currency: 'USD', employeeId: 'E1001', version: '1' });
    expect(h.sim.state.documents.get(doc.id)!.status).toBe('ACKNOWLEDGED');
  });

  it('records a recall: before acknowledgement (102) and at confirmation (112)', async () => {
    h = await startHarness({ fixtureDir: false });
    const early = h.sim.addDocument(generateExpenseDocument());
    h.sim.state.recall(early.id);
    // Recalled documents leave the queue; a notification still names it.
    expect(await h.receive({ docType: 'expense', docId: early.id, channel: 'webhook' })).toBe('recorded');
    await h.settle();
    expect(await types('expense', early.id)).toEqual(['ConcurDocumentReceived', 'DocumentRecalled']);
    expect(h.queries.get(documentStreamId('expense', early.id))!.status).toBe('SUPERSEDED');

    const late = h.sim.addDocument(generateExpenseDocument());
    expect(await h.receive({ docType: 'expense', docId: late.id, channel: 'fis-poll' })).toBe('recorded');
    await h.settle();
    await postDocument(late.id, '4711');
    h.sim.state.recall(late.id);
    await h.settle();
    await h.settle();
    expect(h.sim.state.confirmations(late.id).map((c) => c.code)).toEqual([112]);
    const stream = await h.store.readStream(documentStreamId('expense', late.id));
    expect(stream.at(-1)).toMatchObject({ type: 'DocumentRecalled', data: { serviceCode: 112 } });
    // The entry stays in the books (POSTED) until someone decides; Concur is not asked again.
    expect(h.queries.get(documentStreamId('expense', late.id))).toMatchObject({ status: 'POSTED', concurConfirmation: 'recalled', intacctRecordNo: '4711' });
  });

  it('confirms a posting to Concur with the Intacct RECORDNO, once', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    await h.receive({ docType: 'expense', docId: doc.id, channel: 'fis-poll' });
    await h.settle();
    await postDocument(doc.id, '90210');
    await h.settle();
    await h.settle();
    const sent = h.sim.state.confirmations(doc.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ code: 0, body: { docId: doc.id, overallPostingStatusCode: 'success', postingDocs: [{ documentNumber: '90210' }] } });
    const confirmed = (await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'PostingConfirmedToConcur');
    expect(confirmed.map((e) => e.data as PostingConfirmedToConcur)).toEqual([{ status: 'success', documentNumber: '90210', serviceCode: 0, messages: [] }]);
    expect(foldDocument(await h.store.readStream(documentStreamId('expense', doc.id))).status).toBe('CONFIRMED');
    // A repeat at the FIS level answers 113.
    expect(
      (await new FisDocumentGateway(h.fis).confirm('expense', { docId: doc.id, status: 'success', documentNumber: '90210', postingDate: null, messages: [] }))
        .code,
    ).toBe(113);
    await h.settle();
    expect((await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'PostingConfirmedToConcur')).toHaveLength(1);
  });

  it('sends an error confirmation with systemMessages, and retries later on code 199', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    await h.receive({ docType: 'expense', docId: doc.id, channel: 'fis-poll' });
    await h.settle();
    await rejectDocument(doc.id, 'Account 6400 is closed for period 2026-11');
    h.sim.faults.fisRetryLater = 1;
    await h.settle();
    expect(h.pipelineLog.some((l) => l.includes(`could not confirm expense document ${doc.id}; will retry`))).toBe(true);
    h.pipeline['backoff'].clear();
    await h.settle();
    expect(h.sim.state.confirmations(doc.id).map((c) => c.code)).toEqual([199, 0]);
    expect(h.queries.get(documentStreamId('expense', doc.id))!.concurConfirmation).toBe('error');
    expect(h.sim.state.confirmations(doc.id)[1]!.body).toMatchObject({
      overallPostingStatusCode: 'error',
      systemMessages: [{ messageText: 'Account 6400 is closed for period 2026-11' }],
    });
  });

  it('supersedes the earlier document when a recalled report is resubmitted under a new document id', async () => {
    h = await startHarness({ fixtureDir: false });
    const first = h.sim.addDocument(generateExpenseDocument({ reportId: 'REPORT-RESUB' }));
    await h.receive({ docType: 'expense', docId: first.id, channel: 'fis-poll' });
    await h.settle();
    const second = h.sim.addDocument(generateExpenseDocument({ reportId: 'REPORT-RESUB' }));
    await h.receive({ docType: 'expense', docId: second.id, channel: 'fis-poll' });
    await h.settle();
    const old = await h.store.readStream(documentStreamId('expense', first.id));
    expect(old.at(-1)).toMatchObject({ type: 'DocumentSuperseded', data: { byConcurDocumentId: second.id } });
    expect(foldDocument(await h.store.readStream(documentStreamId('expense', second.id))).status).not.toBe('SUPERSEDED');
  });

  it('backfills a date range: dry run lists, the real run records, and beside the poller nothing doubles', async () => {
    h = await startHarness({ fixtureDir: false });
    const inRange = [1, 2, 3].map((d) => h.sim.addDocument(generateExpenseDocument({ submitDate: `2026-03-0${d}T10:00:00.000Z` })));
    h.sim.addDocument(generateExpenseDocument({ submitDate: '2026-05-01T10:00:00.000Z' }));
    const backfill = new ConcurBackfill(h.store, h.api, h.fis, h.receive);
    const progress: number[] = [];
    const dry = await backfill.run({ from: '2026-03-01', to: '2026-03-31', dryRun: true, onProgress: (p) => p.total !== null && progress.push(p.done) });
    expect(dry.items.map((i) => i.state)).toEqual(['would-post', 'would-post', 'would-post']);
    expect(dry.items.map((i) => i.concurDocumentId).sort()).toEqual(inRange.map((d) => d.id).sort());
    expect(progress).toEqual([1, 2, 3]);
    expect(await h.store.headPosition()).toBe(-1n);
    const poller = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0 });
    const [real] = await Promise.all([backfill.run({ from: '2026-03-01', to: '2026-03-31' }), poller.pollOnce(), h.settle()]);
    expect(real.items.every((i) => i.state === 'recorded' || i.state === 'already-known')).toBe(true);
    await h.settle();
    for (const d of inRange) {
      const stream = await h.store.readStream(documentStreamId('expense', d.id));
      expect(stream.filter((e) => e.type === 'ConcurDocumentFetched')).toHaveLength(1);
      expect(stream.filter((e) => e.type === 'ConcurDocumentReceived')).toHaveLength(1);
    }
    const again = await backfill.run({ from: '2026-03-01', to: '2026-03-31' });
    expect(again.items.map((i) => i.state)).toEqual(['already-known', 'already-known', 'already-known']);
  });
});
