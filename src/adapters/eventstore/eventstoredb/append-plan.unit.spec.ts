import { NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../../../domain/events/envelope.js';
import { WrongExpectedRevisionError } from '../../../domain/eventstore/port.js';
import { planAppend } from './append-plan.js';
import { esdbEventId } from './event-id.js';

const a = newEvent('A', {}, { actor: 'test' });
const b = newEvent('B', {}, { id: 'concur-notification-9', actor: 'test' });
const stored = (...events: { id: string }[]): Set<string> => new Set(events.map((e) => esdbEventId(e.id).uuid));

describe('planAppend', () => {
  it('sends only the events whose ids the stream does not hold yet', () => {
    const plan = planAppend('doc-1', [a, b], stored(a), 0, 0);
    expect(plan).toEqual({ kind: 'append', fresh: [b], expectedRevision: 0n });
  });

  it('treats a retry of stored events as success without checking the revision', () => {
    expect(planAppend('doc-1', [a, b], stored(a, b), 5, 'no_stream')).toEqual({ kind: 'already-stored' });
  });

  it('sends an `any` append with the observed revision so a racing writer is detected', () => {
    expect(planAppend('doc-1', [a], stored(), -1, 'any')).toMatchObject({ expectedRevision: NO_STREAM });
    expect(planAppend('doc-1', [a], stored(b), 0, undefined)).toMatchObject({ expectedRevision: 0n });
  });

  it('keeps explicit expectations as the client constants', () => {
    expect(planAppend('doc-1', [a], stored(b), 0, 'stream_exists')).toMatchObject({ expectedRevision: STREAM_EXISTS });
    expect(planAppend('doc-1', [a], stored(), -1, 'no_stream')).toMatchObject({ expectedRevision: NO_STREAM });
  });

  it('fails locally, with the actual revision, when the expectation is already wrong', () => {
    expect(() => planAppend('doc-1', [a], stored(b), 0, 'no_stream')).toThrow(WrongExpectedRevisionError);
    const error = (() => {
      try {
        planAppend('doc-1', [a], stored(), -1, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ streamId: 'doc-1', expected: 3, actual: -1 });
    expect(() => planAppend('doc-1', [], stored(), -1, 'stream_exists')).toThrow(WrongExpectedRevisionError);
  });

  it('an empty append with a met expectation writes nothing', () => {
    expect(planAppend('doc-1', [], stored(a), 0, 0)).toEqual({ kind: 'already-stored' });
  });
});
