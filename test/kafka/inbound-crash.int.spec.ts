import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { KafkaConcurConsumer, isConcurNotificationPoison } from '../../src/adapters/kafka/index.js';
import type { KafkaBroker } from '../../scripts/kafka/broker.js';
import { createTopics, lockBroker, testBroker, testKafka, uniqueName, waitFor } from './broker-fixture.js';
import { readyForIntegration } from './notifications.js';

const here = dirname(fileURLToPath(import.meta.url));
const TOTAL = 10_000;
const KEYS = 40; // notifications of one key share a partition, so their order is checked too
const PARTITIONS = 3;

describe('Kafka inbound: 10,000 notifications through a broker crash and a consumer crash', () => {
  let broker: KafkaBroker;
  let release: (() => void) | undefined;
  let kafka: Kafka;
  let dir: string;
  let store: SqliteEventStore;
  let dbPath: string;

  beforeAll(async () => {
    broker = testBroker();
    release = await lockBroker(broker);
    kafka = testKafka(broker, 'inbound-crash-test');
    dir = mkdtempSync(join(tmpdir(), 'kafka-inbound-'));
    dbPath = join(dir, 'events.db');
    store = await SqliteEventStore.open(dbPath, { synchronous: 'NORMAL' });
  });

  afterAll(async () => {
    release?.();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every document exactly once, in order per key, and commits to the end', { timeout: 240_000 }, async () => {
    const topic = uniqueName('concur.events');
    const groupId = uniqueName('ml-connector');
    await createTopics(kafka, [
      { topic, numPartitions: PARTITIONS },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ]);

    // Producer side: chunks, each re-sent until acknowledged. A re-send after a lost ack puts the
    // same notification on the topic twice, which is exactly what ingest must absorb.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sendChunk = async (from: number, to: number): Promise<void> => {
      const messages = [];
      for (let n = from; n < to; n++) messages.push({ key: `key-${n % KEYS}`, value: JSON.stringify(readyForIntegration(n, n)) });
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await producer.send({ topic, acks: -1, messages });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    const producing = (async () => {
      for (let from = 0; from < TOTAL; from += 500) await sendChunk(from, Math.min(TOTAL, from + 500));
      // A deliberate redelivery of 300 notifications that were already sent.
      await sendChunk(1000, 1300);
    })();

    let lastCount = 0;
    const stored = async (): Promise<number> => (lastCount = Number(await store.headPosition()) + 1);

    // The first consumer runs in its own process, so that it can really crash: strict partition order
    // with one transaction per sub-batch (ingestBatch). The second one uses keyed windows of 50.
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'consumer-process.ts'), broker.brokers, topic, groupId, dbPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childOutput = '';
    child.stdout.on('data', (d: Buffer) => (childOutput += d.toString()));
    child.stderr.on('data', (d: Buffer) => (childOutput += d.toString()));
    const childExit = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    let second: KafkaConcurConsumer | undefined;
    try {
      await waitFor(
        '2,500 notifications stored before the broker crash',
        async () => (await stored()) >= 2500,
        60_000,
        () => `stored ${lastCount}; consumer process said: ${childOutput}`,
      );
      await broker.kill();
      await broker.restart();
      await waitFor(
        '6,000 notifications stored after the broker came back',
        async () => (await stored()) >= 6000,
        60_000,
        () => `stored ${lastCount}; consumer process said: ${childOutput}`,
      );
      child.kill('SIGKILL'); // no disconnect, no last commit: whatever it appended past its commit comes again
      expect(await childExit).toBe('SIGKILL');
      const atCrash = await stored();

      const ingest = new ConcurNotificationIngest(store);
      second = new KafkaConcurConsumer({
        kafka,
        topic,
        groupId,
        ingest: (body, channel) => ingest.ingest(body, channel),
        isPoison: isConcurNotificationPoison,
        partitionsConsumedConcurrently: PARTITIONS,
        maxInFlightPerPartition: 50,
        maxWaitTimeInMs: 250,
        retryInitialMs: 100,
        retryMaxMs: 1000,
      });
      await second.start();
      await producing;
      await waitFor(
        `all ${TOTAL} notifications stored`,
        async () => (await stored()) >= TOTAL,
        90_000,
        () => `stored ${lastCount}`,
      );
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        await waitFor(
          'the consumer group to commit up to the end of every partition',
          async () => {
            const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
            return ends.every((end) => committed[0]!.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
          },
          30_000,
        );
      } finally {
        await admin.disconnect();
      }
      // The second consumer finished the work and saw re-deliveries (uncommitted work of the crashed one, the duplicates).
      expect(second.stats.ingested).toBeGreaterThan(TOTAL - atCrash);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await second?.stop();
      await producer.disconnect();
    }

    const events = await store.readAll();
    expect(events).toHaveLength(TOTAL);
    expect(new Set(events.map((e) => e.id)).size).toBe(TOTAL);
    const streams = new Set(events.map((e) => e.streamId));
    expect(streams.size).toBe(TOTAL);
    for (let n = 0; n < TOTAL; n += 997) {
      const stream = await store.readStream(`document-expense-EXP-${String(n).padStart(6, '0')}`);
      expect(stream.map((e) => e.type)).toEqual(['ConcurDocumentReceived']);
      expect((stream[0]!.data as { channel: string }).channel).toBe('kafka');
    }
    // The store's order is the append order: per key it follows the topic's order.
    const seqsByKey = new Map<number, number[]>();
    for (const event of events) {
      const n = Number((event.data as { concurDocumentId: string }).concurDocumentId.slice(4));
      seqsByKey.set(n % KEYS, [...(seqsByKey.get(n % KEYS) ?? []), n]);
    }
    expect(seqsByKey.size).toBe(KEYS);
    for (const seqs of seqsByKey.values()) expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });
});
