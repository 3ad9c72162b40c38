import type Database from 'better-sqlite3';
import type { NewEvent, RecordedEvent } from '../../../domain/events/envelope.js';
import {
  checkExpectedRevision,
  EventStoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type StreamAppendOutcome,
  type SubscribeOptions,
  type Subscription,
} from '../../../domain/eventstore/port.js';
import { followLog } from '../follow-log.js';
import { GroupCommitQueue } from './group-commit.js';
import { EventStoreFileError, openEventDatabase, type SynchronousMode } from './schema.js';

export interface SqliteEventStoreOptions {
  /** `FULL` (default): every acknowledged append is on disk. `NORMAL` may lose the last commits on power loss. */
  synchronous?: SynchronousMode;
  /** How often subscriptions look for events appended by another process (same-process appends wake them at once). */
  pollIntervalMs?: number;
  /** How long an append waits when another process holds the file's write lock. */
  busyTimeoutMs?: number;
  /** Files up to this size get SQLite's quick_check at open (schema.ts); the tail check always runs. */
  quickCheckMaxBytes?: number;
}

/** An event already serialized, so that a bad payload fails its own append before any transaction. */
interface SerializedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
}

interface AppendRequest {
  streamId: string;
  events: SerializedEvent[];
  expected: ExpectedRevision | undefined;
}

type EventRow = [bigint, string, string, bigint, string, bigint, string, string, string];
const COLUMNS = 'position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at';

/**
 * The embedded event store: one SQLite file in WAL mode.
 *
 * Why readers never skip a position, in this process or any other that opens the file: a position is
 * `max(position) + 1`, read and written inside a write transaction, and SQLite admits one writer at
 * a time per file (BEGIN IMMEDIATE takes the file's write lock). So transaction T2 can only pick
 * positions above T1's after T1 has committed, which means commits happen in position order. A WAL
 * reader sees a snapshot that ends at a commit boundary, so it sees every position up to the head of
 * some commit and never a later position without the earlier ones (unlike sequences in client/server
 * databases, which hand out numbers to transactions that may commit out of order).
 */
export class SqliteEventStore implements EventStore {
  private readonly listeners = new Set<() => void>();
  private readonly queue: GroupCommitQueue<AppendRequest, AppendResult>;
  private closed = false;
  private transactions = 0;
  private lastWriteFault: { at: string; message: string } | null = null;
  private readonly stmt;
  private readonly writeGroup: (requests: AppendRequest[]) => (AppendResult | Error)[];

