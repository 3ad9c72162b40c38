import { NO_STREAM, type AppendExpectedRevision } from '@eventstore/db-client';
import type { NewEvent } from '../../../domain/events/envelope.js';
import { checkExpectedRevision, type ExpectedRevision } from '../../../domain/eventstore/port.js';
import { esdbEventId } from './event-id.js';
import { toClientExpectedRevision } from './revision.js';

export type AppendPlan =
  /** Every event is already stored: succeed without a revision check (a retried append). */
  { kind: 'already-stored' } | { kind: 'append'; fresh: NewEvent[]; expectedRevision: AppendExpectedRevision };

/**
 * Decides what to send for an append, given the ids already in the stream and its last revision.
 * Throws the domain's WrongExpectedRevisionError when the expectation already fails locally.
 *
 * An `any` append is sent with the revision just observed rather than ANY: if a concurrent writer
 * (maybe a retry of this very append) gets in first, the server refuses, the caller re-reads and
 * re-plans, and events that writer stored are skipped instead of written twice (EventStoreDB's own
 * de-duplication for ANY is best effort only).
 */
export function planAppend(
  streamId: string,
  events: readonly NewEvent[],
  storedIds: ReadonlySet<string>,
  actualRevision: number,
  expected: ExpectedRevision | undefined,
): AppendPlan {
  const fresh = events.filter((e) => !storedIds.has(esdbEventId(e.id).uuid));
  if (events.length > 0 && fresh.length === 0) return { kind: 'already-stored' };
  checkExpectedRevision(streamId, expected, actualRevision);
  if (events.length === 0) return { kind: 'already-stored' };
  const expectedRevision =
    expected === undefined || expected === 'any' ? (actualRevision === -1 ? NO_STREAM : BigInt(actualRevision)) : toClientExpectedRevision(expected);
  return { kind: 'append', fresh, expectedRevision };
}
