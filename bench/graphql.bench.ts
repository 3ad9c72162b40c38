/**
 * `postings` GraphQL query latency over a large posting-state read model (100,000 postings; 10,000
 * with --quick), with filters, over real HTTP on 127.0.0.1 — next to the same PostingQueries.list
 * calls made directly, measured in the same run, so the GraphQL + HTTP overhead is visible.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorApi } from '../src/application/connector-api.js';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { ConcurNotificationIngest } from '../src/adapters/concur/notifications.js';
import { createConcurWebhookHandler } from '../src/adapters/concur/webhook.js';
import { documentStreamId } from '../src/domain/document/events.js';
import type { RecordedEvent } from '../src/domain/events/envelope.js';
import { createGraphqlHandler } from '../src/graphql/server.js';
import { PostingQueries, type PostingFilter } from '../src/projections/posting-queries.js';
import { PostingReadWorker } from '../src/projections/query-pool.js';
import { postingStateProjection } from '../src/projections/posting-state.js';
import type { ProjectionContext } from '../src/projections/projection.js';
import type { Emit } from './figure.js';

const TOKEN = 'bench-viewer-token-0123456789';
const STATUSES = ['POSTED', 'POSTED', 'POSTED', 'CONFIRMED', 'AWAITING_MAPPING', 'REJECTED', 'FAILED'] as const;

function contextFor(db: Database.Database): ProjectionContext {
  return { db, table: (logical: string) => logical };
}

/** Fills the read model through the real projection with the events each document would get. */
export function fill(db: Database.Database, count: number): void {
  const ctx = contextFor(db);
  postingStateProjection.setup(ctx);
  let position = 0n;
  const day = (i: number) => `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000Z`;
  const event = (stream: string, revision: number, type: string, data: unknown, at: string): RecordedEvent => ({
    id: `${stream}-${revision}`,
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: stream, causationId: null, actor: 'bench', occurredAt: at },
    streamId: stream,
    revision,
    position: position++,
    recordedAt: at,
  });
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `B${i}`;
      const stream = documentStreamId('expense', id);
      const at = day(i);
      const status = STATUSES[i % STATUSES.length]!;
      const amount = `${1 + (i % 5000)}.${String(i % 100).padStart(2, '0')}`;
      const events = [
        event(
          stream,
          0,
          'ConcurDocumentReceived',
          { docType: 'expense', concurDocumentId: id, channel: 'webhook', notificationId: null, href: null, reportId: `R${i}` },
          at,
        ),
        event(
          stream,
          1,
          'ConcurDocumentFetched',
          {
            docType: 'expense',
            concurDocumentId: id,
            reportId: `R${i}`,
            reportName: `Trip ${i % 997}`,
            employeeId: `E${i % 400}`,
            amount,
            currency: 'USD',
            version: '1',
            document: null,
          },
          at,
        ),
      ];
      if (status === 'AWAITING_MAPPING')
        events.push(
          event(
            stream,
            2,
            'MappingGapFound',
            { gaps: [{ kind: 'account', code: '01028', field: 'accounts', lines: [], message: 'x' }], mappingRevision: 0 },
            at,
          ),
        );
      else {
        const postingKey = `ML-EXP-${id}-1`;
        events.push(event(stream, 2, 'PostingRequested', { postingKey, entry: { batchDate: at.slice(0, 10) }, reverses: null }, at));
        if (status === 'REJECTED')
          events.push(
            event(
              stream,
              3,
              'PostingRejected',
              {
                postingKey,
                attempt: 1,
                error: { category: 'closed-period', errorNo: null, description: null, description2: null, correction: null, message: 'closed' },
              },
              at,
            ),
          );
        else if (status === 'FAILED')
          events.push(
            event(
              stream,
              3,
              'PostingFailed',
              {
                postingKey,
                attempt: 1,
                error: { category: 'transient', errorNo: null, description: null, description2: null, correction: null, message: '503' },
                nextAttemptAt: at,
              },
              at,
            ),
          );
        else events.push(event(stream, 3, 'PostingSucceeded', { postingKey, recordNo: `RN${i}`, outcome: 'created' }, at));
        if (status === 'CONFIRMED')
          events.push(event(stream, 4, 'PostingConfirmedToConcur', { status: 'success', documentNumber: null, serviceCode: 0, messages: [] }, at));
      }
      for (const e of events) postingStateProjection.apply(e, ctx);
    }
  });
  for (let from = 0; from < count; from += 5000) batch(from, Math.min(count, from + 5000));
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const count = opts.quick ? 10_000 : 100_000;
  const rounds = opts.quick ? 100 : 400;
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-graphql-'));
  const db = new Database(join(dir, 'read-models.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  try {
    fill(db, count);
    const queries = new PostingQueries(db);
    // As in the service: postings lists and statistics on the read worker thread (its own read-only connection).
    const reads = new PostingReadWorker(join(dir, 'read-models.db'));
    const notInBench = (): never => {
      throw new Error('not part of the postings benchmark');
    };
    const api: ConnectorApi = {
      listPostings: (f, first, after, options) => reads.list(f, first, after, options),
      getPosting: (id) => queries.get(id),
      timeline: async () => [],
      statistics: (from, to) => reads.statistics(from, to),
      mappings: notInBench,
      mappingHistory: notInBench,
      setMapping: notInBench,
      removeMapping: notInBench,
      importMappings: notInBench,
      dimensions: () => [],
      syncRuns: async () => [],
      syncReferenceData: notInBench,
      projections: async () => [],
      replayProjection: notInBench,
      retryPosting: notInBench,
      backfill: notInBench,
      job: () => null,
      listJobs: () => [],
      reporting: {
        overview: notInBench,
        health: async () => [],
        intacctUsage: notInBench,
        auditReport: notInBench,
        employeeName: () => null,
        referenceName: () => null,
      },
    };
    const handler = await createGraphqlHandler({ api, tokens: `bench:viewer:${TOKEN}`, sandbox: false });
    const server = createServer((req, res) => void handler.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

    // Filters a finance user combines; each run alternates them, half of them on page 2.
    const filters: Array<{ name: string; filter: PostingFilter & Record<string, unknown>; gql: Record<string, unknown> }> = [
      { name: 'status', filter: { status: ['REJECTED', 'FAILED'] }, gql: { status: ['REJECTED', 'FAILED'] } },
      { name: 'employee+status', filter: { employeeId: 'E17', status: ['POSTED'] }, gql: { employeeId: 'E17', status: ['POSTED'] } },
      {
        name: 'date+amount',
        filter: { updatedFrom: '2026-03-01', updatedTo: '2026-05-31', minAmount: '100', maxAmount: '250.50' },
        gql: { from: '2026-03-01', to: '2026-05-31', minAmount: '100', maxAmount: '250.50' },
      },
      { name: 'text', filter: { text: 'Trip 42' }, gql: { text: 'Trip 42' } },
    ];
    const QUERY = `query P($f: PostingFilter, $after: String) { postings(filter: $f, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status docType concurDocumentId reportId employeeId amount currency intacctRecordNo postingKey updatedAt } } } }`;
    const post = async (variables: Record<string, unknown>) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query: QUERY, variables }),
      });
      const body = (await r.json()) as { data?: { postings: { pageInfo: { endCursor: string | null } } }; errors?: unknown[] };
      if (body.errors) throw new Error(`postings query failed: ${JSON.stringify(body.errors)}`);
      return body.data!.postings;
    };

    const graphqlTimes: number[] = [];
    const directTimes: number[] = [];
    const perFilter = new Map<string, number[]>();
    const perFilterDirect = new Map<string, number[]>();
    for (let i = 0; i < rounds + 20; i++) {
      const f = filters[i % filters.length]!;
      const page2 = i % 2 === 1;
      const after = page2 ? (queries.list(f.filter, 50).endCursor ?? undefined) : undefined;
      let t = performance.now();
      queries.list(f.filter, 50, after);
      const direct = performance.now() - t;
      t = performance.now();
      await post({ f: f.gql, after: after ?? null });
      const viaGraphql = performance.now() - t;
      if (i >= 20) {
        directTimes.push(direct);
        graphqlTimes.push(viaGraphql);
        perFilter.set(f.name, [...(perFilter.get(f.name) ?? []), viaGraphql]);
        perFilterDirect.set(f.name, [...(perFilterDirect.get(f.name) ?? []), direct]);
      }
    }
    graphqlTimes.sort((a, b) => a - b);
    directTimes.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    for (const p of [50, 99]) {
      emit({
        name: `graphql postings query p${p} (${count} postings, filters, first 50, over HTTP, read on the worker thread)`,
        value: round(percentile(graphqlTimes, p)),
        unit: 'ms',
        baseline: { name: `PostingQueries.list p${p}, same filters, no GraphQL/HTTP`, value: round(percentile(directTimes, p)), unit: 'ms' },
        ...(p === 99 ? { goal: 'p99 < 20 ms' } : {}),
        samples: graphqlTimes.length,
        byFilter: Object.fromEntries(
          [...perFilter].map(([name, times]) => [
            name,
            round(
              percentile(
                [...times].sort((a, b) => a - b),
                p,
              ),
            ),
          ]),
        ),
        byFilterDirect: Object.fromEntries(
          [...perFilterDirect].map(([name, times]) => [
            name,
            round(
              percentile(
                [...times].sort((a, b) => a - b),
                p,
              ),
            ),
          ]),
        ),
      });
    }

    // Shapes the four above do not cover (broad, short or combined text; broad ranges), read directly,
    // next to the same calls without totalCount: the count is the part that grows with the matches.
    const others: PostingFilter[] = [
      {},
      { docType: ['expense'] },
      { status: ['POSTED', 'CONFIRMED'], updatedFrom: '2026-03-01' },
      { minAmount: '4999' },
      { text: 'Trip' },
      { text: 'E1' },
      { status: ['FAILED'], text: 'Trip 9' },
    ];
    const withCount = new Map<string, number[]>();
    const withoutCount = new Map<string, number[]>();
    for (let i = 0; i < (opts.quick ? 10 : 40) * others.length; i++) {
      const f = others[i % others.length]!;
      for (const [totalCount, times] of [
        [true, withCount],
        [false, withoutCount],
      ] as const) {
        const t = performance.now();
        queries.list(f, 50, undefined, { totalCount });
        const key = JSON.stringify(f);
        times.set(key, [...(times.get(key) ?? []), performance.now() - t]);
      }
    }
    const p99 = (times: Map<string, number[]>) =>
      round(
        percentile(
          [...times.values()].flat().sort((a, b) => a - b),
          99,
        ),
      );
    emit({
      name: `PostingQueries.list p99, other filter shapes (${count} postings, first 50, with totalCount)`,
      value: p99(withCount),
      unit: 'ms',
      baseline: { name: 'same calls without totalCount', value: p99(withoutCount), unit: 'ms' },
      samples: [...withCount.values()].flat().length,
      byFilter: Object.fromEntries(
        [...withCount].map(([name, times]) => [
          name,
          round(
            percentile(
              [...times].sort((a, b) => a - b),
              99,
            ),
          ),
        ]),
      ),
      byFilterWithoutCount: Object.fromEntries(
        [...withoutCount].map(([name, times]) => [
          name,
          round(
            percentile(
              [...times].sort((a, b) => a - b),
              99,
            ),
          ),
        ]),
      ),
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Webhook intake while the heaviest queries the cost limit allows run: the webhook and GraphQL share
    // one process and one event loop, as in the service, so a query that holds the loop delays intake.
    const store = await SqliteEventStore.open(join(dir, 'events.db'));
    const webhook = createConcurWebhookHandler({ ingest: new ConcurNotificationIngest(store), verify: 'none', publicKeys: [] });
    const both = createServer((req, res) => void (req.url?.startsWith('/webhooks/') ? webhook(req, res) : handler.handle(req, res)));
    await new Promise<void>((resolve) => both.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(both.address() as AddressInfo).port}`;
    const HEAVY = `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: postings(first: 100, filter: { text: "Trip ${i}" }) { totalCount edges { node { id status amount employeeId } } }`).join(' ')} }`;
    const heavyOnce = async (): Promise<void> => {
      const r = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query: HEAVY }),
      });
      const body = (await r.json()) as { errors?: Array<{ message: string }> };
      if (body.errors) throw new Error(`the heavy query was refused, so it measures nothing: ${body.errors[0]!.message}`);
    };
    const webhookLatencies = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const docId = `W${i}-${Math.random().toString(36).slice(2)}`;
        const body = JSON.stringify({
          id: `n-${docId}`,
          correlationId: `c-${docId}`,
          eventType: 'expense.readyForIntegration',
          topic: 'public.concur.financialintegration',
          timeStamp: new Date().toISOString(),
          facts: { documentId: docId },
        });
        const t = performance.now();
        const r = await fetch(`${base}/webhooks/concur`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.text();
        if (r.status !== 200) throw new Error(`webhook answered ${r.status}`);
        out.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return out.sort((a, b) => a - b);
    };
    const samples = opts.quick ? 150 : 400;
    const idle = await webhookLatencies(samples);
    let heavyRuns = 0;
    let heavyMs = 0;
    let stop = false;
    const heavyLoop = async (): Promise<void> => {
      while (!stop) {
        const t = performance.now();
        await heavyOnce();
        heavyMs += performance.now() - t;
        heavyRuns++;
      }
    };
    const loops = [heavyLoop(), heavyLoop()];
    const busy = await webhookLatencies(samples);
    stop = true;
    await Promise.all(loops);
    emit({
      name: 'webhook p99 while two clients run the heaviest allowed GraphQL query in a loop (8 aliases of postings(first: 100, text filter) with totalCount)',
      value: round(percentile(busy, 99)),
      unit: 'ms',
      baseline: { name: 'webhook p99, same server, no query running', value: round(percentile(idle, 99)), unit: 'ms' },
      p50: round(percentile(busy, 50)),
      heavyQueryMeanMs: round(heavyMs / Math.max(1, heavyRuns)),
      heavyQueries: heavyRuns,
      samples,
    });
    both.closeAllConnections();
    await new Promise<void>((resolve) => both.close(() => resolve()));
    await store.close();
    await reads.close();
    await handler.stop();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
