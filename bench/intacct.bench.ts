/**
 * Intacct adapter: postings/s through the posting worker against the simulator at 150 ms latency and
 * 2 concurrent requests (next to the naive ceiling of one function per request), and XML
 * serialize+parse throughput.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore } from '../src/adapters/eventstore/memory/memory-event-store.js';
import { IntacctGatewayClient } from '../src/adapters/intacct/gateway-client.js';
import { serializeGlBatch } from '../src/adapters/intacct/glbatch-serializer.js';
import { SqlitePostingState } from '../src/adapters/intacct/posting-state.js';
import { IntacctPostingWorker } from '../src/adapters/intacct/posting-worker.js';
import { startIntacctSimulator } from '../src/adapters/intacct/simulator/index.js';
import { buildRequest } from '../src/adapters/intacct/xml/envelope.js';
import { parseGatewayResponse } from '../src/adapters/intacct/xml/response-parser.js';
import { documentStreamId } from '../src/domain/document/events.js';
import { newEvent } from '../src/domain/events/envelope.js';
import { postingKeyFor, type JournalEntry } from '../src/domain/journal/journal-entry.js';
import type { Emit } from './figure.js';

const LATENCY_MS = 150;
const CONCURRENCY = 2;

function entry(i: number): JournalEntry {
  return {
    postingKey: postingKeyFor('expense', `B-${i}`, 1),
    docType: 'expense',
    concurDocumentId: `B-${i}`,
    reportId: `R-${i}`,
    journal: 'EXPJ',
    batchDate: '2026-06-30',
    batchTitle: `Bench report ${i}`,
    currency: 'USD',
    lines: [
      {
        accountNo: '6500',
        trType: 1,
        amount: '120.50',
        memo: 'Airfare & taxi',
        dimensions: { DEPARTMENT: 'D100', LOCATION: '100', PROJECTID: 'P-1001' },
        kind: 'expense',
      },
      { accountNo: '6100', trType: 1, amount: '30.25', memo: 'Meals', dimensions: { DEPARTMENT: 'D200', LOCATION: '100' }, kind: 'expense' },
      { accountNo: '2100', trType: -1, amount: '150.75', memo: 'Employee payable', dimensions: { EMPLOYEEID: 'E1017', LOCATION: '100' }, kind: 'counterparty' },
    ],
    total: '150.75',
  };
}

/** Posts `count` documents through a fresh worker; returns postings/s and checks exactly-once. */
async function postThroughWorker(count: number, batchSize: number, offset: number): Promise<number> {
  const sim = await startIntacctSimulator({ maxConcurrent: CONCURRENCY, faults: { latencyMs: LATENCY_MS } });
  const dir = mkdtempSync(join(tmpdir(), 'intacct-bench-'));
  const store = new MemoryEventStore();
  const client = new IntacctGatewayClient({
    endpoint: sim.url,
    sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
    login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'user-secret' },
    maxConcurrency: CONCURRENCY,
  });
  const state = SqlitePostingState.open(join(dir, 'state.db'));
  const worker = new IntacctPostingWorker({ store, gateway: client, state, batchSize, parallelBatches: CONCURRENCY });
  try {
    await client.sessions.get(); // the login is not part of the steady state being measured
    await worker.start();
    const started = performance.now();
    for (let i = offset; i < offset + count; i++) {
      const e = entry(i);
      await store.appendToStream(documentStreamId('expense', e.concurDocumentId), [
        newEvent('PostingRequested', { postingKey: e.postingKey, entry: e, reverses: null }, { actor: 'system:bench' }),
      ]);
    }
    await worker.idle();
    const seconds = (performance.now() - started) / 1000;
    const keys = new Set(sim.state.glbatches.map((b) => b.header['REFERENCENO']));
    if (sim.state.glbatches.length !== count || keys.size !== count)
      throw new Error(`expected ${count} GLBATCHes, found ${sim.state.glbatches.length} (${keys.size} distinct)`);
    if (sim.stats.rateLimited > 0 || sim.stats.maxInFlight > CONCURRENCY) throw new Error('the concurrency cap was exceeded');
    return count / seconds;
  } finally {
    await worker.stop();
    state.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function xmlRoundTrip(count: number): number {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const e = entry(i);
    const xml = buildRequest({
      sender: { senderId: 's', senderPassword: 'p' },
      requestControlId: `r-${i}`,
      uniqueId: true,
      transaction: false,
      auth: { sessionId: 'session' },
      functions: [{ controlId: e.postingKey, body: serializeGlBatch(e) }],
    });
    const response = `<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><controlid>r-${i}</controlid></control><operation><authentication><status>success</status><sessiontimeout>2026-06-30T12:00:00Z</sessiontimeout></authentication><result><status>success</status><function>create</function><controlid>${e.postingKey}</controlid><data listtype="objects" count="1"><glbatch><RECORDNO>${1000 + i}</RECORDNO></glbatch></data></result></operation></response>`;
    if (xml.length === 0 || parseGatewayResponse(200, response).results[0]!.status !== 'success') throw new Error('round trip failed');
  }
  return count / ((performance.now() - started) / 1000);
}

function jsonRoundTrip(count: number): number {
  const started = performance.now();
  for (let i = 0; i < count; i++) JSON.parse(JSON.stringify(entry(i)));
  return count / ((performance.now() - started) / 1000);
}

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const naiveCeiling = CONCURRENCY / (LATENCY_MS / 1000);
  const naive = await postThroughWorker(opts.quick ? 20 : 40, 1, 0);
  const batched = await postThroughWorker(opts.quick ? 300 : 1500, 50, 100_000);
  emit({
    name: 'intacct postings through the worker (150 ms latency, 2 concurrent, 50 documents per request)',
    value: Math.round(batched * 10) / 10,
    unit: 'postings/s',
    baseline: { name: 'naive ceiling: 1 function per request, 2 concurrent, 150 ms', value: Math.round(naiveCeiling * 10) / 10, unit: 'postings/s' },
    measuredOneFunctionPerRequest: Math.round(naive * 10) / 10,
    ratioToCeiling: Math.round((batched / naiveCeiling) * 10) / 10,
    goal: '>= 5x the naive ceiling, none lost or doubled',
  });
  xmlRoundTrip(500); // warm-up
  const n = opts.quick ? 5_000 : 20_000;
  emit({
    name: 'GLBATCH request serialize + response parse',
    value: Math.round(xmlRoundTrip(n)),
    unit: 'documents/s',
    baseline: { name: 'JSON stringify + parse of the same entry', value: Math.round(jsonRoundTrip(n)), unit: 'documents/s' },
  });
}
