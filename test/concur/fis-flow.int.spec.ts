import { afterEach, describe, expect, it } from 'vitest';
import { ConcurBackfill } from '../../src/adapters/concur/backfill.js';
import { runDocumentCommand } from '../../src/domain/document/command-handler.js';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
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

async function postDocument(docId: string, recordNo: string): Promise<void> {
  const streamId = documentStreamId('expense', docId);
  const postingKey = postingKeyFor('expense', docId, '1');
  const entry: JournalEntry = {
    postingKey,
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
  const meta = { actor: 'system:test' };
  await runDocumentCommand(h.store, streamId, { type: 'RecordPreparation', data: { result: 'entry', entry, mappingRevision: 1 } }, `prep-${docId}`, meta);
  await runDocumentCommand(h.store, streamId, { type: 'RecordPostingOutcome', data: { outcome: 'succeeded', postingKey, recordNo, how: 'created' } }, `ok-${docId}`, meta);
}

describe('FIS fetch, acknowledge and confirm against the simulator', () => {
  it('polls the queue (SAP sample page shape) and records the five SAP fixture documents, acknowledged', async () => {
    h = await startHarness({ fixtureDir: FIS_DIR });
    const poller = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0, pageSize: 2 });
    expect(await poller.pollOnce()).toBe(5);
    expect(await poller.pollOnce()).toBe(0);
    const fetched = (await h.store.readAll()).filter((e) => e.type === 'ConcurDocumentFetched').map((e) => e.data as ConcurDocumentFetched);
    expect(fetched.map((f) => [f.reportId, f.amount, f.currency]).sort()).toEqual([
      ['0C45F960C3064ED88C39', '325.00', 'USD'],
      ['6517F735E33A47B98D80', '-50.00', 'USD'],
      ['B1041655B4CE4171BDAA', null, 'USD'],
      ['CDFDE0F4CACE4426A913', '79.10', 'USD'],
      ['F071FADEA6B142DD884A', '10.00', 'EUR'],
    ]);
    expect(await types('expense', 'f7a675d035bc44419cc0df2389c5b10c')).toEqual(['ConcurDocumentReceived', 'ConcurDocumentFetched', 'ConcurDocumentAcknowledged']);
    expect(h.sim.state.fisCalls.filter((c) => c.kind === 'acknowledgement').map((c) => c.code)).toEqual([0, 0, 0, 0, 0]);
  });

  it('reads the documented {content, page} shape and invoices too', async () => {
    h = await startHarness({ fixtureDir: false });
    h.sim.state.responseShape = 'content';
    for (let i = 0; i < 3; i++) h.sim.addDocument(generateExpenseDocument());
    const invoice = h.sim.addDocument(generateInvoiceDocument());
    const poller = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0, pageSize: 2 });
    expect(await poller.pollOnce()).toBe(4);
    const inv = foldDocument(await h.store.readStream(documentStreamId('invoice', invoice.id)));
    expect(inv).toMatchObject({ fetched: true, docType: 'invoice' });
  });

  it('fetches the document named by a webhook notification, then acknowledges it', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument({ entryCents: [1250, 4999] }));
    const ingest = new ConcurNotificationIngest(h.store);
    await ingest.ingest(h.sim.ess.documentReady('expense', doc.id, h.sim.url), 'webhook');
    for (const event of await h.store.readAll()) await h.intake.handle(event);
    const fetched = (await h.store.readStream(documentStreamId('expense', doc.id))).find((e) => e.type === 'ConcurDocumentFetched')!.data as ConcurDocumentFetched;
    expect(fetched).toMatchObject({ amount: '62.49', currency: 'USD', employeeId: 'E1001', version: '1' });
    expect(h.sim.state.documents.get(doc.id)!.status).toBe('ACKNOWLEDGED');
  });

  it('records a recall: before acknowledgement (102) and at confirmation (112)', async () => {
    h = await startHarness({ fixtureDir: false });
    const early = h.sim.addDocument(generateExpenseDocument());
    h.sim.state.recall(early.id);
    // Recalled documents leave the queue; a notification still names it.
    expect(await h.intake.fetchAndRecord('expense', early.id, 'webhook')).toBe('recalled');
    expect(await types('expense', early.id)).toEqual(['ConcurDocumentReceived', 'DocumentRecalled']);

    const late = h.sim.addDocument(generateExpenseDocument());
    expect(await h.intake.recordItem('expense', late, 'fis-poll')).toBe('recorded');
    await postDocument(late.id, '4711');
    h.sim.state.recall(late.id);
    const result = await h.intake.confirm('expense', late.id, { status: 'success', recordNo: '4711' });
    expect(result).toMatchObject({ code: 112, outcome: 'recalled' });
    const stream = await h.store.readStream(documentStreamId('expense', late.id));
    expect(stream.at(-1)).toMatchObject({ type: 'DocumentRecalled', data: { serviceCode: 112 } });
  });

  it('confirms a posting to Concur with the Intacct RECORDNO, once', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    await h.intake.recordItem('expense', doc, 'fis-poll');
    await postDocument(doc.id, '90210');
    const success = (await h.store.readStream(documentStreamId('expense', doc.id))).find((e) => e.type === 'PostingSucceeded')!;
    await h.intake.handle(success);
    await h.intake.handle(success);
    const sent = h.sim.state.confirmations(doc.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ code: 0, body: { docId: doc.id, overallPostingStatusCode: 'success', postingDocs: [{ documentNumber: '90210' }] } });
    const confirmed = (await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'PostingConfirmedToConcur');
    expect(confirmed.map((e) => e.data as PostingConfirmedToConcur)).toEqual([{ status: 'success', documentNumber: '90210', serviceCode: 0, messages: [] }]);
    expect(foldDocument(await h.store.readStream(documentStreamId('expense', doc.id))).status).toBe('CONFIRMED');
    // A repeat at the FIS level answers 113 and records nothing new.
    expect((await h.intake.confirm('expense', doc.id, { status: 'success', recordNo: '90210' })).code).toBe(113);
    expect((await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'PostingConfirmedToConcur')).toHaveLength(1);
  });

  it('sends an error confirmation with systemMessages, and retries later on code 199', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    await h.intake.recordItem('expense', doc, 'fis-poll');
    h.sim.faults.fisRetryLater = 1;
    await expect(h.intake.confirm('expense', doc.id, { status: 'error', messages: ['Account 6400 is closed for period 2026-11'] })).rejects.toThrow(/code 199/);
    await h.intake.confirm('expense', doc.id, { status: 'error', messages: ['Account 6400 is closed for period 2026-11'] });
    expect(h.sim.state.confirmations(doc.id).map((c) => c.code)).toEqual([199, 0]);
    expect(h.sim.state.confirmations(doc.id)[1]!.body).toMatchObject({ overallPostingStatusCode: 'error', systemMessages: [{ messageText: 'Account 6400 is closed for period 2026-11' }] });
  });

  it('supersedes the earlier document when a recalled report is resubmitted under a new document id', async () => {
    h = await startHarness({ fixtureDir: false });
    const first = h.sim.addDocument(generateExpenseDocument({ reportId: 'REPORT-RESUB' }));
    await h.intake.recordItem('expense', first, 'fis-poll');
    const second = h.sim.addDocument(generateExpenseDocument({ reportId: 'REPORT-RESUB' }));
    await h.intake.recordItem('expense', second, 'fis-poll');
    const old = await h.store.readStream(documentStreamId('expense', first.id));
    expect(old.at(-1)).toMatchObject({ type: 'DocumentSuperseded', data: { byConcurDocumentId: second.id } });
    expect(foldDocument(await h.store.readStream(documentStreamId('expense', second.id))).status).not.toBe('SUPERSEDED');
  });

  it('backfills a date range: dry run lists, the real run records, and beside the poller nothing doubles', async () => {
    h = await startHarness({ fixtureDir: false });
    const inRange = [1, 2, 3].map((d) => h.sim.addDocument(generateExpenseDocument({ submitDate: `2026-03-0${d}T10:00:00.000Z` })));
    h.sim.addDocument(generateExpenseDocument({ submitDate: '2026-05-01T10:00:00.000Z' }));
    const backfill = new ConcurBackfill(h.store, h.api, h.fis, h.intake);
    const progress: number[] = [];
    const dry = await backfill.run({ from: '2026-03-01', to: '2026-03-31', dryRun: true, onProgress: (p) => p.total !== null && progress.push(p.done) });
    expect(dry.items.map((i) => i.state)).toEqual(['would-post', 'would-post', 'would-post']);
    expect(dry.items.map((i) => i.concurDocumentId).sort()).toEqual(inRange.map((d) => d.id).sort());
    expect(progress).toEqual([1, 2, 3]);
    expect(await h.store.headPosition()).toBe(-1n);
    const poller = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0 });
    const [real] = await Promise.all([backfill.run({ from: '2026-03-01', to: '2026-03-31' }), poller.pollOnce()]);
    expect(real.items.every((i) => i.state === 'recorded' || i.state === 'already-known')).toBe(true);
    for (const d of inRange) {
      const stream = await h.store.readStream(documentStreamId('expense', d.id));
      expect(stream.filter((e) => e.type === 'ConcurDocumentFetched')).toHaveLength(1);
      expect(stream.filter((e) => e.type === 'ConcurDocumentReceived')).toHaveLength(1);
    }
    const again = await backfill.run({ from: '2026-03-01', to: '2026-03-31' });
    expect(again.items.map((i) => i.state)).toEqual(['already-known', 'already-known', 'already-known']);
  });
});
