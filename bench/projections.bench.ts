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
import { runChild } from './child.js';
import type { Emit } from './figure.js';

/** A posting-state-like read model: per document, status and amount in minor units. */
export const documentTotals: Projection = {
  name: 'bench_document_totals',
  version: 1,
  eventTypes: ['PostingRequested', 'PostingSucceeded'],
  tables: ['bench_document_totals'],
  setup(ctx: ProjectionContext) {
    ctx.db.exec(
      `CREATE TABLE ${ctx.table('bench_document_totals')} (document TEXT PRIMARY KEY, status TEXT NOT NULL, amount_minor INTEGER NOT NULL, events INTEGER NOT NULL)`,
    );
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
    const t = performance.now();
    let rows = 0;
    for (const _row of raw
      .prepare('SELECT position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at FROM events ORDER BY position')
      .raw()
      .iterate())
      rows++;
    const rawPerSec = Math.round(rows / ((performance.now() - t) / 1000));
    raw.close();
    const baseline = { name: 'raw better-sqlite3 read of the same rows', value: rawPerSec, unit: 'events/s' };

    await store.close();
    // Build and rebuild run in a fresh process: its peak RSS is theirs alone, not the seeding's.
    const child = await runChild<{ buildMs: number; rebuildMs: number; peakRssMb: number; atHead: boolean; generation: number }>(
      './projections-replay.child.ts',
      [eventsPath, dir],
    );
    if (!child.atHead || child.generation !== 2) throw new Error(`rebuild did not finish at the head: ${JSON.stringify(child)}`);
    const build = { result: child.buildMs };
    const rebuild = { result: child.rebuildMs };

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
      value: child.peakRssMb,
      unit: 'MB',
      measured: 'peak resident set of a fresh process that builds then rebuilds the projection',
      goal: '< 300 MB',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
