/**
 * Embedded SQLite event store: durable append throughput (synchronous=FULL) and replay speed, each
 * next to raw better-sqlite3 doing the same work on the same rows in the same run.
 *
 * Baselines insert the same serialized rows into a table of the same shape (same keys and unique
 * indexes) with prepared statements and no checks, so the difference is what the store adds:
 * id de-duplication, the revision check, position assignment, savepoints, JSON, promises.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { openEventDatabase } from '../src/adapters/eventstore/sqlite/schema.js';
import { newEvent, type NewEvent } from '../src/domain/events/envelope.js';
import { runChild } from './child.js';
import type { Emit } from './figure.js';

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const dir = mkdtempSync(join(process.env.ML_BENCH_DIR ?? tmpdir(), 'ml-bench-eventstore-'));
  let n = 0;
  const file = (): string => join(dir, `bench-${n++}.db`);
  try {
    await appendsOfOne(emit, file, opts.quick ? 60 : 200);
    await appendsOfHundred(emit, file, opts.quick ? 10 : 100);
    await concurrentCallers(emit, file, 50, opts.quick ? 10 : 40, opts.quick ? 100 : 500);
    await replay(emit, file(), opts.quick ? 100_000 : 1_000_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential single-event appends, each awaited: one durable commit per event for both sides. */
async function appendsOfOne(emit: Emit, file: () => string, count: number): Promise<void> {
  const { store: storeRate, raw: rawRate } = await alternate(
    async () => {
      const events = makeEvents(count);
      const store = await SqliteEventStore.open(file());
      const r = await rate(count, async () => {
        for (let i = 0; i < count; i++) await store.appendToStream(`doc-${i % 50}`, [events[i]!]);
      });
      await store.close();
      return r;
    },
    () => rawInsert(file(), makeEvents(count), 1),
  );
  emit({
    name: 'sqlite append, batches of 1 (durable)',
    value: round(storeRate),
    unit: 'events/s',
    baseline: { name: 'raw better-sqlite3 insert, 1 row per fsync-ed transaction', value: round(rawRate), unit: 'events/s' },
    rawOverStore: round2(rawRate / storeRate),
    goal: 'within 2x of raw',
  });
}

async function appendsOfHundred(emit: Emit, file: () => string, batches: number): Promise<void> {
  const { store: storeRate, raw: rawRate } = await alternate(
    async () => {
      const events = makeEvents(batches * 100);
      const store = await SqliteEventStore.open(file());
      const r = await rate(events.length, async () => {
        for (let b = 0; b < batches; b++) await store.appendToStream(`doc-${b % 50}`, events.slice(b * 100, b * 100 + 100));
      });
      await store.close();
      return r;
    },
    () => rawInsert(file(), makeEvents(batches * 100), 100),
  );
  emit({
    name: 'sqlite append, batches of 100 (durable)',
    value: round(storeRate),
    unit: 'events/s',
    baseline: { name: 'raw better-sqlite3 insert, 100 rows per fsync-ed transaction', value: round(rawRate), unit: 'events/s' },
    rawOverStore: round2(rawRate / storeRate),
    goal: 'within 2x of raw',
  });
}

/**
 * The disk is shared with other work, so a single store-then-raw pass can be skewed by whatever ran
 * meanwhile: run the two sides alternately, three rounds each, and report each side's median.
 */
async function alternate(store: () => Promise<number>, raw: () => Promise<number>, rounds = 3): Promise<{ store: number; raw: number }> {
  const s: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < rounds; i++) {
    s.push(await store());
    r.push(await raw());
  }
  return { store: median(s), raw: median(r) };
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Many callers each awaiting its own single-event appends: group commit shares the fsyncs. */
async function concurrentCallers(emit: Emit, file: () => string, callers: number, appendsEach: number, baselineCount: number): Promise<void> {
  const events = makeEvents(callers * appendsEach);
  const store = await SqliteEventStore.open(file());
  const storeRate = await rate(events.length, async () => {
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let k = 0; k < appendsEach; k++)
          await store.appendToStream(`doc-${c}`, [events[c * appendsEach + k]!], { expectedRevision: k === 0 ? 'no_stream' : k - 1 });
      }),
    );
  });
  const transactions = store.committedTransactions;
  await store.close();
  const rawRate = await rawInsert(file(), makeEvents(baselineCount), 1);
  emit({
    name: `sqlite append, ${callers} concurrent single-event callers (durable)`,
    value: round(storeRate),
    unit: 'events/s',
    baseline: { name: 'raw better-sqlite3, one fsync-ed transaction per event', value: round(rawRate), unit: 'events/s' },
    ratio: round2(storeRate / rawRate),
    eventsPerTransaction: round2(events.length / transactions),
    goal: '>= 10x one fsync per event',
  });
}

