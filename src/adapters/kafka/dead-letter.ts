/**
 * Dead-letter conventions for the inbound Concur topic. A poison message is copied to
 * `<topic>.dlq` with its key, value and headers unchanged, plus these headers saying why and from
 * where, so an operator can fix the cause and re-publish it to the original topic.
 */
import { ConnectorError } from '../../domain/errors.js';
export const DLQ_HEADERS = {
  errorClass: 'dlq-error-class',
  errorMessage: 'dlq-error-message',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  failedAt: 'dlq-failed-at',
} as const;

/** A message that no retry can make acceptable (not JSON, no value). Always dead-lettered. */
export class PoisonMessageError extends ConnectorError {
  override readonly name = 'PoisonMessageError';
}

// Kafka headers are small metadata; a validation message that lists many problems stays readable.
const MAX_MESSAGE_CHARS = 1000;

export function deadLetterHeaders(error: unknown, topic: string, partition: number, offset: string, now = new Date()): Record<string, string> {
  const errorClass = error instanceof Error ? error.name || error.constructor.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return {
    [DLQ_HEADERS.errorClass]: errorClass,
    [DLQ_HEADERS.errorMessage]: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message,
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: String(partition),
    [DLQ_HEADERS.offset]: offset,
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
}
