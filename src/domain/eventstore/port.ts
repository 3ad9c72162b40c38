import type { NewEvent, RecordedEvent } from '../events/envelope.js';
import { ConnectorError } from '../errors.js';

/**
 * Optimistic concurrency for an append:
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must have at least one event;
 * - `any`: no check;
 * - a number: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append (-1 if the stream is still empty). */
  nextExpectedRevision: number;
  /** Global position of the last event of the stream after the append (-1n if none). */
  position: bigint;
  /** How many of the given events were new (ids already stored are skipped). */
  appended: number;
}

/** One stream's part of a batch append (`EventStore.appendBatch`). */
export interface StreamAppend {
  streamId: string;
  events: readonly NewEvent[];
  options?: AppendOptions;
}

/** Per request of a batch append: its result, or the error that only this request failed with (e.g. WrongExpectedRevisionError). */
export type StreamAppendOutcome = AppendResult | Error;

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: read events whose position is strictly greater than this. Default: from the start. */
  after?: bigint;
  maxCount?: number;
}

export type EventHandler = (event: RecordedEvent) => Promise<void> | void;

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events with position > after. Default: from the start. */
  after?: bigint;
  /** Called when the subscription stops because of an error it could not recover from. */
  onError?: (error: Error) => void;
}

export interface Subscription {
  /** Stops delivery; resolves once the handler is no longer running. */
  stop(): Promise<void>;
  /** Resolves when the subscription has caught up with the head at least once. */
  readonly caughtUp: Promise<void>;
}

/**
 * The event store port. Implementations: `adapters/eventstore/sqlite` (embedded default),
 * `adapters/eventstore/eventstoredb` (production), `adapters/eventstore/memory` (reference).
 * All pass `test/eventstore/contract.ts`.
 *
 * Idempotency: an event whose `id` is already stored is skipped on append (SQLite and memory: in any
 * stream; EventStoreDB: in the target stream, as it has no index by event id — the connector's
 * deterministic ids always target the same stream, so both give exactly-once appends). An append
 * whose events are all already stored succeeds without checking the expected revision, so a retried
 * append after a lost answer is safe.
 */
export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams at once, each request with the same expected-revision and idempotent-id
   * semantics as `appendToStream`, in the given order (positions follow it). Atomic stores (SQLite,
   * memory) commit the whole batch durably at once (SQLite: one transaction, one fsync); a request
   * that fails on its own (a conflict) is rolled back alone and reported in its slot. Throws when the
   * store failed as a whole (EventStoreUnavailableError): then retry the batch, stored ids are skipped.
   * Optional: `appendBatch()` below falls back to one append after the other.
   */
  appendBatch?(requests: readonly StreamAppend[]): Promise<StreamAppendOutcome[]>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from `after`, then follow live appends, calling `handler` one event at a time in order. */
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Position of the last stored event, -1n when the store is empty. */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends ConnectorError {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Actual last revision, -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    // Decide again from the new events: nothing was appended.
    super(`Stream ${streamId}: expected revision ${String(expected)}, but the stream is at ${actual === -1 ? 'no stream' : actual}`, { retriable: true });
  }
}

export class EventStoreUnavailableError extends ConnectorError {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    // Nothing of the append was stored; the disk, the lock or the server may be back later.
    super(message, { ...options, retriable: true });
  }
}

export function checkExpectedRevision(streamId: string, expected: ExpectedRevision | undefined, actual: number): void {
  if (expected === undefined || expected === 'any') return;
  const ok = expected === 'no_stream' ? actual === -1 : expected === 'stream_exists' ? actual >= 0 : actual === expected;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/**
 * `store.appendBatch(requests)`, or one `appendToStream` after the other for a store without it (not
 * atomic then: each request is durable on its own, and a retry after a failure skips what was stored).
 * Errors a request fails with on its own (conflict, invalid event) go to its slot; any other error
 * (the store is unavailable) is thrown.
 */
export async function appendBatch(store: EventStore, requests: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
  if (store.appendBatch) return store.appendBatch(requests);
  const outcomes: StreamAppendOutcome[] = [];
  for (const r of requests) {
    try {
      outcomes.push(await store.appendToStream(r.streamId, r.events, r.options));
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError || error instanceof TypeError) outcomes.push(error);
      else throw error;
    }
  }
  return outcomes;
}
