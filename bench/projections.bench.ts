/**
 * Replay / rebuild of a projection over 1,000,000 events from the embedded SQLite event store, next
 * to a raw better-sqlite3 read of the same rows in the same run, and the peak RSS while doing it.
 * `BENCH_EVENTS=n` overrides the number of events (for profiling).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import type { NewEvent, RecordedEvent } from '../src/domain/events/envelope.js';
import { prepareCached, type Projection, type ProjectionContext } from '../src/projections/projection.js';
import { readModelPath } from '../src/projections/read-model-db.js';
import { ProjectionRunner } from '../src/projections/runner.js';
import type { Emit } from './figure.js';

/** A posting-state-like read model: per document, status and amount in minor units. */
const documentTotals: Projection = {
  name: 'bench_document_totals',
  version: 1,
  eventTypes: ['PostingRequested', 'PostingSucceeded'],
  tables: ['bench_document_totals'],
  setup(ctx: ProjectionContext) {
    ctx.db.exec(`CREATE TABLE ${ctx.table('bench_document_totals')} (document TEXT PRIMARY KEY, status TEXT NOT NULL, amount_minor INTEGER NOT NULL, events INTEGER NOT NULL)`);
  },
  apply(event: RecordedEvent, ctx: ProjectionContext) {
    const data = event.data as { document: string; amountMinor: number };
    prepareCached(
      ctx,
      `INSERT INTO ${ctx.table('bench_document_totals')} (document, status, amount_minor, events) VALUES (?, ?, ?, 1)
       ON CONFLICT(document) DO UPDATE SET status = excluded.status, amount_minor = amount_minor + excluded.amount_minor, events = events + 1`,
    ).run(data.document, event.type, data.amountMinor);
  },
};

function eventsFor(document: number, count: number): NewEvent[] {
  const occurredAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: i % 4 === 3 ? 'PostingSucceeded' : i % 4 === 0 ? 'DocumentNoted' : 'PostingRequested',
    schemaVersion: 1,
    data: { document: `doc-${document}`, amountMinor: 1 + ((document * 7919 + i) % 100_000) },
    metadata: { correlationId: `c-${document}`, causationId: null, actor: 'bench', occurredAt },
  }));
}

/** Samples RSS every 20 ms while `work` runs; returns the work's result and the peak seen. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssMb: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const total = process.env.BENCH_EVENTS ? Number(process.env.BENCH_EVENTS) : opts.quick ? 20_000 : 1_000_000;
  const perAppend = 1_000;
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-projections-'));
  const eventsPath = join(dir, 'events.db');
  try {
    const store = await SqliteEventStore.open(eventsPath);
    process.stderr.write(`# seeding ${total} events\n`);
    for (let n = 0; n < total / perAppend; n++) await store.appendToStream(`doc-${n}`, eventsFor(n, perAppend));
    const head = await store.headPosition();

    // Baseline: the same rows read straight from the file with better-sqlite3, nothing decoded.
    const raw = new Database(eventsPath, { readonly: true });
    let t = performance.now();
    let rows = 0;
    for (const _row of raw.prepare('SELECT position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at FROM events ORDER BY position').raw().iterate()) rows++;
    const rawPerSec = Math.round(rows / ((performance.now() - t) / 1000));
    raw.close();
    const baseline = { name: 'raw better-sqlite3 read of the same rows', value: rawPerSec, unit: 'events/s' };

    const runner = ProjectionRunner.start({ store, databasePath: readModelPath(dir), projections: [documentTotals] });
    // First build: an empty read model catches up in pages, then follows through the subscription.
    const build = await withPeakRss(async () => {
      const start = performance.now();
      await runner.waitFor(head, 600_000);
      return performance.now() - start;
    });
    const rebuild = await withPeakRss(async () => {
      const start = performance.now();
      await runner.rebuild(documentTotals.name);
      return performance.now() - start;
    });
    const [status] = await runner.status();
    if (!status || status.position !== head || status.generation !== 2) throw new Error(`rebuild did not finish at the head: ${JSON.stringify(status, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    await runner.stop();
    await store.close();

    emit({
      name: `projection rebuild (replay into a fresh generation, then swap) over ${total} events`,
      value: Math.round(total / (rebuild.result / 1000)),
      unit: 'events/s',
      baseline,
      // On a shared machine both figures move with the load; the ratio is the comparable number.
      ratioToBaseline: Number((total / (rebuild.result / 1000) / rawPerSec).toFixed(2)),
      goal: '>= 100000 events/s',
    });
    emit({
      name: `projection first build (empty read model catching up) over ${total} events`,
      value: Math.round(total / (build.result / 1000)),
      unit: 'events/s',
      baseline,
      ratioToBaseline: Number((total / (build.result / 1000) / rawPerSec).toFixed(2)),
    });
    emit({
      name: `peak RSS while building and rebuilding a projection over ${total} events`,
      value: Math.max(build.peakRssMb, rebuild.peakRssMb),
      unit: 'MB',
      goal: '< 300 MB',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
