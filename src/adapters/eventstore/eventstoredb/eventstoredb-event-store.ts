import { BACKWARDS, END, EventStoreDBClient, FORWARDS, excludeSystemEvents, type AllStreamResolvedEvent } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../../../domain/events/envelope.js';
import type {
  AppendOptions,
  AppendResult,
  EventHandler,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../../../domain/eventstore/port.js';
import { dedupe } from '../dedupe.js';
import { describeServer, isWrongExpectedVersion, toDomainError } from './errors.js';
import { planAppend } from './append-plan.js';
import { toEventData, toRecordedEvent } from './event-mapping.js';
import { readFrom } from './position.js';
import { resilientSubscription, type SubscriptionSource } from './resilient-subscription.js';

/** Re-plans of an append that lost a race to a concurrent writer (see `planAppend`). */
const MAX_CONFLICT_RETRIES = 10;

/**
 * The event store port over EventStoreDB (production and multi-instance deployments).
 *
 * Idempotency: EventStoreDB only de-duplicates a retried append reliably when it carries the same
 * expected revision, and only within one stream. To give the port's guarantee, an append first reads
 * the target stream (streams are one per document version, so short) and skips events whose ids are
 * stored there; an `any` append is then sent with the revision it observed, and re-checked on a
 * conflict, so two racing retries cannot both write. Duplicate ids across *different* streams are not
 * detected by this adapter (EventStoreDB has no index by event id); our deterministic ids always name
 * facts that belong to one stream.
 */
export class EventStoreDbEventStore implements EventStore {
  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly server: string,
  ) {}

  static connect(connectionString: string): EventStoreDbEventStore {
    const server = describeServer(connectionString);
    if (!/^esdb(\+discover)?:\/\//i.test(connectionString.trim())) {
      throw new Error(`Not an EventStoreDB connection string: ${server}. Use esdb://host:2113 or esdb+discover://host:2113 in ML_STORE.`);
    }
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), server);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision;
    const unique = dedupe(events);
    for (let attempt = 0; ; attempt++) {
      const stored = await this.readStoredStream(streamId);
      const last = stored.at(-1);
      const actual = last ? last.event.revision : -1;
      const plan = planAppend(streamId, unique, new Set(stored.map((e) => e.esdbId)), actual, expected);
      if (plan.kind === 'already-stored') {
        return { nextExpectedRevision: actual, position: last ? last.event.position : -1n, appended: 0 };
      }
      try {
        const result = await this.client.appendToStream(streamId, plan.fresh.map(toEventData), { expectedRevision: plan.expectedRevision });
        return {
          nextExpectedRevision: Number(result.nextExpectedRevision),
          position: result.position ? result.position.commit : -1n,
          appended: plan.fresh.length,
        };
      } catch (error) {
        // Someone appended in between: re-read; the next plan skips what a racing retry stored, or
        // reports the conflict with the actual revision.
        if (isWrongExpectedVersion(error) && attempt < MAX_CONFLICT_RETRIES) continue;
        throw toDomainError(error, { server: this.server, streamId, expected, operation: `append to stream ${streamId}` });
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    if (options.maxCount === 0) return [];
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: BigInt(from),
        direction: FORWARDS,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      })) {
        const event = toRecordedEvent(resolved);
        if (event) out.push(event);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toDomainError(error, { server: this.server, operation: `read of stream ${streamId}` });
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after;
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const out: RecordedEvent[] = [];
    if (max <= 0) return out;
    try {
      const read = this.client.readAll({ fromPosition: readFrom(after), direction: FORWARDS });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        // The read starts *at* `after` (inclusive) and $all also holds system events: skip both.
        if (!event || (after !== undefined && event.position <= after)) continue;
        out.push(event);
        if (out.length >= max) break;
      }
    } catch (error) {
      throw toDomainError(error, { server: this.server, operation: 'read of $all' });
    }
    return out;
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return resilientSubscription<AllStreamResolvedEvent>({
      open: (after) =>
        this.client.subscribeToAll({ fromPosition: readFrom(after), filter: excludeSystemEvents() }) as SubscriptionSource<AllStreamResolvedEvent>,
      toEvent: toRecordedEvent,
      handler,
      after: options.after,
      onError: options.onError,
      headAtStart: () => this.headPosition(),
      describeFailure: (error) => toDomainError(error, { server: this.server, operation: 'subscription to $all' }),
    });
  }

  async headPosition(): Promise<bigint> {
    try {
      // The newest records of $all are often system events (stats, scavenges): page back past them.
      for await (const resolved of this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 4096 })) {
        const event = toRecordedEvent(resolved);
        if (event) return event.position;
      }
      return -1n;
    } catch (error) {
      throw toDomainError(error, { server: this.server, operation: 'read of the head of $all' });
    }
  }

  /**
   * How many of our events follow `after`, counting at most `limit` (then reports `limit`). Positions
   * here are log byte offsets, so a projection's lag has to be counted; pass this to the runner.
   */
  async countEventsAfter(after: bigint, limit = 100_000): Promise<number> {
    let count = 0;
    try {
      for await (const resolved of this.client.readAll({ fromPosition: readFrom(after), direction: FORWARDS })) {
        const event = toRecordedEvent(resolved);
        if (!event || event.position <= after) continue;
        if (++count >= limit) break;
      }
    } catch (error) {
      throw toDomainError(error, { server: this.server, operation: 'count of events in $all' });
    }
    return count;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async readStoredStream(streamId: string): Promise<{ esdbId: string; event: RecordedEvent }[]> {
    const out: { esdbId: string; event: RecordedEvent }[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS })) {
        const event = toRecordedEvent(resolved);
        if (event && resolved.event) out.push({ esdbId: resolved.event.id, event });
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toDomainError(error, { server: this.server, operation: `read of stream ${streamId}` });
    }
    return out;
  }
}

function isStreamNotFound(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as { type?: unknown }).type === 'stream-not-found';
}
