import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { fold, type Decider } from '../../src/domain/decider.js';
import type { RecordedEvent } from '../../src/domain/events/envelope.js';
import type { Projection, ProjectionContext } from '../../src/projections/projection.js';

/**
 * Specification helpers in the given / when / then style (as Emmett's DeciderSpecification and
 * projection specs): a decider is specified by the events it was given, the command, and the events it
 * decides (compared by type and data: ids and metadata are the command handler's business), nothing,
 * or a refusal. A projection by the events it applies and the rows it then holds.
 *
 *   deciderSpec(documentDecider).given(received, fetched).when(command).then(prepared, requested)
 *   projectionSpec(postingStateProjection).given(events).then('SELECT status FROM postings', [{ status: 'POSTED' }])
 */
type AnyEvent = { type: string; data: unknown };

const shape = (events: readonly AnyEvent[]): AnyEvent[] => events.map((e) => ({ type: e.type, data: e.data }));

export function deciderSpec<State, Command, Event extends AnyEvent>(decider: Decider<State, Command, Event>) {
  return {
    given(...events: Event[]) {
      const state = fold(decider, events);
      return {
        state,
        when(command: Command) {
          const run = (): Event[] => decider.decide(command, state);
          return {
            /** Decides exactly these events (type and data, in order). */
            then(...expected: Event[]): Event[] {
              const decided = run();
              expect(shape(decided)).toEqual(shape(expected));
              return decided;
            },
            /** Decides something that `check` accepts (for events with generated parts). */
            thenMatches(check: (decided: Event[]) => void): void {
              check(run());
            },
            thenNothingHappened(): void {
              expect(shape(run())).toEqual([]);
            },
            thenThrows(type: new (...args: never[]) => Error, message?: RegExp): void {
              expect(run).toThrow(type);
              if (message) expect(run).toThrow(message);
            },
          };
        },
      };
    },
  };
}

let positions = 0n;

/** Applies events to a projection's tables in an in-memory SQLite and checks rows with SQL. */
export function projectionSpec(projection: Projection) {
  return {
    given(...events: Array<AnyEvent & { streamId: string }>) {
      const db = new Database(':memory:');
      const ctx: ProjectionContext = { db, table: (logical) => logical };
      projection.setup(ctx);
      const revisions = new Map<string, number>();
      for (const e of events) {
        const revision = (revisions.get(e.streamId) ?? -1) + 1;
        revisions.set(e.streamId, revision);
        const recorded: RecordedEvent = {
          id: `spec-${positions}`,
          type: e.type,
          schemaVersion: 1,
          data: e.data,
          metadata: { correlationId: 'spec', causationId: null, actor: 'system:spec', occurredAt: '2026-12-03T09:00:00.000Z' },
          streamId: e.streamId,
          revision,
          position: positions++,
          recordedAt: '2026-12-03T09:00:00.000Z',
        };
        if (projection.eventTypes.includes(e.type)) projection.apply(recorded, ctx);
      }
      return {
        db,
        then(sql: string, rows: Array<Record<string, unknown>>): void {
          try {
            expect(db.prepare(sql).all()).toEqual(rows);
          } finally {
            db.close();
          }
        },
      };
    },
  };
}
