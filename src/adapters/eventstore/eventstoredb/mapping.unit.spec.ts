import {
  ANY,
  DeadlineExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { deterministicEventId, newEvent } from '../../../domain/events/envelope.js';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../../domain/eventstore/port.js';
import { describeServer, toDomainError } from './errors.js';
import { esdbEventId } from './event-id.js';
import { toEventData, toRecordedEvent } from './event-mapping.js';
import { toJsonValue } from './json.js';
import { readFrom, toClientPosition, toPosition } from './position.js';
import { fromClientCurrentRevision, toClientExpectedRevision } from './revision.js';

const server = 'esdb://db.internal:2113';

describe('expected revision mapping', () => {
  it('maps every port case to the client constant or a bigint', () => {
    expect(toClientExpectedRevision(undefined)).toBe(ANY);
    expect(toClientExpectedRevision('any')).toBe(ANY);
    expect(toClientExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision(0)).toBe(0n);
    expect(toClientExpectedRevision(41)).toBe(41n);
  });
  it('refuses revisions that are not non-negative integers', () => {
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
  });
  it('maps the current revision back, -1 for no stream', () => {
    expect(fromClientCurrentRevision(NO_STREAM)).toBe(-1);
    expect(fromClientCurrentRevision(7n)).toBe(7);
    expect(() => fromClientCurrentRevision(2n ** 60n)).toThrow(RangeError);
  });
});

describe('error mapping', () => {
  it('maps WrongExpectedVersionError to the domain conflict with the actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'doc-1', expected: 3n, current: 5n });
    const mapped = toDomainError(error, { server, streamId: 'doc-1', expected: 3, operation: 'append' });
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamId: 'doc-1', expected: 3, actual: 5 });
  });
  it('reports -1 when the stream does not exist', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'doc-1', expected: STREAM_EXISTS, current: NO_STREAM });
    const mapped = toDomainError(error, { server, streamId: 'doc-1', expected: 'stream_exists', operation: 'append' });
    expect(mapped).toMatchObject({ name: 'WrongExpectedRevisionError', actual: -1 });
  });
  it('maps a raw gRPC code 14, UnavailableError and DeadlineExceeded to unavailable, naming the server', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
    const unavailable = new UnavailableError({ code: 14, details: 'x', message: '14 UNAVAILABLE: x', metadata: null } as never);
    const deadline = new DeadlineExceededError({ code: 4, details: 'x', message: '4 DEADLINE_EXCEEDED: x', metadata: null } as never);
    for (const error of [raw, unavailable, deadline]) {
      const mapped = toDomainError(error, { server, streamId: 'doc-1', operation: 'append to stream doc-1' });
      expect(mapped).toBeInstanceOf(EventStoreUnavailableError);
      expect(mapped.message).toContain('esdb://db.internal:2113');
      expect(mapped.message).toContain('append to stream doc-1');
      expect(mapped.cause).toBe(error);
    }
  });
  it('passes other errors through unchanged', () => {
    const other = new Error('access denied');
    expect(toDomainError(other, { server, operation: 'read' })).toBe(other);
  });
  it('never puts credentials or options of the connection string in messages', () => {
    expect(describeServer('esdb://admin:changeit@db.internal:2113?tls=false')).toBe('esdb://db.internal:2113');
    expect(describeServer('esdb+discover://u:p@a:2113,b:2113')).toBe('esdb+discover://a:2113,b:2113');
  });
});

describe('positions', () => {
  it('uses the commit position and maps a checkpoint back to {commit, prepare}', () => {
    expect(toPosition({ commit: 1234n, prepare: 1234n })).toBe(1234n);
    expect(toClientPosition(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(readFrom(undefined)).toBe('start');
    expect(readFrom(-1n)).toBe('start');
    expect(readFrom(99n)).toEqual({ commit: 99n, prepare: 99n });
  });
});

describe('event ids', () => {
  it('keeps lower-case UUIDs and derives a stable UUID for anything else', () => {
    const uuid = deterministicEventId('concur', 'n-1');
    expect(esdbEventId(uuid)).toEqual({ uuid });
    expect(esdbEventId(uuid.toUpperCase())).toEqual({ uuid, originalId: uuid.toUpperCase() });
    const derived = esdbEventId('concur-notification-42');
    expect(derived.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(esdbEventId('concur-notification-42').uuid).toBe(derived.uuid);
    expect(esdbEventId('concur-notification-43').uuid).not.toBe(derived.uuid);
  });
});

describe('bigint JSON', () => {
  it('stores bigints as exact decimal strings', () => {
    expect(toJsonValue({ a: 2n ** 70n, b: [1n], c: 'x' })).toEqual({ a: '1180591620717411303424', b: ['1'], c: 'x' });
    expect(() => JSON.stringify(toJsonValue({ p: 5n }))).not.toThrow();
  });
});

describe('event round trip', () => {
  const original = newEvent(
    'PostingSucceeded',
    { amount: '12.50', big: 10n },
    { id: 'not-a-uuid', actor: 'system:poster', schemaVersion: 3, causationId: 'c-1', correlationId: 'k-1', occurredAt: '2026-01-02T03:04:05.000Z' },
  );

  function resolvedFrom(data: ReturnType<typeof toEventData>, streamId = 'doc-7'): AllStreamResolvedEvent {
    return {
      event: {
        streamId,
        id: data.id,
        isJson: true,
        revision: 4n,
        type: data.type,
        created: new Date('2026-01-02T03:04:06.000Z'),
        data: data.data,
        metadata: data.metadata,
        position: { commit: 8800n, prepare: 8800n },
      },
      commitPosition: 8800n,
    } as AllStreamResolvedEvent;
  }

  it('writes a JSON event with a UUID id and metadata carrying schema version and the original id', () => {
    const data = toEventData(original);
    expect(data.contentType).toBe('application/json');
    expect(data.id).toBe(esdbEventId('not-a-uuid').uuid);
    expect(data.metadata).toMatchObject({ schemaVersion: 3, originalId: 'not-a-uuid', actor: 'system:poster', $correlationId: 'k-1', $causationId: 'c-1' });
    expect(data.data).toEqual({ amount: '12.50', big: '10' });
  });

  it('reads a resolved event back as the port RecordedEvent', () => {
    const recorded = toRecordedEvent(resolvedFrom(toEventData(original)));
    expect(recorded).toEqual({
      id: 'not-a-uuid',
      type: 'PostingSucceeded',
      schemaVersion: 3,
      data: { amount: '12.50', big: '10' },
      metadata: { correlationId: 'k-1', causationId: 'c-1', actor: 'system:poster', occurredAt: '2026-01-02T03:04:05.000Z' },
      streamId: 'doc-7',
      revision: 4,
      position: 8800n,
      recordedAt: '2026-01-02T03:04:06.000Z',
    });
  });

  it('skips system events and unresolved links', () => {
    expect(toRecordedEvent(resolvedFrom(toEventData(original), '$stats-127.0.0.1:2113'))).toBeNull();
    expect(toRecordedEvent({ commitPosition: 5n } as AllStreamResolvedEvent)).toBeNull();
  });
});
