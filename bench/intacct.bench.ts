/**
 * Intacct adapter: postings/s through the posting worker against the simulator at 150 ms latency and
 * 2 concurrent requests (next to the naive ceiling of one function per request), the same for
 * documents of mixed targets (EEXPENSES, CCTRANSACTION on one or two card accounts, APBILL, GLBATCH)
 * next to GLBATCH only, and XML serialize+parse throughput.
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
import { postingKeyFor, recordKeyFor, type IntacctTarget, type JournalEntry, type JournalLine } from '../src/domain/journal/journal-entry.js';
import type { Emit } from './figure.js';

const LATENCY_MS = 150;
const CONCURRENCY = 2;
/** A second active credit card account in the simulated company, for documents charged to two cards. */
const SECOND_CARD = 'VISA-CORP';

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

const expenseLine = (accountNo: string, amount: string, memo: string, dimensions: JournalLine['dimensions']): JournalLine => ({
  accountNo,
  trType: 1,
  amount,
  memo,
  dimensions,
  kind: 'expense',
});
const ownPayable = (accountNo: string, amount: string): JournalLine => ({
  accountNo,
  trType: -1,
  amount,
  memo: '',
  dimensions: {},
  kind: 'counterparty',
  offset: true,
});

/** One record of a mixed document: a subledger object with two cost lines (or one) and its own payable. */
function subledgerRecord(base: JournalEntry, target: Exclude<IntacctTarget, 'GLBATCH'>, suffix: string, card = 'AMEX-CORP'): JournalEntry {
  const key = recordKeyFor(base.postingKey, suffix);
  if (target === 'CCTRANSACTION')
    return {
      ...base,
      postingKey: key,
      target,
      party: { cardAccount: card, payee: 'Hotel Co' },
      lines: [expenseLine('6200', '80.00', 'Hotel', { PROJECTID: 'P-1001', LOCATION: '100' }), ownPayable('2150', '80.00')],
      total: '80.00',
    };
  const lines = [
    expenseLine('6500', '120.50', 'Airfare & taxi', { DEPARTMENT: 'D100', LOCATION: '100', PROJECTID: 'P-1001' }),
    expenseLine('6100', '30.25', 'Meals', { DEPARTMENT: 'D200', LOCATION: '100' }),
  ];
  return target === 'EEXPENSES'
    ? { ...base, postingKey: key, target, party: { employeeId: 'E1017' }, lines: [...lines, ownPayable('2100', '150.75')], total: '150.75' }
    : {
        ...base,
        postingKey: key,
        docType: 'invoice',
        target,
        party: { vendorId: 'V100' },
        billNumber: `INV-${base.concurDocumentId}`,
        dueDate: '2026-07-30',
        lines: [...lines, ownPayable('2000', '150.75')],
        total: '150.75',
      };
}

/**
 * The records of mixed document `i`, in a cycle of four: EEXPENSES + CCTRANSACTION; EEXPENSES +
 * CCTRANSACTION on two card accounts; an APBILL (invoice); a GLBATCH. 7 records per 4 documents.
 */
function mixedRecords(i: number): JournalEntry[] {
  const base = entry(i);
  switch (i % 4) {
    case 0:
      return [subledgerRecord(base, 'EEXPENSES', 'EE'), subledgerRecord(base, 'CCTRANSACTION', 'CC1')];
    case 1:
      return [
        subledgerRecord(base, 'EEXPENSES', 'EE'),
        subledgerRecord(base, 'CCTRANSACTION', 'CC1'),
        subledgerRecord(base, 'CCTRANSACTION', 'CC2', SECOND_CARD),
      ];
    case 2: {
      const invoice = { ...base, docType: 'invoice' as const, postingKey: postingKeyFor('invoice', base.concurDocumentId, 1) };
      return [subledgerRecord(invoice, 'APBILL', 'AP')];
    }
    default:
      return [base];
  }
}

interface Throughput {
  documentsPerSecond: number;
  recordsPerSecond: number;
  records: number;
}

