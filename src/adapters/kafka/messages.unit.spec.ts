import { describe, expect, it } from 'vitest';
import { NotificationValidationError } from '../../domain/concur.js';
import { DLQ_HEADERS, deadLetterHeaders } from './dead-letter.js';
import { DOMAIN_HEADERS, toDomainMessage } from './domain-message.js';

describe('dead-letter headers', () => {
  it('name the error and where the message came from, and keep long messages bounded', () => {
    const headers = deadLetterHeaders(new NotificationValidationError('x'.repeat(5000)), 'concur.events', 2, '41', new Date('2026-01-02T03:04:05Z'));
    expect(headers).toMatchObject({
      [DLQ_HEADERS.errorClass]: 'NotificationValidationError',
      [DLQ_HEADERS.topic]: 'concur.events',
      [DLQ_HEADERS.partition]: '2',
      [DLQ_HEADERS.offset]: '41',
      [DLQ_HEADERS.failedAt]: '2026-01-02T03:04:05.000Z',
    });
    expect(headers[DLQ_HEADERS.errorMessage]!.length).toBe(1001);
  });
});

describe('domain event message', () => {
  it('is keyed by stream, carries the event id header and writes 64-bit numbers as strings', () => {
    const message = toDomainMessage({
      id: 'e-1',
      type: 'PostingSucceeded',
      schemaVersion: 2,
      streamId: 'document-expense-D1',
      revision: 3,
      position: 9007199254740993n,
      recordedAt: '2026-01-01T00:00:00.000Z',
      data: { recordNo: '123', big: 5n },
      metadata: { correlationId: 'c', causationId: null, actor: 'system:test', occurredAt: '2026-01-01T00:00:00.000Z' },
    });
    expect(message.key).toBe('document-expense-D1');
    expect(message.headers).toEqual({
      [DOMAIN_HEADERS.eventId]: 'e-1',
      [DOMAIN_HEADERS.eventType]: 'PostingSucceeded',
      [DOMAIN_HEADERS.schemaVersion]: '2',
      [DOMAIN_HEADERS.contentType]: 'application/json',
    });
    const body = JSON.parse(message.value as string);
    expect(body.position).toBe('9007199254740993');
    expect(body.data).toEqual({ recordNo: '123', big: '5' });
  });
});
