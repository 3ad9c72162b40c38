import { afterEach, describe, expect, it } from 'vitest';
import type { PostingFailed, PostingRejected, PostingSucceeded } from '../../src/domain/document/events.js';
import { newEvent } from '../../src/domain/events/envelope.js';
import { serializeGlBatch } from '../../src/adapters/intacct/glbatch-serializer.js';
import { clientFor, startHarness, within, type Harness } from './harness.js';
import { expenseEntry, requestPosting } from './journal-fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Outcome payloads without the recorded XML (posting-exchange.int.spec.ts checks that). */
async function outcomes(harness: Harness, streamId: string) {
  const events = await harness.store.readStream(streamId);
  const bare = <T>(data: unknown): T => {
    const { exchange: _x, earlierExchange: _e, ...rest } = data as Record<string, unknown>;
    return rest as T;
  };
  return {
    succeeded: events.filter((e) => e.type === 'PostingSucceeded').map((e) => bare<PostingSucceeded>(e.data)),
    failed: events.filter((e) => e.type === 'PostingFailed').map((e) => bare<PostingFailed>(e.data)),
    rejected: events.filter((e) => e.type === 'PostingRejected').map((e) => bare<PostingRejected>(e.data)),
  };
}

describe('Intacct posting worker against the simulator', () => {
  it('posts an entry once and records the RECORDNO', async () => {
    h = await startHarness();
    const entry = expenseEntry('D-1', [2430, 570]);
    const stream = await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the posting');
    const { succeeded } = await outcomes(h, stream);
    expect(h.sim.state.glbatches).toHaveLength(1);
    const posted = h.sim.state.glbatches[0]!;
    expect(posted.header).toMatchObject({ REFERENCENO: entry.postingKey, BATCH_DATE: '06/30/2026', JOURNAL: 'EXPJ' });
    expect(posted.controlId).toBe(entry.postingKey);
    expect(succeeded).toEqual([{ postingKey: entry.postingKey, recordNo: posted.recordNo, outcome: 'created' }]);
    expect(h.sim.stats.requestsByPath['/session-endpoint/ia/xml/xmlgw.phtml']).toBeGreaterThan(0);
  });

  it.each(['timeout524', 'drop'] as const)('after a %s once the batch committed: one GLBATCH, PostingSucceeded with its RECORDNO', async (fault) => {
    h = await startHarness();
    await h.client.sessions.get(); // the fault must hit the posting request, not the login
    h.sim.faults.next(fault);
    const entry = expenseEntry(`U-${fault}`, [9999]);
    const stream = await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the posting');
    expect(h.sim.faults.injected[fault]).toBe(1);
    expect(h.sim.state.glbatches).toHaveLength(1);
    const { succeeded, failed } = await outcomes(h, stream);
    expect(succeeded).toEqual([{ postingKey: entry.postingKey, recordNo: h.sim.state.glbatches[0]!.recordNo, outcome: 'found-existing' }]);
    expect(failed).toEqual([]);
  });

  it('a duplicated PostingRequested (redelivery, new event id) gives one GLBATCH', async () => {
    h = await startHarness();
    const entry = expenseEntry('DUP-1', [100, 200]);
    const stream = await requestPosting(h.store, entry);
    await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the postings');
    await requestPosting(h.store, entry); // again, after it was posted
    await within(10_000, h.worker.idle(), 'the postings');
    expect(h.sim.state.glbatches).toHaveLength(1);
    expect((await outcomes(h, stream)).succeeded).toHaveLength(1);
  });

  it.each(['error', 'replay'] as const)('a controlid Intacct already ran (duplicate answered as %s) ends with the existing RECORDNO', async (mode) => {
    h = await startHarness({ duplicateControlId: mode });
    const entry = expenseEntry('RB-1', [500]);
    // The GLBATCH reached Intacct earlier but our record of it was lost (crash before recording).
    const [first] = await clientFor(h.sim).execute([{ controlId: entry.postingKey, body: serializeGlBatch(entry) }], { uniqueId: true, mayCreate: true });
    expect(first!.status).toBe('success');
    const stream = await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the posting');
    expect(h.sim.state.glbatches).toHaveLength(1);
    expect(h.sim.stats.duplicatesRefused).toBe(1);
    const { succeeded } = await outcomes(h, stream);
    expect(succeeded).toEqual([
      { postingKey: entry.postingKey, recordNo: h.sim.state.glbatches[0]!.recordNo, outcome: mode === 'error' ? 'found-existing' : 'created' },
    ]);
  });

  it('rejects a restricted department with a message a person can act on, and a closed period', async () => {
    h = await startHarness();
    const restricted = expenseEntry('REJ-1', [1000]);
    restricted.lines[0]!.dimensions.DEPARTMENT = 'D300';
    const closed = expenseEntry('REJ-2', [1000], { batchDate: '2025-12-15' });
    const s1 = await requestPosting(h.store, restricted);
    const s2 = await requestPosting(h.store, closed);
    await within(10_000, h.worker.idle(), 'the postings');
    const r1 = (await outcomes(h, s1)).rejected;
    const r2 = (await outcomes(h, s2)).rejected;
    expect(r1).toHaveLength(1);
    expect(r1[0]!.error).toMatchObject({ category: 'validation', errorNo: 'BL01001973', description2: 'Department D300 is restricted by GL account 6500.' });
    expect(r1[0]!.error.message).toContain('Department D300 is restricted for account 6500');
    expect(r1[0]!.error.message).toContain(restricted.postingKey);
    expect(r2[0]!.error.category).toBe('closed-period');
    expect(h.sim.state.glbatches).toHaveLength(0);
  });

  it('a rejected posting stays rejected until an operator asks for a retry, then posts', async () => {
    h = await startHarness();
    const entry = expenseEntry('OPS-1', [1000]);
    entry.lines[0]!.dimensions.DEPARTMENT = 'D300';
    const stream = await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the rejection');
    expect((await outcomes(h, stream)).rejected).toHaveLength(1);
    h.sim.state.restrictedDepartments.delete('6500'); // the finance team lifts the restriction in Intacct
    await new Promise((r) => setTimeout(r, 100));
    expect(h.sim.state.glbatches).toHaveLength(0); // nothing retries a rejection on its own
    // An operator's retry of a refused document is decided with its new evaluation: the retry and a
    // new request for the entry (here the same one) in one append. A bare retry request posts nothing.
    await h.store.appendToStream(stream, [newEvent('PostingRetryRequested', { reason: 'restriction lifted' }, { actor: 'user:finance' })]);
    await within(10_000, h.worker.idle(), 'the bare retry request');
    expect(h.sim.state.glbatches).toHaveLength(0);
    await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the retry');
    expect(h.sim.state.glbatches).toHaveLength(1);
    expect((await outcomes(h, stream)).succeeded).toEqual([{ postingKey: entry.postingKey, recordNo: h.sim.state.glbatches[0]!.recordNo, outcome: 'created' }]);
  });

  it('a session that expires mid-run causes no failed posting', async () => {
    h = await startHarness({ sessionLifetimeMs: 400 });
    const streams: string[] = [];
    for (let i = 0; i < 6; i++) {
      streams.push(await requestPosting(h.store, expenseEntry(`S-${i}`, [100 + i])));
      await within(10_000, h.worker.idle(), 'the posting');
      if (i === 2) h.sim.expireSessions(); // server-side expiry the client cannot foresee
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(h.sim.state.glbatches).toHaveLength(6);
    for (const s of streams) expect(await outcomes(h, s)).toMatchObject({ failed: [], rejected: [] });
    expect(h.sim.stats.sessionsIssued).toBeGreaterThan(1);
    expect(h.sim.stats.authFailures).toBeGreaterThanOrEqual(1);
  });

  it('retries a transient failure on a schedule kept in SQLite, across a restart', async () => {
    h = await startHarness({}, { retry: { baseDelayMs: 600, maxDelayMs: 600 } }, { retry: { maxAttempts: 1 } });
    await h.client.sessions.get();
    h.sim.faults.next('http5xx');
    const entry = expenseEntry('RT-1', [4242]);
    const stream = await requestPosting(h.store, entry);
    for (let i = 0; i < 100 && (await outcomes(h, stream)).failed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const { failed } = await outcomes(h, stream);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error.category).toBe('transient');
    expect(Date.parse(failed[0]!.nextAttemptAt)).toBeGreaterThan(Date.now());
    expect(h.sim.state.glbatches).toHaveLength(0);
    await h.restart(); // nothing in memory survives; the due time comes from the state file
    await within(10_000, h.worker.idle(), 'the retry');
    expect(h.sim.state.glbatches).toHaveLength(1);
    expect((await outcomes(h, stream)).succeeded).toHaveLength(1);
  });
});
