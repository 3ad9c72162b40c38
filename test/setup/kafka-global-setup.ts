/**
 * vitest globalSetup: one real Kafka broker (scripts/kafka/broker.ts) for the whole test run.
 * Tests read `inject('kafkaBroker')` (test/kafka/broker-fixture.ts) and may kill and restart it
 * through its work dir; the teardown stops whichever JVM is running then and removes the dir.
 * When the broker cannot start, the run goes on and every Kafka test fails with the reason
 * (`kafkaStartError`), so a missing JVM never hides as skipped tests or breaks unrelated suites.
 */
import type { TestProject } from 'vitest/node';
import { KafkaBroker, type KafkaBrokerHandle } from '../../scripts/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    kafkaBroker: KafkaBrokerHandle | null;
    kafkaStartError: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let broker: KafkaBroker | null = null;
  try {
    broker = await KafkaBroker.start();
    project.provide('kafkaBrokers', broker.brokers);
    project.provide('kafkaBroker', broker.handle);
    project.provide('kafkaStartError', null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kafka-global-setup: the test Kafka broker did not start: ${message}\n`);
    project.provide('kafkaBrokers', '');
    project.provide('kafkaBroker', null);
    project.provide('kafkaStartError', message);
  }
  return async () => {
    if (broker) await KafkaBroker.attach(broker.handle).destroy();
  };
}
