import { afterEach, describe, expect, it } from 'vitest';
import { FisDocumentGateway } from '../../src/adapters/concur/gateway.js';
import { ConcurUnavailableError } from '../../src/adapters/concur/oauth/errors.js';
import { FisQueuePoller } from '../../src/adapters/concur/poller.js';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/index.js';
import { documentStreamId } from '../../src/domain/document/events.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('FIS service codes and faults', () => {
  it('treats 101 (already acknowledged) as done and records the acknowledgement once', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    // An earlier run acknowledged it and stopped before recording anything (a crash in between).
    await new FisDocumentGateway(h.fis).acknowledge('expense', doc.id);
    await h.receive({ docType: 'expense', docId: doc.id, channel: 'fis-poll' });
    expect(await h.receive({ docType: 'expense', docId: doc.id, channel: 'backfill' })).toBe('known');
    await h.settle();
    await h.settle();
    expect(h.sim.state.fisCalls.filter((c) => c.kind === 'acknowledgement').map((c) => c.code)).toEqual([0, 101]);
    const acks = (await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'ConcurDocumentAcknowledged');
    expect(acks.map((e) => e.data)).toEqual([{ systemId: 'ML-CONNECTOR', serviceCode: 101 }]);
  });

  it('an unknown document (116 / empty answer) is recorded as REJECTED with the reason, fetched once, never acknowledged', async () => {
    h = await startHarness({ fixtureDir: false });
    await h.receive({ docType: 'expense', docId: 'NOPE', channel: 'webhook' });
    await h.settle();
    await h.settle();
    expect((await h.store.readStream(documentStreamId('expense', 'NOPE'))).map((e) => e.type)).toEqual(['ConcurDocumentReceived', 'DocumentRecalled']);
    expect(h.queries.get(documentStreamId('expense', 'NOPE'))).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'Concur does not know expense document NOPE (FIS 116)',
    });
    expect(h.sim.state.fisCalls.filter((c) => c.kind === 'acknowledgement')).toEqual([]);
  });

  it('turns 5xx and 429 into retry-later errors; 199 at acknowledgement records no acknowledgement, and the confirmation acknowledges first (111)', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    h.sim.faults.apiFailures = { count: 1, status: 503 };
    await expect(h.fis.getQueuePage('expense', 0)).rejects.toBeInstanceOf(ConcurUnavailableError);
    h.sim.faults.apiFailures = { count: 1, status: 429 };
    await expect(h.fis.getQueuePage('expense', 0)).rejects.toMatchObject({ retryAfterMs: 1000 });
    const poller = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0 });
    expect(await poller.pollOnce()).toBe(1);
    h.sim.faults.fisRetryLater = 1;
    await h.settle();
    const streamId = documentStreamId('expense', doc.id);
    expect((await h.store.readStream(streamId)).map((e) => e.type)).not.toContain('ConcurDocumentAcknowledged');
    expect(h.pipelineLog.some((l) => l.includes(`Concur did not take the acknowledgement of expense document ${doc.id} (FIS 199)`))).toBe(true);
    expect(h.sim.state.documents.get(doc.id)!.status).toBe('READY');
    // Still in the queue, so the next poll sees it, but it is known: nothing new is recorded.
    expect(await poller.pollOnce()).toBe(0);
    const answer = await new FisDocumentGateway(h.fis).confirm('expense', {
      docId: doc.id,
      status: 'error',
      documentNumber: null,
      postingDate: null,
      messages: ['x'],
    });
    expect(answer).toMatchObject({ code: 0, outcome: 'ok' });
    expect(h.sim.state.fisCalls.map((c) => `${c.kind}:${c.code}`)).toEqual([
      'acknowledgement:199',
      'postingconfirmation:111',
      'acknowledgement:0',
      'postingconfirmation:0',
    ]);
  });

  it('polls on its interval once started (recording documents as received and waking the pipeline), and not at all with interval 0', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    const off = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0 });
    off.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(await h.store.readStream(documentStreamId('expense', doc.id))).toEqual([]);
    let woken = 0;
    const on = new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0.05, onReceived: () => woken++ });
    on.start();
    const second = h.sim.addDocument(generateExpenseDocument());
    for (let i = 0; i < 100 && (await h.store.readStream(documentStreamId('expense', second.id))).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    await on.stop();
    expect((await h.store.readStream(documentStreamId('expense', doc.id))).map((e) => e.type)).toEqual(['ConcurDocumentReceived']);
    expect((await h.store.readStream(documentStreamId('expense', second.id))).map((e) => e.type)).toEqual(['ConcurDocumentReceived']);
    expect(woken).toBeGreaterThan(0);
    await h.settle();
    expect(h.sim.state.documents.get(doc.id)!.status).toBe('ACKNOWLEDGED');
    expect(h.sim.state.documents.get(second.id)!.status).toBe('ACKNOWLEDGED');
  });
});

describe('FisDocumentGateway (for the app pipeline)', () => {
  it('fetches, acknowledges, and confirms with the RECORDNO, acknowledging first on code 111', async () => {
    h = await startHarness({ fixtureDir: false });
    const gateway = new FisDocumentGateway(h.fis);
    const doc = h.sim.addDocument(generateExpenseDocument());
    expect(await gateway.fetch('expense', doc.id)).toMatchObject({ id: doc.id, docStatus: 'READY' });
    expect(await gateway.fetch('expense', 'UNKNOWN')).toBeNull();
    const confirmed = await gateway.confirm('expense', { docId: doc.id, status: 'success', documentNumber: '1234', postingDate: '2026-11-28', messages: [] });
    expect(confirmed).toMatchObject({ code: 0, outcome: 'ok' });
    expect(h.sim.state.fisCalls.map((c) => [c.kind, c.code])).toEqual([
      ['postingconfirmation', 111],
      ['acknowledgement', 0],
      ['postingconfirmation', 0],
    ]);
    expect(h.sim.state.confirmations(doc.id)[1]!.body).toMatchObject({ postingDocs: [{ documentNumber: '1234', postingDate: '2026-11-28' }] });
    expect(await gateway.acknowledge('expense', doc.id)).toMatchObject({ code: 101, outcome: 'already-done' });
  });
});
