/**
 * Kafka throughput against a real broker started here (scripts/kafka/broker.ts):
 * - consume-to-durable-append: Concur notifications from the topic through KafkaConcurConsumer and the
 *   real ConcurNotificationIngest into a SQLite event store (synchronous=FULL, the default), next to
 *   kafkajs consuming the same messages and doing nothing with them;
 * - publish: KafkaDomainPublisher from the store to the topic with checkpoints, next to a bare
 *   idempotent kafkajs producer sending the same messages in the same batch size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Kafka } from 'kafkajs';
import { KafkaBroker } from '../scripts/kafka/broker.js';
import { ConcurNotificationIngest } from '../src/adapters/concur/notifications.js';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { KafkaConcurConsumer, KafkaDomainPublisher, isConcurNotificationPoison, toDomainMessage } from '../src/adapters/kafka/index.js';
import { newEvent } from '../src/domain/events/envelope.js';
import { SqliteCheckpointStore } from '../src/projections/checkpoint-store.js';
import type { Emit } from './figure.js';
import { readyForIntegration } from '../test/kafka/notifications.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;
const PARTITIONS = 3;
const BATCH = 500;

const waitUntil = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`bench kafka: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const n = opts.quick ? 5000 : 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-kafka-'));
  const broker = await KafkaBroker.start();
  const kafka: Kafka = new KafkaClient({ clientId: 'bench', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'concur.events', numPartitions: PARTITIONS },
        { topic: 'concur.events.dlq' },
        { topic: 'raw.events', numPartitions: PARTITIONS },
        { topic: 'ml-connector.events', numPartitions: PARTITIONS },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let from = 0; from < n; from += BATCH) {
      const messages = [];
      for (let i = from; i < Math.min(n, from + BATCH); i++) messages.push({ key: `k${i % 64}`, value: JSON.stringify(readyForIntegration(i, i)) });
      await producer.send({ topic: 'concur.events', acks: -1, messages });
    }

    // Baseline: kafkajs alone, same messages, same partitions.
    let raw = 0;
    const rawConsumer = kafka.consumer({ groupId: 'bench-raw', maxWaitTimeInMs: 100 });
    await rawConsumer.connect();
    await rawConsumer.subscribe({ topics: ['concur.events'], fromBeginning: true });
    let t0 = performance.now();
    await rawConsumer.run({ partitionsConsumedConcurrently: PARTITIONS, eachBatch: async ({ batch }) => void (raw += batch.messages.length) });
    await waitUntil(() => raw >= n, 120_000, 'raw consume');
    const rawRate = n / ((performance.now() - t0) / 1000);
    await rawConsumer.disconnect();

    // Strict partition order (each fetched sub-batch of a partition appended in one transaction), then keyed windows.
    let store!: SqliteEventStore;
    // 'batch': window 1 with ingestBatch (the service's mode); 'single': window 1, one append per message (the mode before).
    const modes = [
      { window: 1, batch: true, name: 'kafka consume to durable append (strict partition order)' },
      { window: 1, batch: false, name: 'kafka consume to durable append (strict partition order, one append per message)' },
      { window: 100, batch: false, name: 'kafka consume to durable append (order per key, window 100)' },
    ];
    for (const [m, { window, batch, name }] of modes.entries()) {
      if (store) await store.close();
      store = await SqliteEventStore.open(join(dir, `events-${m}.db`));
      const ingest = new ConcurNotificationIngest(store);
      const consumer = new KafkaConcurConsumer({
        kafka,
        topic: 'concur.events',
        groupId: `bench-ml-connector-${m}`,
        ingest: (body, channel) => ingest.ingest(body, channel),
        // Strict partition order: each fetched sub-batch of a partition in one transaction.
        ...(batch ? { ingestBatch: (bodies: unknown[], channel: 'kafka') => ingest.ingestBatch(bodies, channel) } : {}),
        isPoison: isConcurNotificationPoison,
        partitionsConsumedConcurrently: PARTITIONS,
        maxInFlightPerPartition: window,
        maxWaitTimeInMs: 100,
      });
      t0 = performance.now();
      await consumer.start();
      await waitUntil(async () => (await store.headPosition()) >= BigInt(n - 1), 300_000, 'consume to durable append');
      const consumeRate = n / ((performance.now() - t0) / 1000);
      await consumer.stop();
      emit({
        name,
        value: Math.round(consumeRate),
        unit: 'events/s',
        baseline: { name: 'kafkajs raw consume of the same messages', value: Math.round(rawRate), unit: 'events/s' },
        events: n,
        partitions: PARTITIONS,
        store: 'sqlite synchronous=FULL',
      });
    }

    // Publish: domain events already in the store; the publisher starts from no checkpoint.
    const events = [];
    for (let i = 0; i < n; i++) events.push(newEvent('PostingStatusNoted', { seq: i, amount: '12.34' }, { actor: 'system:bench' }));
    for (let i = 0; i < n; i += BATCH) await store.appendToStream(`document-expense-BENCH-${i}`, events.slice(i, i + BATCH));
    const recorded = await store.readAll({ after: (await store.headPosition()) - BigInt(n) });

    t0 = performance.now();
    for (let i = 0; i < recorded.length; i += BATCH)
      await producer.send({ topic: 'raw.events', acks: -1, messages: recorded.slice(i, i + BATCH).map(toDomainMessage) });
    const rawProduceRate = n / ((performance.now() - t0) / 1000);
    await producer.disconnect();

    const checkpoints = SqliteCheckpointStore.open(join(dir, 'read-models.db'));
    // Start just before the bench's own events: the inbound events above are not part of this figure.
    checkpoints.save('kafka-domain-publisher:ml-connector.events', recorded[0]!.position - 1n);
    const publisher = new KafkaDomainPublisher({ kafka, store, checkpoints, topic: 'ml-connector.events', batchSize: BATCH });
    const head = await store.headPosition();
    t0 = performance.now();
    await publisher.start();
    await waitUntil(() => checkpoints.load('kafka-domain-publisher:ml-connector.events') === head, 300_000, 'publish');
    const publishRate = n / ((performance.now() - t0) / 1000);
    await publisher.stop();
    checkpoints.close();
    await store.close();
    emit({
      name: 'kafka publish domain events',
      value: Math.round(publishRate),
      unit: 'events/s',
      baseline: { name: 'kafkajs idempotent producer, same messages, batches of 500', value: Math.round(rawProduceRate), unit: 'events/s' },
      events: n,
      partitions: PARTITIONS,
    });
  } finally {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