  static async open(path: string, options: SqliteEventStoreOptions = {}): Promise<SqliteEventStore> {
    return new SqliteEventStore(openEventDatabase(path, options), path, options);
  }

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly options: SqliteEventStoreOptions,
  ) {
    this.stmt = {
      head: db.prepare('SELECT coalesce(max(position), -1) FROM events').pluck().safeIntegers(true),
      streamHead: db.prepare('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').raw().safeIntegers(true),
      hasId: db.prepare('SELECT 1 FROM events WHERE id = ?').pluck(),
      storedIds: db.prepare('SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))').pluck(),
      insert: db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw().safeIntegers(true),
      readStream: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw().safeIntegers(true),
    };
    const appendOne = db.transaction((request: AppendRequest, position: { next: bigint }, recordedAt: string, stored: Set<string> | null) =>
      this.appendInTransaction(request, position, recordedAt, stored),
    );
    // The group runs in one IMMEDIATE transaction; each request in a savepoint (better-sqlite3 nests
    // transaction functions that way), so a conflicting request rolls back alone.
    this.writeGroup = db.transaction((requests: AppendRequest[]) => {
      const position = { next: (this.stmt.head.get() as bigint) + 1n };
      const recordedAt = new Date().toISOString();
      // A group of many appends (a Kafka batch) looks its ids up in one query, not one per append;
      // the set then follows the group's own successful appends.
      const stored = requests.length > 1 ? this.storedAmong(requests) : null;
      return requests.map((request) => {
        const first = position.next;
        try {
          // A single-event request writes at most one row, and a failing statement is undone by SQLite
          // itself, so it needs no savepoint of its own (two statements fewer per append).
          const result =
            request.events.length <= 1 ? this.appendInTransaction(request, position, recordedAt, stored) : appendOne(request, position, recordedAt, stored);
          if (stored) for (const e of request.events) stored.add(e.id);
          return result;
        } catch (error) {
          // An I/O or lock error may have ended the whole transaction: then the group fails as one.
          if (!db.inTransaction) throw error;
          // The savepoint took back this request's rows, so their positions are free again (no gap).
          position.next = first;
          return error instanceof Error ? error : new Error(String(error));
        }
      });
    }).immediate;
    this.queue = new GroupCommitQueue((requests) => this.flush(requests));
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    return this.queue.enqueue({ streamId, events: serialize(streamId, events), expected: options.expectedRevision });
  }

  /** All requests in one write transaction (one fsync), each in its own savepoint: a conflict fails alone. */
  async appendBatch(requests: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    this.assertOpen();
    const outcomes = new Array<StreamAppendOutcome>(requests.length);
    const queued: AppendRequest[] = [];
    const slots: number[] = [];
    requests.forEach((r, i) => {
      try {
        queued.push({ streamId: r.streamId, events: serialize(r.streamId, r.events), expected: r.options?.expectedRevision });
        slots.push(i);
      } catch (error) {
        outcomes[i] = error instanceof Error ? error : new Error(String(error));
      }
    });
    const results = await this.queue.enqueueAll(queued);
    for (const [j, result] of results.entries()) outcomes[slots[j]!] = result;
    return outcomes;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const rows = this.guard(() => this.stmt.readStream.all(streamId, Math.max(0, options.fromRevision ?? 0), options.maxCount ?? -1) as EventRow[]);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const rows = this.guard(() => this.stmt.readAll.all(options.after ?? -1n, options.maxCount ?? -1) as EventRow[]);
    return rows.map(toRecorded);
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return followLog(
      this,
      handler,
      options,
      (wake) => {
        this.listeners.add(wake);
        return () => this.listeners.delete(wake);
      },
      this.options.pollIntervalMs ?? 250,
    );
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.stmt.head.get() as bigint;
  }

  /** The last append failure, until an append succeeds again (for /readyz): disk full, I/O error, lock. */
  writeFault(): { at: string; message: string } | null {
    return this.lastWriteFault;
  }

  /** Write transactions committed by this instance (each may hold many appends: group commit). */
  get committedTransactions(): number {
    return this.transactions;
  }

  /** The durability this connection actually runs with (read back from SQLite, not from the options). */
  get synchronous(): SynchronousMode | 'OFF' | 'EXTRA' {
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    return (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[level] ?? 'OFF';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.queue.drain();
    this.closed = true;
    this.db.close();
    for (const listener of this.listeners) listener();
  }

  private flush(requests: AppendRequest[]): (AppendResult | Error)[] {
    if (this.closed) return requests.map(() => new Error('The event store is closed'));
    let outcomes: (AppendResult | Error)[];
    try {
      outcomes = this.writeGroup(requests);
      this.transactions++;
      this.lastWriteFault = null;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      this.lastWriteFault = { at: new Date().toISOString(), message: `${code || String(error)}${code === 'SQLITE_FULL' ? ' (the disk is full)' : ''}` };
      throw new EventStoreUnavailableError(
        `Appending to the event store file ${this.path} failed (${code || String(error)}); nothing of these appends was stored. ` +
          (code === 'SQLITE_BUSY' ? 'Another process holds the write lock; retry the append.' : 'Check the disk and the file, then retry.'),
        { cause: error },
      );
    }
    if (outcomes.some((o) => !(o instanceof Error) && o.appended > 0)) for (const listener of this.listeners) listener();
    return outcomes;
  }

  private appendInTransaction(request: AppendRequest, position: { next: bigint }, recordedAt: string, stored: Set<string> | null): AppendResult {
    const { streamId, events, expected } = request;
    const head = this.stmt.streamHead.get(streamId) as [bigint, bigint] | undefined;
    let revision = head ? Number(head[0]) : -1;
    let last = head ? head[1] : -1n;
    const fresh = stored ? events.filter((e) => !stored.has(e.id)) : this.unstored(events);
    // All events already stored: a retry of an append that succeeded, so it succeeds again unchecked.
    if (fresh.length > 0 || events.length === 0) checkExpectedRevision(streamId, expected, revision);
    for (const e of fresh) {
      revision++;
      last = position.next++;
      this.stmt.insert.run(last, e.id, streamId, revision, e.type, e.schemaVersion, e.data, e.metadata, recordedAt);
    }
    return { nextExpectedRevision: revision, position: last, appended: fresh.length };
  }

  /** The ids of these requests' events that are already stored. */
  private storedAmong(requests: AppendRequest[]): Set<string> {
    const ids: string[] = [];
    for (const r of requests) for (const e of r.events) ids.push(e.id);
    return new Set(ids.length === 0 ? [] : (this.stmt.storedIds.all(JSON.stringify(ids)) as string[]));
  }

  private unstored(events: SerializedEvent[]): SerializedEvent[] {
    if (events.length === 0) return events;
    if (events.length === 1) return this.stmt.hasId.get(events[0]!.id) === undefined ? events : [];
    const stored = new Set(this.stmt.storedIds.all(JSON.stringify(events.map((e) => e.id))) as string[]);
    return stored.size === 0 ? events : events.filter((e) => !stored.has(e.id));
  }

  /** Corruption found while reading (not only at open) is reported as a file problem, with what to do. */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
        throw new EventStoreFileError(
          `The event store file ${this.path} is corrupt (${code}). Stop the service, keep a copy of the file, check it with "sqlite3 <file> 'PRAGMA integrity_check'" and restore it from a backup.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

/** Serializes and de-duplicates (a repeated id within one append counts once) before queueing. */
function serialize(streamId: string, events: readonly NewEvent[]): SerializedEvent[] {
  const seen = new Set<string>();
  const out: SerializedEvent[] = [];
  for (const e of events) {
    if (typeof e.id !== 'string' || e.id === '')
      throw new TypeError(`An event of type ${e.type} for stream ${streamId} has no id; give every event an id (newEvent() does).`);
    if (typeof e.type !== 'string' || e.type === '') throw new TypeError(`Event ${e.id} for stream ${streamId} has no type; every event needs its type name.`);
    if (!Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) {
      throw new TypeError(`Event ${e.id} (${e.type}) for stream ${streamId} has schema version ${String(e.schemaVersion)}; it must be an integer >= 1.`);
    }
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    let data: string | undefined;
    let metadata: string | undefined;
    try {
      data = JSON.stringify(e.data);
      metadata = JSON.stringify(e.metadata);
    } catch (error) {
      throw new TypeError(
        `Event ${e.id} (${e.type}) for stream ${streamId} cannot be stored: its data or metadata is not JSON (${error instanceof Error ? error.message : String(error)}).`,
        { cause: error },
      );
    }
    out.push({ id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: data ?? 'null', metadata: metadata ?? 'null' });
  }
  return out;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row[1],
    type: row[4],
    schemaVersion: Number(row[5]),
    data: JSON.parse(row[6]),
    metadata: JSON.parse(row[7]),
    streamId: row[2],
    revision: Number(row[3]),
    position: row[0],
    recordedAt: row[8],
  };
}
