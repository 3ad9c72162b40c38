/** SQLite-specific behaviour beyond the shared contract: group commit, files, other connections. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreFileError, SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { WrongExpectedRevisionError } from '../../src/domain/eventstore/port.js';
import { ev, waitFor } from './contract.js';
import { openTempSqliteStore } from './temp-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
async function temp(options?: Parameters<typeof openTempSqliteStore>[0]) {
  const t = await openTempSqliteStore(options);
  cleanups.push(t.cleanup);
  return t;
}

describe('SqliteEventStore group commit', () => {
  it('commits 50 concurrent appends in one transaction, rejecting only the conflicting one', async () => {
    const { store } = await temp();
    await store.appendToStream('taken', [ev('Seed')]);
    const before = store.committedTransactions;
    const appends = Array.from({ length: 50 }, (_, i) =>
      i === 17
        ? store.appendToStream('taken', [ev('Late')], { expectedRevision: 'no_stream' })
        : store.appendToStream(`doc-${i}`, [ev('Received', { i })], { expectedRevision: 'no_stream' }),
    );
    const outcomes = await Promise.allSettled(appends);
    expect(store.committedTransactions - before).toBe(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(49);
    expect((outcomes[17] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    const all = await store.readAll();
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i)));
    expect(all).toHaveLength(50);
  });

  it('rejects an event without a type or schema version before queueing it', async () => {
    const { store } = await temp();
    await expect(store.appendToStream('s', [{ ...ev('A'), type: '' }])).rejects.toThrow(/has no type/);
    await expect(store.appendToStream('s', [{ ...ev('A'), schemaVersion: 1.5 }])).rejects.toThrow(/schema version/);
  });

  it('rejects an append whose data is not JSON without affecting the others', async () => {
    const { store } = await temp();
    const bad = store.appendToStream('bad', [ev('Bad', { amount: 10n })]);
    const good = store.appendToStream('good', [ev('Good')]);
    await expect(bad).rejects.toThrow(/stream bad cannot be stored: its data or metadata is not JSON/);
    await expect(good).resolves.toMatchObject({ appended: 1 });
  });

  it('rolls back an append that fails half-way through its inserts alone, leaving no gap in positions', async () => {
    const { store, path } = await temp();
    // A trigger stands in for any failure of a single insert (constraint, full disk on that page).
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER explode BEFORE INSERT ON events WHEN NEW.type = 'Explode' BEGIN SELECT RAISE(ABORT, 'insert refused'); END`);
    raw.close();
    const outcomes = await Promise.allSettled([
      store.appendToStream('a', [ev('A')]),
      store.appendToStream('broken', [ev('B'), ev('B'), ev('Explode')]),
      store.appendToStream('c', [ev('C')]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'insert refused' });
    const all = await store.readAll();
    expect(all.map((e) => [e.streamId, e.position])).toEqual([
      ['a', 0n],
      ['c', 1n],
    ]);
  });

  it('flushes appends still queued when closed, then refuses new ones', async () => {
    const { store, path } = await temp();
    const queued = store.appendToStream('s', [ev('A')]);
    await store.close();
    await expect(queued).resolves.toMatchObject({ appended: 1 });
    await expect(store.appendToStream('s', [ev('B')])).rejects.toThrow(/closed/);
    const reopened = await SqliteEventStore.open(path);
    expect(await reopened.readStream('s')).toHaveLength(1);
    await reopened.close();
  });
});

describe('SqliteEventStore file', () => {
  it('keeps events across reopen and continues the positions', async () => {
    const { store, path } = await temp();
    await store.appendToStream('s', [ev('A'), ev('B')]);
    await store.close();
    const reopened = await SqliteEventStore.open(path);
    cleanups.push(() => reopened.close());
    expect(await reopened.appendToStream('s', [ev('C')], { expectedRevision: 1 })).toMatchObject({ position: 2n, nextExpectedRevision: 2 });
    expect((await reopened.readAll()).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('sees appends made through another connection to the same file (poll) and keeps positions gap-free', async () => {
    const { store: a, path } = await temp({ pollIntervalMs: 20 });
    const b = await SqliteEventStore.open(path, { pollIntervalMs: 20 });
    cleanups.push(() => b.close());
    const seen: string[] = [];
    const sub = b.subscribeToAll((e) => void seen.push(e.id));
    await sub.caughtUp;
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).appendToStream(`s${i % 3}`, [ev('X', { i }), ev('Y', { i })])));
    await waitFor(() => seen.length === 40);
    await sub.stop();
    const all = await a.readAll();
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i)));
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('refuses a file that is not a SQLite database, naming it', async () => {
    const { dir } = await temp();
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not a database '.repeat(500));
    const error = await SqliteEventStore.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreFileError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/not a SQLite database or is corrupt/);
  });

  it('refuses a SQLite database of something else instead of adding tables to it', async () => {
    const { dir } = await temp();
    const path = join(dir, 'readmodel.db');
    const other = new Database(path);
    other.exec('CREATE TABLE postings (id TEXT)');
    other.close();
    await expect(SqliteEventStore.open(path)).rejects.toThrow(/database of something else \(tables: postings\)/);
  });

  it('refuses a file written by a newer format version', async () => {
    const { dir } = await temp();
    const path = join(dir, 'future.db');
    const future = new Database(path);
    future.pragma('user_version = 99');
    future.close();
    await expect(SqliteEventStore.open(path)).rejects.toThrow(/format version 99.*Upgrade ml-connector/);
  });

  it('says which path cannot be opened', async () => {
    const { dir } = await temp();
    const path = join(dir, 'no', 'such', 'dir', 'events.db');
    await expect(SqliteEventStore.open(path)).rejects.toThrow(new RegExp(`Cannot open the event store file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('is durable by default: WAL and synchronous=FULL', async () => {
    const { store, path } = await temp();
    await store.appendToStream('s', [ev('A')]);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(store.synchronous).toBe('FULL');
  });
});
