import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import type { RecordedEvent } from '../../domain/events/envelope.js';
import type { EventStore, Subscription } from '../../domain/eventstore/port.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { toDomainMessage } from './domain-message.js';

const { CompressionTypes } = kafkajs;

export interface KafkaDomainPublisherOptions {
  kafka: Kafka;
  store: EventStore;
  checkpoints: CheckpointStore;
  topic: string;
  /** Checkpoint name; one per publisher (and per target topic). */
  name?: string;
  /** Events per produce request (and per checkpoint save). */
  batchSize?: number;
  /** How long a partial batch waits for more events before it is sent. */
  lingerMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface StopOptions {
  /** How long stop() keeps trying to send what is buffered; the rest is re-sent after a restart. */
  drainTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes every event of the store, in global order, to `KAFKA_DOMAIN_TOPIC`, keyed by stream id.
 *
 * It follows the store with a subscription from its own checkpoint and saves the checkpoint only
 * after the broker acknowledged (acks=all) every event up to it. A crash between the ack and the
 * save re-sends a batch after the restart: delivery is at least once, and consumers de-duplicate by
 * the `event-id` header. The producer is idempotent with one request in flight, so broker-side
 * retries neither duplicate nor reorder within a partition.
 */
export class KafkaDomainPublisher {
  readonly stats = { published: 0, retries: 0, batches: 0 };
  private readonly producer: Producer;
  private readonly name: string;
  private readonly batchSize: number;
  private buffer: RecordedEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private linger: NodeJS.Timeout | null = null;
  private subscription: Subscription | null = null;
  /** Position of the last event taken from the subscription (where a re-subscription resumes). */
  private lastQueued: bigint | undefined;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: KafkaDomainPublisherOptions) {
    this.name = options.name ?? `kafka-domain-publisher:${options.topic}`;
    this.batchSize = options.batchSize ?? 500;
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  /** Connects, then publishes from the checkpoint on; `caughtUp` resolves once the backlog was read. */
  async start(): Promise<{ caughtUp: Promise<void> }> {
    await this.producer.connect();
    this.lastQueued = await this.options.checkpoints.load(this.name);
    this.subscribe();
    return { caughtUp: this.subscription!.caughtUp };
  }

  /** Resolves when everything handed over so far has been acknowledged and checkpointed. */
  async flushed(): Promise<void> {
    await this.flush();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    this.giveUpAt = Date.now() + (options.drainTimeoutMs ?? 10_000);
    this.stopped = true;
    if (this.linger) clearTimeout(this.linger);
    await this.subscription?.stop();
    await this.flush();
    await this.producer.disconnect();
  }

  private subscribe(): void {
    this.subscription = this.options.store.subscribeToAll((event) => this.enqueue(event), {
      after: this.lastQueued,
      onError: (error) => {
        // A store failure ends the subscription; follow again from the last event we queued.
        this.log('warn', `Kafka publisher ${this.name}: event store subscription stopped (${error.message}); re-subscribing`);
        if (!this.stopped) setTimeout(() => !this.stopped && this.subscribe(), this.options.retryMaxMs ?? 5000).unref();
      },
    });
  }

  private async enqueue(event: RecordedEvent): Promise<void> {
    this.buffer.push(event);
    this.lastQueued = event.position;
    // Waiting here when the buffer is full holds the subscription back: backpressure, bounded memory.
    if (this.buffer.length >= this.batchSize) await this.flush();
    else if (!this.linger) this.linger = setTimeout(() => void this.flush(), this.options.lingerMs ?? 20);
  }

  private flush(): Promise<void> {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = null;
    }
    this.flushing = this.flushing.then(() => this.sendBuffered());
    return this.flushing;
  }

  private async sendBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.batchSize);
      if (!(await this.send(batch))) return;
      try {
        await this.options.checkpoints.save(this.name, batch.at(-1)!.position);
      } catch (error) {
        // Not fatal: a later save covers these events; a crash before then re-sends them.
        this.log('error', `Kafka publisher ${this.name}: could not save the checkpoint (${describe(error)})`);
      }
      this.buffer.splice(0, batch.length);
      this.stats.published += batch.length;
      this.stats.batches++;
    }
  }

  /** Sends until the broker acknowledges; false when stopping ran out of time first. */
  private async send(batch: RecordedEvent[]): Promise<boolean> {
    let delay = this.options.retryInitialMs ?? 200;
    for (;;) {
      try {
        await this.producer.send({ topic: this.options.topic, acks: -1, compression: CompressionTypes.None, messages: batch.map(toDomainMessage) });
        return true;
      } catch (error) {
        if (Date.now() >= this.giveUpAt) {
          this.log('warn', `Kafka publisher ${this.name}: stopping with ${this.buffer.length} events unsent; they are sent after the next start`);
          return false;
        }
        this.stats.retries++;
        this.log(
          'warn',
          `Kafka publisher ${this.name}: could not publish ${batch.length} events to ${this.options.topic} (${describe(error)}); retrying in ${delay} ms`,
        );
        await sleep(Math.min(delay, Math.max(0, this.giveUpAt - Date.now())));
        delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
      }
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
