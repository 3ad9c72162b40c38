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
    await h.intake.recordItem('expense', doc, 'fis-poll');
    await h.intake.recordItem('expense', doc, 'backfill');
    expect(h.sim.state.fisCalls.map((c) => c.code)).toEqual([0, 101]);
    const acks = (await h.store.readStream(documentStreamId('expense', doc.id))).filter((e) => e.type === 'ConcurDocumentAcknowledged');
    expect(acks).toHaveLength(1);
  });

  it('reports an unknown document (116 / empty answer) without recording a fetch', async () => {
    h = await startHarness({ fixtureDir: false });
    expect(await h.intake.fetchAndRecord('expense', 'NOPE', 'webhook')).toBe('not-found');
    expect(await h.store.readStream(documentStreamId('expense', 'NOPE'))).toEqual([]);
    expect(h.capture.lines.some((l) => l.includes('FIS does not know expense document NOPE'))).toBe(true);
  });

  it('turns 5xx and 429 into retry-later errors, and 199 at acknowledgement leaves the document for the next poll', async () => {
    h = await startHarness({ fixtureDir: false });
    h.sim.addDocument(generateExpenseDocument());
    h.sim.faults.apiFailures = { count: 1, status: 503 };
    await expect(h.fis.getQueuePage('expense', 0)).rejects.toBeInstanceOf(ConcurUnavailableError);
    h.sim.faults.apiFailures = { count: 1, status: 429 };
    await expect(h.fis.getQueuePage('expense', 0)).rejects.toMatchObject({ retryAfterMs: 1000 });
    const poller = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0 });
    h.sim.faults.fisRetryLater = 1;
    await expect(poller.pollOnce()).rejects.toThrow(/code 199/);
    expect(await poller.pollOnce()).toBe(1);
  });

  it('polls on its interval once started, and not at all with interval 0', async () => {
    h = await startHarness({ fixtureDir: false });
    const doc = h.sim.addDocument(generateExpenseDocument());
    const off = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0 });
    off.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(h.sim.state.documents.get(doc.id)!.status).toBe('READY');
    const on = new FisQueuePoller({ fis: h.fis, intake: h.intake, intervalS: 0.05 });
    on.start();
    const second = h.sim.addDocument(generateExpenseDocument());
    for (let i = 0; i < 100 && h.sim.state.documents.get(second.id)!.status === 'READY'; i++) await new Promise((r) => setTimeout(r, 50));
    await on.stop();
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
    expect(h.sim.state.fisCalls.map((c) => [c.kind, c.code])).toEqual([['postingconfirmation', 111], ['acknowledgement', 0], ['postingconfirmation', 0]]);
    expect(h.sim.state.confirmations(doc.id)[1]!.body).toMatchObject({ postingDocs: [{ documentNumber: '1234', postingDate: '2026-11-28' }] });
    expect(await gateway.acknowledge('expense', doc.id)).toMatchObject({ code: 101, outcome: 'already-done' });
  });
});
