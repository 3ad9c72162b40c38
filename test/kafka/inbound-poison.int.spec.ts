import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeaders, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { EventStoreUnavailableError } from '../../src/domain/eventstore/port.js';
import { DLQ_HEADERS, KafkaConcurConsumer, isConcurNotificationPoison } from '../../src/adapters/kafka/index.js';
import { createTopics, lockBroker, testBroker, testKafka, uniqueName, waitFor } from './broker-fixture.js';
import { readyForIntegration } from './notifications.js';

interface Received {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

async function readTopic(kafka: Kafka, topic: string, count: number): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 250 });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: headerStrings(message.headers) });
    },
  });
  try {
    await waitFor(
      `${count} messages on ${topic}`,
      () => received.length >= count,
      30_000,
      () => `got ${received.length}`,
    );
  } finally {
    await consumer.disconnect();
  }
  return received;
}

const headerStrings = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));

describe('Kafka inbound: poison messages, an unavailable store and backpressure', () => {
  let kafka: Kafka;
  let release: (() => void) | undefined;
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    const broker = testBroker();
    release = await lockBroker(broker);
    kafka = testKafka(broker, 'inbound-poison-test');
    dir = mkdtempSync(join(tmpdir(), 'kafka-poison-'));
    store = await SqliteEventStore.open(join(dir, 'events.db'));
  });

  afterAll(async () => {
    release?.();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('dead-letters invalid JSON and invalid envelopes with error headers, retries an unavailable store, and keeps the partition flowing', async () => {
    const topic = uniqueName('concur.events');
    await createTopics(kafka, [
      { topic, numPartitions: 1 },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: JSON.stringify(readyForIntegration(1, 1)) },
        { key: 'k', value: '{"id": "ess-broken", "eventType": ', headers: { 'trace-id': 't-2' } },
        { key: 'k', value: JSON.stringify(readyForIntegration(2, 2)) },
        { key: 'k', value: JSON.stringify({ id: 'ess-no-facts', eventType: 'expense.readyForIntegration', topic: 'public.concur.financialintegration' }) },
        { key: 'k', value: JSON.stringify(readyForIntegration(3, 3)) },
      ],
    });
    await producer.disconnect();

    const ingest = new ConcurNotificationIngest(store);
    // The store is down for the first three attempts at notification 2: retried, never dead-lettered.
    let outages = 3;
    const consumer = new KafkaConcurConsumer({
      kafka,
      topic,
      groupId: uniqueName('ml-connector'),
      ingest: async (body, channel) => {
        if ((body as { id?: string }).id === readyForIntegration(2, 2).id && outages-- > 0) throw new EventStoreUnavailableError('database is locked');
        return ingest.ingest(body, channel);
      },
      isPoison: isConcurNotificationPoison,
      maxWaitTimeInMs: 250,
      retryInitialMs: 20,
    });
    await consumer.start();
    try {
      await waitFor('3 notifications stored', async () => (await store.headPosition()) >= 2n, 30_000);
      const dlq = await readTopic(kafka, `${topic}.dlq`, 2);
      expect(dlq).toHaveLength(2);
      const [badJson, badEnvelope] = dlq as [Received, Received];
      expect(badJson.value).toBe('{"id": "ess-broken", "eventType": ');
      expect(badJson.key).toBe('k');
      expect(badJson.headers).toMatchObject({
        'trace-id': 't-2',
        [DLQ_HEADERS.errorClass]: 'PoisonMessageError',
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: '0',
        [DLQ_HEADERS.offset]: '1',
      });
      expect(badJson.headers[DLQ_HEADERS.errorMessage]).toMatch(/not valid JSON/);
      expect(badEnvelope.headers).toMatchObject({ [DLQ_HEADERS.errorClass]: 'NotificationValidationError', [DLQ_HEADERS.offset]: '3' });
      expect(badEnvelope.headers[DLQ_HEADERS.errorMessage]).toMatch(/ess-no-facts.*`timeStamp` is missing.*`facts` is missing/);
      expect(Date.parse(badEnvelope.headers[DLQ_HEADERS.failedAt]!)).not.toBeNaN();

      const events = await store.readAll();
      expect(events.map((e) => (e.data as { concurDocumentId: string }).concurDocumentId)).toEqual(['EXP-000001', 'EXP-000002', 'EXP-000003']);
      expect(consumer.stats).toMatchObject({ ingested: 3, deadLettered: 2, retries: 3 });
    } finally {
      await consumer.stop();
    }
  });

  it('in batches (ingestBatch, one transaction per sub-batch): dead-letters the same poison, retries the batch while the store is down, keeps order', async () => {
    const topic = uniqueName('concur.events');
    await createTopics(kafka, [
      { topic, numPartitions: 1 },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: JSON.stringify(readyForIntegration(101, 1)) },
        { key: 'k', value: '{"id": "ess-broken", "eventType": ', headers: { 'trace-id': 't-2' } },
        { key: 'k', value: JSON.stringify(readyForIntegration(102, 2)) },
        { key: 'k', value: JSON.stringify({ id: 'ess-no-facts', eventType: 'expense.readyForIntegration', topic: 'public.concur.financialintegration' }) },
        { key: 'k', value: JSON.stringify(readyForIntegration(103, 3)) },
        { key: 'k', value: JSON.stringify(readyForIntegration(101, 1)) }, // a redelivery within the batch: stored once
      ],
    });
    await producer.disconnect();

    const ingest = new ConcurNotificationIngest(store);
    const headBefore = await store.headPosition();
    let outages = 3;
    const batches: number[] = [];
    const groupId = uniqueName('ml-connector');
    const consumer = new KafkaConcurConsumer({
      kafka,
      topic,
      groupId,
      ingest: (body, channel) => ingest.ingest(body, channel),
      ingestBatch: async (bodies, channel) => {
        if (outages-- > 0) throw new EventStoreUnavailableError('database is locked');
        batches.push(bodies.length);
        return ingest.ingestBatch(bodies, channel);
      },
      isPoison: isConcurNotificationPoison,
      maxWaitTimeInMs: 250,
      retryInitialMs: 20,
    });
    await consumer.start();
    try {
      await waitFor('3 notifications stored', async () => (await store.headPosition()) >= headBefore + 3n, 30_000);
      const dlq = await readTopic(kafka, `${topic}.dlq`, 2);
      expect(dlq.map((m) => m.headers[DLQ_HEADERS.offset])).toEqual(['1', '3']);
      expect(dlq[0]!.headers).toMatchObject({ 'trace-id': 't-2', [DLQ_HEADERS.errorClass]: 'PoisonMessageError' });
      expect(dlq[1]!.headers).toMatchObject({ [DLQ_HEADERS.errorClass]: 'NotificationValidationError' });
      const events = await store.readAll({ after: headBefore });
      expect(events.map((e) => (e.data as { concurDocumentId: string }).concurDocumentId)).toEqual(['EXP-000101', 'EXP-000102', 'EXP-000103']);
      // One fetch, one batch of the five messages that are JSON (the redelivery counts as ingested, appends nothing).
      expect(batches).toEqual([5]);
      expect(consumer.stats).toMatchObject({ ingested: 4, deadLettered: 2, retries: 3 });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(
          'offsets committed to the end',
          async () => {
            const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
            return committed[0]!.partitions[0]!.offset === '6';
          },
          10_000,
        );
      } finally {
        await admin.disconnect();
      }
    } finally {
      await consumer.stop();
    }
  });

  it('pauses above the backlog high watermark and resumes at the low watermark without losing messages', async () => {
    const topic = uniqueName('concur.events');
    await createTopics(kafka, [{ topic, numPartitions: 2 }]);
    let backlog = 0;
    const ingest = new ConcurNotificationIngest(store);
    const consumer = new KafkaConcurConsumer({
      kafka,
      topic,
      groupId: uniqueName('ml-connector'),
      ingest: async (body, channel) => {
        backlog++; // every stored document becomes a pending posting
        return ingest.ingest(body, channel);
      },
      isPoison: isConcurNotificationPoison,
      maxWaitTimeInMs: 250,
      backlog: () => backlog,
      highWatermark: 50,
      lowWatermark: 10,
      backlogPollMs: 20,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 7}`, value: JSON.stringify(readyForIntegration(1000 + i, i)) })),
    });
    await producer.disconnect();
    await consumer.start();
    try {
      // The posting worker drains the backlog to the low watermark each time the consumer paused:
      // 200 messages then take pauses at 50, 90, 130 and 170 stored.
      for (let round = 1; round <= 4; round++) {
        await waitFor(
          `pause ${round}`,
          () => consumer.stats.pauses === round,
          30_000,
          () => `ingested ${consumer.stats.ingested}, pauses ${consumer.stats.pauses}`,
        );
        const atPause = consumer.stats.ingested;
        expect(atPause).toBe(50 + 40 * (round - 1));
        await new Promise((r) => setTimeout(r, 300));
        expect(consumer.stats.ingested).toBe(atPause); // nothing consumed while paused
        backlog = 10;
      }
      await waitFor(
        'all 200 stored',
        () => consumer.stats.ingested === 200,
        30_000,
        () => `ingested ${consumer.stats.ingested}`,
      );
      expect(consumer.stats.pauses).toBe(4);
      const ids = new Set((await store.readAll()).filter((e) => (e.data as { concurDocumentId: string }).concurDocumentId >= 'EXP-001000').map((e) => e.id));
      expect(ids.size).toBe(200);
    } finally {
      await consumer.stop();
    }
  });
});
