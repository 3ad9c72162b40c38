import { START, type Position, type ReadPosition } from '@eventstore/db-client';

/**
 * The port's global `position` is EventStoreDB's *commit* position.
 *
 * Why that is safe: every event appended over gRPC is an implicitly committed prepare record, and
 * the server reports such an event at `{commit: p, prepare: p}` where `p` is the record's log
 * position (AllReader: `new CommitEventRecord(eventRecord, prepare.LogPosition)`). So the commit
 * position alone is unique and strictly increasing. Only legacy explicit TCP transactions (which
 * this service never writes) share one commit position across several events.
 *
 * A checkpoint `c` therefore maps back to `{commit: c, prepare: c}`. Positions are byte offsets in
 * the transaction log, not counts: the difference of two positions is not a number of events.
 */
export function toPosition(position: Position): bigint {
  return position.commit;
}

export function toClientPosition(checkpoint: bigint): Position {
  return { commit: checkpoint, prepare: checkpoint };
}

/**
 * Where to start reading `$all` for "events strictly after `after`". A read from a position is
 * inclusive of an event at exactly that position, so readers also drop `position <= after`.
 */
export function readFrom(after: bigint | undefined): ReadPosition {
  return after === undefined || after < 0n ? START : toClientPosition(after);
}
