import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaBroker } from '../../scripts/kafka/broker.js';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { runSandboxDemo } from '../../src/app/sandbox-demo.js';
import { createTopics, lockBroker, testBroker, testKafka, uniqueName, waitFor } from '../kafka/broker-fixture.js';
import { startE2e, type E2e } from './harness.js';

/**
 * The running service with KAFKA_BROKERS set, against the real broker of the test run: a Concur
 * notification produced to the inbound topic posts to Intacct, and the document's domain events come
 * out on the outbound topic, keyed by document stream, with the event id header.
 */
describe('the service with Kafka (real broker)', () => {
  let broker: KafkaBroker;
  let release: (() => void) | undefined;
  let kafka: Kafka;
  let e: E2e;
  const concurTopic = uniqueName('concur.events');
  const domainTopic = uniqueName('ml-connector.events');

  beforeAll(async () => {
    broker = testBroker();
    release = await lockBroker(broker);
    kafka = testKafka(broker, 'e2e-kafka');
    await createTopics(kafka, [
      { topic: concurTopic, numPartitions: 2 },
      { topic: domainTopic, numPartitions: 2 },
    ]);
    e = await startE2e({ kafka: { brokers: [broker.brokers], concurTopic, domainTopic, groupId: uniqueName('ml-connector') } });
    await runSandboxDemo(e.running, e.systems, {
      info() {},
      warn() {},
      error() {},
      debug() {},
      child() {
        return this;
      },
    });
  }, 180_000);

  afterAll(async () => {
    await e?.close();
    release?.();
  });

  it('posts a document announced on the inbound topic and publishes its events on the outbound topic', { timeout: 120_000 }, async () => {
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [3150] });
    e.systems.concur.addDocument(doc);
    const notification = e.systems.concur.ess.documentReady('expense', doc.id, e.systems.concur.url);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: concurTopic,
      messages: [
        { key: doc.id, value: JSON.stringify(notification) },
        { key: doc.id, value: JSON.stringify(notification) },
      ],
    });
    await producer.disconnect();

    const status = async (): Promise<string | null> =>
      (await e.graphql<{ posting: { status: string } | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id: doc.id })).data?.posting?.status ??
      null;
    await waitFor('the document to post', async () => (await status()) === 'CONFIRMED', 60_000);
    // The sandbox demo leaves posting targets on: the out-of-pocket report is one employee expense report.
    expect(e.systems.intacct.state.records.filter((r) => r.controlId === `ML-EXP-${doc.id}-1-EE`)).toHaveLength(1);

    const consumer = kafka.consumer({ groupId: uniqueName('e2e-reader') });
    const seen: Array<{ key: string; type: string; eventId: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: domainTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const body = JSON.parse(message.value!.toString()) as { type: string; streamId: string };
        if (body.streamId === `document-expense-${doc.id}`)
          seen.push({ key: message.key!.toString(), type: body.type, eventId: message.headers!['event-id']!.toString() });
      },
    });
    await waitFor(
      'the document events on the outbound topic',
      () => seen.some((s) => s.type === 'PostingConfirmedToConcur'),
      60_000,
      () => JSON.stringify(seen),
    );
    await consumer.disconnect();
    const unique = [...new Map(seen.map((s) => [s.eventId, s])).values()];
    expect(unique.map((s) => s.type)).toEqual(
      expect.arrayContaining([
        'ConcurDocumentReceived',
        'ConcurDocumentFetched',
        'JournalEntryPrepared',
        'PostingRequested',
        'PostingSucceeded',
        'PostingConfirmedToConcur',
      ]),
    );
    expect(new Set(unique.map((s) => s.key))).toEqual(new Set([`document-expense-${doc.id}`]));
    // In order per key: the received event before the success, the success before the confirmation.
    const order = unique.map((s) => s.type);
    expect(order.indexOf('ConcurDocumentReceived')).toBeLessThan(order.indexOf('PostingSucceeded'));
    expect(order.indexOf('PostingSucceeded')).toBeLessThan(order.indexOf('PostingConfirmedToConcur'));
  });
});
