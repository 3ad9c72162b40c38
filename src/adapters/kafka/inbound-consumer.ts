import kafkajs, { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { deadLetterHeaders, PoisonMessageError } from './dead-letter.js';

const { CompressionTypes } = kafkajs;

/**
 * Consumes Concur event notifications from `KAFKA_CONCUR_TOPIC` (the same JSON as the webhook body)
 * and hands each one to the ingest function, which appends it durably.
 *
 * Guarantees, and why they hold:
 * - at-least-once: a message's offset is resolved and committed only after `ingest` resolved (the
 *   durable append), so a crash or a rebalance re-delivers, never skips;
 * - exactly once in the store: ingest derives the event id from the notification id, and the event
 *   store skips ids it already holds, so re-deliveries append nothing;
 * - order per partition: one message at a time per partition, the next only after the previous one
 *   was appended or dead-lettered (with `maxInFlightPerPartition` > 1: order per message key); with
 *   `ingestBatch` (and window 1), up to `commitEvery` consecutive messages of a partition are appended
 *   in ONE store transaction in offset order, then their offsets are committed;
 * - poison never blocks: invalid JSON and envelopes the ingest rejects (`isPoison`) go to
 *   `<topic>.dlq` with error headers, then the partition moves on;
 * - an unavailable store is not poison: the message is retried with backoff and not committed.
 */
export type IngestFunction = (body: unknown, channel: 'kafka') => Promise<unknown>;
/**
 * Appends many notifications durably in one go, in the given order (ConcurNotificationIngest.ingestBatch):
 * each slot is the notification's result or the Error only it failed with; a rejection means the
 * batch as a whole failed (store unavailable) and is retried.
 */
export type IngestBatchFunction = (bodies: unknown[], channel: 'kafka') => Promise<unknown[]>;

export interface KafkaConcurConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  ingest: IngestFunction;
  /**
   * Strict partition order (window 1) at batch speed: each sub-batch of `commitEvery` messages of a
   * fetched batch is appended in one durable transaction, then its offsets are committed. Messages a
   * batch could not store on their own (not poison) go through `ingest` one by one.
   */
  ingestBatch?: IngestBatchFunction;
  /** True for errors a retry cannot fix (e.g. NotificationValidationError): those go to the DLQ. */
  isPoison: (error: unknown) => boolean;
  /** Default `<topic>.dlq`. */
  dlqTopic?: string;
  /** Pending postings; above `highWatermark` consumption pauses until it is at or below `lowWatermark`. */
  backlog?: () => number | Promise<number>;
  highWatermark?: number;
  lowWatermark?: number;
  backlogPollMs?: number;
  /** Backoff for failures that are not poison (store unavailable, DLQ unreachable). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Commit after this many appended messages (and at the end of each batch); with `ingestBatch`, also the sub-batch size. */
  commitEvery?: number;
  partitionsConsumedConcurrently?: number;
  /**
   * 1 (default): strictly one message at a time per partition, so appends follow partition order.
   * N > 1: up to N consecutive messages of a partition at once, in offset order per message key
   * (Kafka's own unit of order; the Concur relay keys by document) - far fewer store commits.
   */
  maxInFlightPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Longest a fetch waits on the broker for new messages (kafkajs default 5000; stop() waits for it too). */
  maxWaitTimeInMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface KafkaConcurConsumerStats {
  ingested: number;
  deadLettered: number;
  retries: number;
  pauses: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class KafkaConcurConsumer {
  readonly stats: KafkaConcurConsumerStats = { ingested: 0, deadLettered: 0, retries: 0, pauses: 0 };
  private readonly consumer: Consumer;
  private readonly dlq: Producer;
  private readonly dlqTopic: string;
  private paused = false;
  private resumeTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly options: KafkaConcurConsumerOptions) {
    this.dlqTopic = options.dlqTopic ?? `${options.topic}.dlq`;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 5000,
    });
    this.dlq = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  async start(): Promise<void> {
    const { topic } = this.options;
    await this.dlq.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      // Offsets are committed by hand, only for messages already appended (or dead-lettered).
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    await this.consumer.disconnect();
    await this.dlq.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const commitEvery = this.options.commitEvery ?? 500;
    let done: string | null = null;
    let sinceCommit = 0;
    const commit = async (): Promise<void> => {
      if (done === null) return;
      // The committed offset is the next one to read.
      const offset = (BigInt(done) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      done = null;
      sinceCommit = 0;
    };
    const window = Math.max(1, this.options.maxInFlightPerPartition ?? 1);
    if (window === 1 && this.options.ingestBatch) {
      for (let i = 0; i < batch.messages.length; i += commitEvery) {
        if (!this.running || !isRunning() || isStale()) break;
        if (this.paused || (await this.overHighWatermark())) break; // unresolved messages are fetched again on resume
        const chunk = batch.messages.slice(i, i + commitEvery);
        if (!(await this.handleBatch(topic, partition, chunk, heartbeat, isRunning))) break;
        done = chunk.at(-1)!.offset;
        resolveOffset(done);
        await commit();
        await heartbeat();
      }
      await commit();
      return;
    }
    for (let i = 0; i < batch.messages.length; i += window) {
      if (!this.running || !isRunning() || isStale()) break;
      if (this.paused || (await this.overHighWatermark())) break; // unresolved messages are fetched again on resume
      const chunk = batch.messages.slice(i, i + window);
      const handled = await this.handleChunk(topic, partition, chunk, heartbeat, isRunning);
      if (!handled) break;
      const last = chunk.at(-1)!.offset;
      resolveOffset(last);
      done = last;
      sinceCommit += chunk.length;
      if (sinceCommit >= commitEvery) await commit();
      await heartbeat();
    }
    await commit();
  }

  /**
   * Handles a run of consecutive messages of one partition: messages with the same key one after the
   * other in offset order, different keys side by side (their appends then share a commit of the
   * store). True only when every message was appended or dead-lettered.
   */
  private async handleChunk(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    if (chunk.length === 1) return this.handle(topic, partition, chunk[0]!, heartbeat, isRunning);
    const byKey = new Map<string, KafkaMessage[]>();
    for (const message of chunk) {
      const key = message.key?.toString('latin1') ?? `\u0000offset:${message.offset}`;
      byKey.set(key, [...(byKey.get(key) ?? []), message]);
    }
    const results = await Promise.all(
      [...byKey.values()].map(async (messages) => {
        for (const message of messages) if (!(await this.handle(topic, partition, message, heartbeat, isRunning))) return false;
        return true;
      }),
    );
    return results.every(Boolean);
  }

  /**
   * Appends a run of consecutive messages of one partition with one `ingestBatch` (one transaction),
   * then dead-letters its poison messages and hands messages that failed on their own, not as poison,
   * to `handle` (one by one, in offset order). True only when every message was appended or dead-lettered.
   */
  private async handleBatch(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    const failures = new Map<KafkaMessage, unknown>();
    const bodies: unknown[] = [];
    const parsed: KafkaMessage[] = [];
    for (const message of chunk) {
      try {
        bodies.push(parseBody(message));
        parsed.push(message);
      } catch (error) {
        failures.set(message, error);
      }
    }
    let delay = this.options.retryInitialMs ?? 200;
    while (bodies.length > 0) {
      try {
        const outcomes = await this.options.ingestBatch!(bodies, 'kafka');
        // A message without an outcome would be committed unstored: never.
        if (outcomes.length !== bodies.length) throw new Error(`ingestBatch returned ${outcomes.length} outcomes for ${bodies.length} notifications`);
        outcomes.forEach((outcome, i) => {
          if (outcome instanceof Error) failures.set(parsed[i]!, outcome);
          else this.stats.ingested++;
        });
        break;
      } catch (error) {
        this.log(
          'warn',
          `Kafka ${topic}[${partition}]@${chunk[0]!.offset}..${chunk.at(-1)!.offset}: could not append the Concur notifications (${describe(error)}); retrying in ${delay} ms, offsets not committed`,
        );
      }
      if (!this.running || !isRunning()) return false;
      this.stats.retries++;
      await sleep(delay);
      delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
      await heartbeat();
    }
    for (const message of chunk) {
      if (!failures.has(message)) continue;
      const error = failures.get(message);
      const ok =
        error instanceof PoisonMessageError || this.options.isPoison(error)
          ? await this.deadLetterUntilDone(topic, partition, message, error, heartbeat, isRunning)
          : await this.handle(topic, partition, message, heartbeat, isRunning);
      if (!ok) return false;
    }
    return true;
  }

  /** Dead-letters a poison message, retrying while the DLQ is unreachable; false when stopped first. */
  private async deadLetterUntilDone(
    topic: string,
    partition: number,
    message: KafkaMessage,
    poison: unknown,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    let delay = this.options.retryInitialMs ?? 200;
    for (;;) {
      try {
        await this.deadLetter(topic, partition, message, poison);
        return true;
      } catch (error) {
        this.log(
          'warn',
          `Kafka ${topic}[${partition}]@${message.offset}: could not write the poison message to ${this.dlqTopic} (${describe(error)}); retrying in ${delay} ms`,
        );
      }
      if (!this.running || !isRunning()) return false;
      this.stats.retries++;
      await sleep(delay);
      delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
      await heartbeat();
    }
  }

  /** Appends or dead-letters one message; false when stopped before either happened. */
  private async handle(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<boolean> {
    let delay = this.options.retryInitialMs ?? 200;
    for (;;) {
      try {
        await this.options.ingest(parseBody(message), 'kafka');
        this.stats.ingested++;
        return true;
      } catch (error) {
        // A poison message goes to the DLQ (retried there while it is unreachable), never back to ingest.
        if (error instanceof PoisonMessageError || this.options.isPoison(error))
          return this.deadLetterUntilDone(topic, partition, message, error, heartbeat, isRunning);
        this.log(
          'warn',
          `Kafka ${topic}[${partition}]@${message.offset}: could not append the Concur notification (${describe(error)}); retrying in ${delay} ms, offset not committed`,
        );
      }
      if (!this.running || !isRunning()) return false;
      this.stats.retries++;
      await sleep(delay);
      delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
      // A heartbeat failing here (rebalance, broker gone) ends the batch uncommitted: kafkajs rejoins
      // and the message comes again, which ingest de-duplicates.
      await heartbeat();
    }
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    await this.dlq.send({
      topic: this.dlqTopic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: [{ key: message.key, value: message.value, headers: { ...message.headers, ...deadLetterHeaders(error, topic, partition, message.offset) } }],
    });
    this.stats.deadLettered++;
    this.log('warn', `Kafka ${topic}[${partition}]@${message.offset}: poison message moved to ${this.dlqTopic}: ${describe(error)}`);
  }

  private async overHighWatermark(): Promise<boolean> {
    const { backlog, highWatermark } = this.options;
    if (!backlog || highWatermark === undefined) return false;
    if ((await backlog()) < highWatermark) return false;
    this.pause();
    return true;
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stats.pauses++;
    this.consumer.pause([{ topic: this.options.topic }]);
    this.log('info', `Kafka ${this.options.topic}: paused, posting backlog at or above ${this.options.highWatermark}`);
    const low = this.options.lowWatermark ?? Math.floor((this.options.highWatermark ?? 0) / 2);
    const poll = async (): Promise<void> => {
      this.resumeTimer = null;
      if (!this.running) return;
      let pending = Number.POSITIVE_INFINITY;
      try {
        pending = await this.options.backlog!();
      } catch (error) {
        this.log('warn', `Kafka ${this.options.topic}: could not read the posting backlog (${describe(error)}); staying paused`);
      }
      if (pending <= low) {
        this.paused = false;
        this.consumer.resume([{ topic: this.options.topic }]);
        this.log('info', `Kafka ${this.options.topic}: resumed, posting backlog ${pending}`);
        return;
      }
      this.resumeTimer = setTimeout(() => void poll(), this.options.backlogPollMs ?? 200);
    };
    this.resumeTimer = setTimeout(() => void poll(), this.options.backlogPollMs ?? 200);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}

function parseBody(message: KafkaMessage): unknown {
  if (message.value === null) throw new PoisonMessageError('The Kafka message has no value (tombstone); expected a Concur notification JSON object');
  try {
    return JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new PoisonMessageError(`The Kafka message is not valid JSON (${describe(error)}); expected a Concur notification JSON object`);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
