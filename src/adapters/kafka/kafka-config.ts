import kafkajs, { type Kafka } from 'kafkajs';
import { ConnectorError } from '../../domain/errors.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** Kafka settings from the environment (docs/contract.md, Configuration). Kafka is off unless KAFKA_BROKERS is set. */
export interface KafkaConfig {
  brokers: string[];
  concurTopic: string;
  domainTopic: string;
  groupId: string;
}

export class KafkaConfigError extends ConnectorError {
  override readonly name = 'KafkaConfigError';
}

export function kafkaConfigFromEnv(env: Record<string, string | undefined>): KafkaConfig | null {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) return null;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.filter((b) => !/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad.length > 0) {
    throw new KafkaConfigError(
      `KAFKA_BROKERS must be a comma list of host:port (e.g. kafka-1:9092,kafka-2:9092); could not read ${bad.map((b) => JSON.stringify(b)).join(', ') || 'an empty list'}`,
    );
  }
  const topic = (name: string, fallback: string): string => {
    const value = env[name]?.trim() || fallback;
    // Kafka's own rule for topic names.
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(value))
      throw new KafkaConfigError(`${name} "${value}" is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`);
    return value;
  };
  return {
    brokers,
    concurTopic: topic('KAFKA_CONCUR_TOPIC', 'concur.events'),
    domainTopic: topic('KAFKA_DOMAIN_TOPIC', 'ml-connector.events'),
    groupId: env.KAFKA_GROUP_ID?.trim() || 'ml-connector',
  };
}

export function createKafkaClient(config: KafkaConfig, clientId = 'ml-connector'): Kafka {
  return new KafkaClient({ clientId, brokers: config.brokers, logLevel: logLevel.WARN });
}
