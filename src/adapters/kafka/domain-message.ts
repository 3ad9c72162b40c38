import type { Message } from 'kafkajs';
import type { RecordedEvent } from '../../domain/events/envelope.js';

/**
 * The wire shape of our domain events on `KAFKA_DOMAIN_TOPIC` (documented in docs/kafka.md).
 * Keyed by stream id so every event of one document lands on one partition, in revision order.
 */
export interface DomainEventMessage {
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  revision: number;
  /** The global log position, a decimal string (it is a 64-bit integer). */
  position: string;
  recordedAt: string;
  data: unknown;
  metadata: RecordedEvent['metadata'];
}

export const DOMAIN_HEADERS = { eventId: 'event-id', eventType: 'event-type', schemaVersion: 'schema-version', contentType: 'content-type' } as const;

// Event data may carry bigints (positions, revisions of other stores); JSON has no such type.
const replacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

export function toDomainMessage(event: RecordedEvent): Message {
  const body: DomainEventMessage = {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position.toString(),
    recordedAt: event.recordedAt,
    data: event.data,
    metadata: event.metadata,
  };
  return {
    key: event.streamId,
    value: JSON.stringify(body, replacer),
    headers: {
      [DOMAIN_HEADERS.eventId]: event.id,
      [DOMAIN_HEADERS.eventType]: event.type,
      [DOMAIN_HEADERS.schemaVersion]: String(event.schemaVersion),
      [DOMAIN_HEADERS.contentType]: 'application/json',
    },
  };
}