/** Reads the log in pages as a projection replay does, next to a raw SELECT of the same rows. */
async function replay(emit: Emit, path: string, count: number): Promise<void> {
  const fill = await SqliteEventStore.open(path, { synchronous: 'NORMAL' });
  const batch = 1000;
  for (let b = 0; b < count / batch; b++) await fill.appendToStream(`doc-${b % 5000}`, makeEvents(batch, b * batch));
  await fill.close();

  // The replay runs in a fresh process, so its peak RSS is the replay's alone (not the seeding's).
  const child = await runChild<{ read: number; checksum: number; ms: number; cpuSeconds: number; peakRssMb: number }>('./eventstore-replay.child.ts', [path]);
  if (child.read !== count) throw new Error(`replay read ${child.read} events, expected ${count}`);
  const storeRate = count / (child.ms / 1000);
  const storeCpuRate = count / child.cpuSeconds;
  const checksum = child.checksum;

  const db = new Database(path, { readonly: true });
  const select = db
    .prepare(
      'SELECT position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1000',
    )
    .raw();
  let rawRead = 0;
  const rawCpu = process.cpuUsage();
  const rawRate = await rate(count, async () => {
    for (let after = -1; ; ) {
      const rows = select.all(after) as [number, ...unknown[]][];
      if (rows.length === 0) break;
      rawRead += rows.length;
      after = rows.at(-1)![0];
    }
  });
  const rawCpuRate = count / cpuSeconds(rawCpu);
  db.close();
  if (rawRead !== count) throw new Error(`raw read ${rawRead} rows, expected ${count}`);
  emit({
    name: `sqlite readAll replay of ${count} events (pages of 1000, JSON decoded)`,
    value: round(storeRate),
    unit: 'events/s',
    baseline: { name: 'raw better-sqlite3 SELECT of the same rows, same pages (no decoding)', value: round(rawRate), unit: 'rows/s' },
    perCpuSecond: round(storeCpuRate),
    baselinePerCpuSecond: round(rawCpuRate),
    checksum,
    goal: '>= 100,000 events/s',
  });
  emit({
    name: `peak RSS while replaying ${count} events`,
    value: child.peakRssMb,
    unit: 'MB',
    measured: 'peak resident set of a fresh process that replays the log',
    goal: '< 300 MB',
  });
}

/** Raw baseline: the same rows into the same table shape, `perTransaction` rows per durable commit; returns rows/s. */
async function rawInsert(path: string, events: NewEvent[], perTransaction: number): Promise<number> {
  const db = openEventDatabase(path, { synchronous: 'FULL' });
  const insert = db.prepare(
    'INSERT INTO events (position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const write = db.transaction((rows: NewEvent[], first: number) => {
    const recordedAt = new Date().toISOString();
    rows.forEach((e, i) =>
      insert.run(
        first + i,
        e.id,
        `doc-${(first + i) % 50}`,
        first + i,
        e.type,
        e.schemaVersion,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        recordedAt,
      ),
    );
  });
  const r = await rate(events.length, async () => {
    for (let i = 0; i < events.length; i += perTransaction) write(events.slice(i, i + perTransaction), i);
  });
  db.close();
  return r;
}

function makeEvents(count: number, offset = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) =>
    newEvent(
      'JournalEntryPrepared',
      { documentId: `RPT-${offset + i}`, amountMinor: (offset + i) % 100_000, currency: 'USD', lines: 4 },
      { actor: 'system:bench', occurredAt: '2026-01-01T00:00:00.000Z' },
    ),
  );
}

/** CPU seconds (user + system) of this process since `start`: unlike wall time, not inflated when other work shares the cores. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function rate(count: number, work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

const round = (x: number): number => Math.round(x);
const round2 = (x: number): number => Math.round(x * 100) / 100;
