import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/adapters/intacct/simulator/faults.js';
import type { PostingSucceeded } from '../../src/domain/document/events.js';
import { startHarness, within, type Harness } from './harness.js';
import { cents, expenseEntry, requestPosting } from './journal-fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DOCUMENTS = 1000;

describe('chaos: 1,000 documents through faults and worker crashes', () => {
  it('ends with exactly one balanced GLBATCH per document, totals equal to the inputs', async () => {
    h = await startHarness(
      { maxConcurrent: 2, faults: { seed: 20260630, latencyMs: [0, 4], rates: { http5xx: 0.06, timeout524: 0.05, drop: 0.05, sessionKill: 0.04 } } },
      { batchSize: 6, retry: { baseDelayMs: 20, maxDelayMs: 150 } },
      { retry: { baseDelayMs: 2, maxDelayMs: 40, maxAttempts: 10 } },
    );
    const random = seededRandom(7);
    const expected = new Map<string, number>();
    const streams = new Map<string, string>();
    const feed = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => 1 + Math.floor(random() * 250_000));
        const entry = expenseEntry(`CH-${i}`, lines);
        expected.set(entry.postingKey, cents(entry.total));
        streams.set(entry.postingKey, await requestPosting(h!.store, entry));
        // Redeliveries (webhook retried, Kafka replay) must not post twice.
        if (random() < 0.05) await requestPosting(h!.store, entry);
      }
    };

    await feed(0, 400);
    await waitFor(() => h!.sim.state.glbatches.length >= 150, 'first postings');
    await h.restart(); // crash mid-flight: batches in the air are never recorded
    await feed(400, 800);
    await waitFor(() => h!.sim.state.glbatches.length >= 550, 'more postings');
    await h.restart();
    await feed(800, DOCUMENTS);
    await within(60_000, h.worker.idle(), 'all postings');

    const injected = h.sim.faults.injected;
    expect(injected.http5xx).toBeGreaterThan(0);
    expect(injected.timeout524).toBeGreaterThan(0);
    expect(injected.drop).toBeGreaterThan(0);
    expect(injected.sessionKill).toBeGreaterThan(0);

    const batches = h.sim.state.glbatches;
    expect(batches).toHaveLength(DOCUMENTS);
    expect(new Set(batches.map((b) => b.header['REFERENCENO'])).size).toBe(DOCUMENTS);
    let grand = 0;
    for (const b of batches) {
      const debit = b.entries.filter((e) => e['TR_TYPE'] === '1').reduce((s, e) => s + cents(e['TRX_AMOUNT']!), 0);
      const credit = b.entries.filter((e) => e['TR_TYPE'] === '-1').reduce((s, e) => s + cents(e['TRX_AMOUNT']!), 0);
      expect(debit).toBe(credit);
      expect(debit).toBe(expected.get(b.header['REFERENCENO']!));
      grand += debit;
    }
    expect(grand).toBe([...expected.values()].reduce((a, b) => a + b, 0));

    const recordNoByKey = new Map(batches.map((b) => [b.header['REFERENCENO']!, b.recordNo]));
    let foundExisting = 0;
    for (const [key, stream] of streams) {
      const events = await h.store.readStream(stream);
      const succeeded = events.filter((e) => e.type === 'PostingSucceeded').map((e) => e.data as PostingSucceeded);
      expect(succeeded, key).toHaveLength(1);
      expect(succeeded[0]!.recordNo).toBe(recordNoByKey.get(key));
      if (succeeded[0]!.outcome === 'found-existing') foundExisting++;
      expect(events.some((e) => e.type === 'PostingRejected')).toBe(false);
    }
    expect(foundExisting).toBeGreaterThan(0);
    expect(h.errors).toEqual([]);
    process.stderr.write(`chaos: faults ${JSON.stringify(injected)}, found-existing ${foundExisting}, requests ${h.sim.stats.requests}\n`);
  });
});

async function waitFor(test: () => boolean, what: string, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