/**
 * Posts `count` documents (each one or more records, one PostingRequested per record as the document
 * decider appends them) through a fresh worker and simulator; returns documents/s and records/s and
 * checks that every record is in Intacct exactly once under its own key.
 */
async function postThroughWorker(
  count: number,
  batchSize: number,
  offset: number,
  recordsOf: (i: number) => JournalEntry[] = (i) => [entry(i)],
): Promise<Throughput> {
  const sim = await startIntacctSimulator({ maxConcurrent: CONCURRENCY, faults: { latencyMs: LATENCY_MS }, seed: { chargeCards: [{ cardId: SECOND_CARD }] } });
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
  const documents = Array.from({ length: count }, (_, k) => recordsOf(offset + k));
  const keys = new Set(documents.flat().map((r) => r.postingKey));
  try {
    await client.sessions.get(); // the login is not part of the steady state being measured
    await worker.start();
    const started = performance.now();
    for (const records of documents) {
      await store.appendToStream(
        documentStreamId(records[0]!.docType, records[0]!.concurDocumentId),
        records.map((r) => newEvent('PostingRequested', { postingKey: r.postingKey, entry: r, reverses: null }, { actor: 'system:bench' })),
      );
    }
    await worker.idle();
    const seconds = (performance.now() - started) / 1000;
    const posted = [...sim.state.glbatches.map((b) => b.controlId), ...sim.state.records.map((r) => r.controlId)];
    const distinct = new Set(posted);
    if (posted.length !== keys.size || distinct.size !== keys.size || [...keys].some((k) => !distinct.has(k)))
      throw new Error(`expected ${keys.size} Intacct records, one per key, found ${posted.length} (${distinct.size} distinct)`);
    if (sim.stats.rateLimited > 0 || sim.stats.maxInFlight > CONCURRENCY) throw new Error('the concurrency cap was exceeded');
    return { documentsPerSecond: count / seconds, recordsPerSecond: keys.size / seconds, records: keys.size };
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
  const round = (v: number): number => Math.round(v * 10) / 10;
  const naiveCeiling = CONCURRENCY / (LATENCY_MS / 1000);
  const documents = opts.quick ? 300 : 1500;
  const naive = (await postThroughWorker(opts.quick ? 20 : 40, 1, 0)).documentsPerSecond;
  // Warm-up, not reported: whichever measured run went first paid for JIT and module loading (the
  // first one came out ~2.5x slower than the same run after it), which would skew the comparison below.
  await postThroughWorker(opts.quick ? 100 : 300, 50, 900_000, mixedRecords);
  await postThroughWorker(opts.quick ? 100 : 300, 50, 950_000);
  const batched = await postThroughWorker(documents, 50, 100_000);
  emit({
    name: 'intacct postings through the worker (150 ms latency, 2 concurrent, 50 documents per request)',
    value: round(batched.documentsPerSecond),
    unit: 'postings/s',
    baseline: { name: 'naive ceiling: 1 function per request, 2 concurrent, 150 ms', value: round(naiveCeiling), unit: 'postings/s' },
    measuredOneFunctionPerRequest: round(naive),
    ratioToCeiling: round(batched.documentsPerSecond / naiveCeiling),
    goal: '>= 5x the naive ceiling, none lost or doubled',
  });
  // Mixed targets, measured the same way (same document count, batch size, latency and simulator setup).
  const mixed = await postThroughWorker(documents, 50, 200_000, mixedRecords);
  emit({
    name: 'intacct postings for mixed targets (EEXPENSES, CCTRANSACTION on 1-2 cards, APBILL, GLBATCH; 150 ms latency, 2 concurrent, 50 records per request)',
    value: round(mixed.documentsPerSecond),
    unit: 'documents/s',
    recordsPerSecond: round(mixed.recordsPerSecond),
    recordsPerDocument: Math.round((mixed.records / documents) * 100) / 100,
    documents,
    baseline: { name: 'GLBATCH only (one record per document), same run', value: round(batched.documentsPerSecond), unit: 'documents/s' },
    baselineRecordsPerSecond: round(batched.recordsPerSecond),
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
