import { describe, expect, it } from 'vitest';
import { KafkaConfigError, kafkaConfigFromEnv } from './kafka-config.js';

describe('kafkaConfigFromEnv', () => {
  it('is off without KAFKA_BROKERS', () => {
    expect(kafkaConfigFromEnv({})).toBeNull();
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: '  ' })).toBeNull();
  });

  it('reads brokers and applies the documented defaults', () => {
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093' })).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9093'],
      concurTopic: 'concur.events',
      domainTopic: 'ml-connector.events',
      groupId: 'ml-connector',
    });
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_CONCUR_TOPIC: 'in', KAFKA_DOMAIN_TOPIC: 'out', KAFKA_GROUP_ID: 'g' })).toMatchObject({
      concurTopic: 'in',
      domainTopic: 'out',
      groupId: 'g',
    });
  });

  it('names the variable and the bad value', () => {
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka-1' })).toThrow(KafkaConfigError);
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka-1' })).toThrow(/KAFKA_BROKERS .*"kafka-1"/);
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_DOMAIN_TOPIC: 'bad topic' })).toThrow(/KAFKA_DOMAIN_TOPIC "bad topic"/);
  });
});
