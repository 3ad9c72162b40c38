import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import kafkajs, { type Kafka } from 'kafkajs';
import { KafkaBroker } from '../../scripts/kafka/broker.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** The broker started by test/setup/kafka-global-setup.ts; throws (failing the test) when there is none. */
export function testBroker(): KafkaBroker {
  const startError = inject('kafkaStartError');
  if (startError) throw new Error(`The test Kafka broker could not start, so this Kafka test cannot run: ${startError}`);
  const handle = inject('kafkaBroker');
  if (!handle) {
    throw new Error(
      'No test Kafka broker: run vitest with globalSetup test/setup/kafka-global-setup.ts (vitest.config.ts, or test/kafka/vitest.kafka.config.ts)',
    );
  }
  return KafkaBroker.attach(handle);
}

/**
 * Kafka test files kill and restart the one shared broker, so they take turns: each holds this
 * lock (a directory in the broker's work dir, with its pid) from beforeAll to afterAll, while test
 * files that do not use Kafka keep running in parallel. A lock left by a dead worker is taken over.
 */
export async function lockBroker(broker: KafkaBroker, timeoutMs = 170_000): Promise<() => void> {
  const lock = join(broker.handle.workDir, 'test.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      // A file that failed while the broker was down leaves it down; bring it back for the next.
      if (broker.pid === undefined || !(await broker.serves())) await broker.restart();
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // The holder is between mkdir and writing its pid.
      }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Another Kafka test file held the test broker for more than ${timeoutMs} ms (lock ${lock})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A client that gives up quickly: tests drive broker outages themselves and must not stall on them. */
export function testKafka(broker: KafkaBroker, clientId: string): Kafka {
  return new KafkaClient({
    clientId,
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

export async function createTopics(kafka: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
