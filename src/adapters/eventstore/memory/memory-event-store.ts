import type { NewEvent, RecordedEvent } from '../../../domain/events/envelope.js';
import {
  checkExpectedRevision,
  type AppendOptions,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type StreamAppendOutcome,
  type SubscribeOptions,
  type Subscription,
} from '../../../domain/eventstore/port.js';
import { followLog } from '../follow-log.js';
import { dedupe } from '../dedupe.js';

/**
 * The reference implementation of the event store port: everything in memory, no durability.
 * It defines the intended semantics in the fewest lines; the contract suite runs against it too.
 */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly ids = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    return this.appendNow(streamId, events, options);
  }

  private appendNow(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
    const fresh = dedupe(events).filter((e) => !this.ids.has(e.id));
    if (fresh.length > 0 || events.length === 0) checkExpectedRevision(streamId, options.expectedRevision, stream.length - 1);
    const recordedAt = new Date().toISOString();
    for (const event of fresh) {
      const recorded: RecordedEvent = {
        ...structuredClone(event),
        streamId,
        revision: stream.length,
        position: BigInt(this.log.length),
        recordedAt,
      };
      stream.push(recorded);
      this.log.push(recorded);
      this.ids.add(event.id);
    }
    if (stream.length > 0) this.streams.set(streamId, stream);
    if (fresh.length > 0) for (const listener of this.listeners) listener();
    const last = stream.at(-1);
    return { nextExpectedRevision: stream.length - 1, position: last ? last.position : -1n, appended: fresh.length };
  }

  /** One request after the other, all in the same turn of the event loop (so no other append comes between). */
  async appendBatch(requests: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    this.assertOpen();
    return requests.map((r) => {
      try {
        return this.appendNow(r.streamId, r.events, r.options);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0;
    const stream = this.streams.get(streamId) ?? [];
    return stream.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount).map((e) => structuredClone(e));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.after === undefined ? 0 : Number(options.after) + 1;
    return this.log.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount).map((e) => structuredClone(e));
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return followLog(this, handler, options, (wake) => {
      this.listeners.add(wake);
      return () => this.listeners.delete(wake);
    });
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.log.length - 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const listener of this.listeners) listener();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

/** Within one append, a repeated id counts once. */
export { dedupe };
