import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import type { ExpectedRevision } from '../../../domain/eventstore/port.js';

/** The port's expected revision in the client's terms (revisions are `bigint` on the wire). */
export function toClientExpectedRevision(expected: ExpectedRevision | undefined): AppendExpectedRevision {
  if (expected === undefined || expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`Expected revision must be a non-negative integer, 'no_stream', 'stream_exists' or 'any'; got ${String(expected)}`);
  }
  return BigInt(expected);
}

/** The client's current revision as the port's number: -1 when the stream does not exist. */
export function fromClientCurrentRevision(current: CurrentRevision | undefined): number {
  if (current === undefined || current === NO_STREAM) return -1;
  return toRevisionNumber(current);
}

/** Stream revisions stay far below 2^53 in practice; refuse silently lossy conversions. */
export function toRevisionNumber(revision: bigint): number {
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Stream revision ${revision} does not fit a JavaScript number`);
  return Number(revision);
}
