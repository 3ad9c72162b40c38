import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { DOMAIN_HEADERS, KafkaDomainPublisher, type DomainEventMessage } from '../../src/adapters/kafka/index.js';
import { newEvent } from '../../src/domain/events/envelope.js';
import { SqliteCheckpointStore } from '../../src/projections/checkpoint-store.js';
import type { KafkaBroker } from '../../scripts/kafka/broker.js';
import { createTopics, lockBroker, testBroker, testKafka, uniqueName, waitFor } from './broker-fixture.js';

const STREAMS = 40;

interface Published {
  partition: number;
  key: string;
  headers: Record<string, string>;
  body: DomainEventMessage;
}

describe('Kafka outbound: domain events published through a broker crash and a publisher restart', () => {
  let broker: KafkaBroker;
  let release: (() => void) | undefined;
  let kafka: Kafka;
  let dir: string;
  let store: SqliteEventStore;
  let appended = 0;

  beforeAll(async () => {
    broker = testBroker();
    release = await lockBroker(broker);
    kafka = testKafka(broker, 'publisher-test');
    dir = mkdtempSync(join(tmpdir(), 'kafka-publisher-'));
    store = await SqliteEventStore.open(join(dir, 'events.db'), { synchronous: 'NORMAL' });
  });

  afterAll(async () => {
    release?.();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Appends `count` events round-robin over the document streams, each with its stream's next revision. */
  async function append(count: number): Promise<void> {
    for (let i = 0; i < count; i++, appended++) {
      const stream = `document-expense-DOC-${appended % STREAMS}`;
      const type = appended < STREAMS ? 'ConcurDocumentReceived' : 'PostingStatusNoted';
      await store.appendToStream(stream, [newEvent(type, { seq: appended, amount: '12.34' }, { actor: 'system:test', id: `evt-${appended}` })]);
    }
  }

  it('delivers every event, keyed by document and in revision order per key, with the event id header', { timeout: 180_000 }, async () => {
    const topic = uniqueName('ml-connector.events');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const checkpoints = SqliteCheckpointStore.open(join(dir, 'read-models.db'));
    const options = { kafka, store, checkpoints, topic, batchSize: 100, retryInitialMs: 100, retryMaxMs: 1000 };
    const name = `kafka-domain-publisher:${topic}`;

    await append(1500);
    const first = new KafkaDomainPublisher(options);
    await first.start();
    await waitFor('600 events published', () => first.stats.published >= 600, 30_000);
    await broker.kill();
    await append(1000); // while the broker is down
    await broker.restart();
    await waitFor(
      '2,000 events published',
      () => first.stats.published >= 2000,
      60_000,
      () => `published ${first.stats.published}`,
    );
    // Stop without waiting on the broker: whatever is not acknowledged is sent again by the next publisher.
    await first.stop({ drainTimeoutMs: 0 });
    const saved = checkpoints.load(name);
    expect(saved).toBeDefined();
    expect(saved!).toBeLessThanOrEqual(2499n);
    expect(first.stats.retries).toBeGreaterThan(0); // it really met the dead broker

    await append(500);
    const second = new KafkaDomainPublisher(options);
    await second.start();
    const head = await store.headPosition();
    await waitFor(
      'the checkpoint to reach the head of the log',
      () => checkpoints.load(name) === head,
      60_000,
      () => `checkpoint ${checkpoints.load(name)}, head ${head}`,
    );
    await second.stop();
    checkpoints.close();

    const received = await readAll(kafka, topic, appended);
    // At least once: dedupe by the event-id header as a consumer would, keeping the first copy.
    const firstCopies = new Map<string, Published>();
    for (const message of received)
      if (!firstCopies.has(message.headers[DOMAIN_HEADERS.eventId]!)) firstCopies.set(message.headers[DOMAIN_HEADERS.eventId]!, message);
    expect(firstCopies.size).toBe(appended);

    const stored = await store.readAll();
    const byKey = new Map<string, Published[]>();
    for (const message of firstCopies.values()) byKey.set(message.key, [...(byKey.get(message.key) ?? []), message]);
    expect(byKey.size).toBe(STREAMS);
    for (const [key, messages] of byKey) {
      expect(messages.map((m) => m.body.revision)).toEqual(messages.map((_, i) => i));
      expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
      expect(messages.every((m) => m.body.streamId === key)).toBe(true);
    }
    const sample = stored[1234]!;
    const message = firstCopies.get(sample.id)!;
    expect(message.headers).toMatchObject({
      [DOMAIN_HEADERS.eventId]: sample.id,
      [DOMAIN_HEADERS.eventType]: 'PostingStatusNoted',
      [DOMAIN_HEADERS.schemaVersion]: '1',
    });
    expect(message.body).toEqual({
      id: sample.id,
      type: sample.type,
      schemaVersion: 1,
      streamId: sample.streamId,
      revision: sample.revision,
      position: sample.position.toString(),
      recordedAt: sample.recordedAt,
      data: { seq: 1234, amount: '12.34' },
      metadata: sample.metadata,
    });
  });
});

async function readAll(kafka: Kafka, topic: string, distinct: number): Promise<Published[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 250 });
  const received: Published[] = [];
  const ids = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      received.push({ partition, key: message.key!.toString(), headers, body: JSON.parse(message.value!.toString()) as DomainEventMessage });
      ids.add(headers[DOMAIN_HEADERS.eventId]!);
    },
  });
  try {
    await waitFor(
      `${distinct} distinct events on ${topic}`,
      () => ids.size >= distinct,
      30_000,
      () => `got ${ids.size}`,
    );
  } finally {
    await consumer.disconnect();
  }
  return received;
}
