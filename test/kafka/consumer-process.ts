/**
 * The inbound consumer as its own process, so a test can crash it for real (SIGKILL: no disconnect,
 * no final commit). `node --import tsx test/kafka/consumer-process.ts <brokers> <topic> <groupId> <db>`
 */
import kafkajs from 'kafkajs';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { KafkaConcurConsumer, isConcurNotificationPoison } from '../../src/adapters/kafka/index.js';

const [brokers, topic, groupId, dbPath] = process.argv.slice(2) as [string, string, string, string];
const store = await SqliteEventStore.open(dbPath, { synchronous: 'NORMAL' });
const ingest = new ConcurNotificationIngest(store);
const kafka = new kafkajs.Kafka({
  clientId: 'consumer-process',
  brokers: [brokers],
  logLevel: kafkajs.logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 5000,
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
});
const consumer = new KafkaConcurConsumer({
  kafka,
  topic,
  groupId,
  ingest: (body, channel) => ingest.ingest(body, channel),
  // Strict partition order, each sub-batch of a fetch in one transaction (the recovering consumer of
  // the test runs with keyed windows instead, so both modes see the crash's redeliveries).
  ingestBatch: (bodies, channel) => ingest.ingestBatch(bodies, channel),
  isPoison: isConcurNotificationPoison,
  partitionsConsumedConcurrently: 3,
  maxInFlightPerPartition: 1,
  maxWaitTimeInMs: 250,
  sessionTimeoutMs: 6000,
  retryInitialMs: 100,
  retryMaxMs: 1000,
  commitEvery: 200,
});
await consumer.start();
process.stdout.write('consuming\n');
