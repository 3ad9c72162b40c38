/** Kafka adapter: inbound Concur notifications, outbound domain events. See docs/kafka.md. */
import { NotificationValidationError } from '../../domain/concur.js';

export { KafkaConcurConsumer, type KafkaConcurConsumerOptions, type IngestFunction, type IngestBatchFunction } from './inbound-consumer.js';
export { KafkaDomainPublisher, type KafkaDomainPublisherOptions } from './domain-publisher.js';
export type { CheckpointStore } from './checkpoint-store.js';
export { DLQ_HEADERS, PoisonMessageError, deadLetterHeaders } from './dead-letter.js';
export { DOMAIN_HEADERS, toDomainMessage, type DomainEventMessage } from './domain-message.js';

/** Envelopes the Concur ingest rejects can never succeed on retry: they belong in the DLQ. */
export const isConcurNotificationPoison = (error: unknown): boolean => error instanceof NotificationValidationError;
export { kafkaConfigFromEnv, createKafkaClient, KafkaConfigError, type KafkaConfig } from './kafka-config.js';
