/**
 * The one contract every EventStore implementation passes (memory, SQLite, EventStoreDB).
 *
 * Tests use fresh stream names and read the global log relative to the head at the start of the test,
 * so they also hold on a shared server that has other data (EventStoreDB). Stores whose `open()`
 * returns an empty store with positions 0, 1, 2, ... (memory, SQLite) declare `denseFreshLog` and get
 * the stricter checks on exact positions.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEvent, type NewEvent, type RecordedEvent } from '../../src/domain/events/envelope.js';
import { appendBatch, WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../../src/domain/eventstore/port.js';

export interface ContractCapabilities {
  /** Each `open()` gives an empty store whose positions are 0, 1, 2, ... with no gaps. */
  denseFreshLog?: boolean;
  /**
   * An id already stored in ANOTHER stream is skipped too. EventStoreDB has no index by event id and
   * de-duplicates within the target stream only; the connector's deterministic ids always target the
   * same stream, so that is enough for it (see the port's doc comment).
   */
  crossStreamIdempotency?: boolean;
}

export type OpenStore = () => Promise<{ store: EventStore; cleanup(): Promise<void> }>;

export function eventStoreContract(name: string, open: OpenStore, capabilities: ContractCapabilities = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    /** Unique per test, so tests never see each other's streams on a shared server. */
    let prefix: string;
    let before: bigint;
    const stream = (suffix: string): string => `${prefix}-${suffix}`;
    const ours = (events: RecordedEvent[]): RecordedEvent[] => events.filter((e) => e.streamId.startsWith(prefix));

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      prefix = `contract_${randomUUID().slice(0, 8)}`;
      before = await store.headPosition();
    });
    afterEach(async () => {
      await cleanup();
    });

    const readAllOurs = async (): Promise<RecordedEvent[]> => ours(await readAllPaged(store, before));

    describe('append and read', () => {
      it('stores events in order and reads them back with revisions, positions and timestamps', async () => {
        const events = [ev('A', { n: 1 }), ev('B', { n: 2 }), ev('C', { n: 3 })];
        const result = await store.appendToStream(stream('order'), events, { expectedRevision: 'no_stream' });
        expect(result.appended).toBe(3);
        expect(result.nextExpectedRevision).toBe(2);

        const read = await store.readStream(stream('order'));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(read.map(strip)).toEqual(events);
        expect(read.every((e) => e.streamId === stream('order'))).toBe(true);
        expect(read.every((e) => typeof e.position === 'bigint')).toBe(true);
        expect(read.every((e) => !Number.isNaN(Date.parse(e.recordedAt)))).toBe(true);
        expect(read[0]!.position < read[1]!.position && read[1]!.position < read[2]!.position).toBe(true);
        expect(result.position).toBe(read[2]!.position);
        expect(await store.headPosition()).toBe(read[2]!.position);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(stream('nothing-here'))).toEqual([]);
      });

      it('keeps streams apart', async () => {
        await store.appendToStream(stream('a'), [ev('A'), ev('A')]);
        await store.appendToStream(stream('b'), [ev('B')]);
        await store.appendToStream(stream('a'), [ev('A')]);
        expect((await store.readStream(stream('a'))).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect((await store.readStream(stream('b'))).map((e) => e.type)).toEqual(['B']);
      });

      it('round-trips metadata exactly (correlation, causation, actor, occurred-at)', async () => {
        const first = newEvent('Received', { doc: 'R-1' }, { actor: 'concur:webhook', occurredAt: '2026-03-01T10:00:00.000Z' });
        const second = newEvent(
          'Fetched',
          { doc: 'R-1' },
          {
            actor: 'system:fis-poller',
            correlationId: first.metadata.correlationId,
            causationId: first.id,
            occurredAt: '2026-03-01T10:00:01.250Z',
            schemaVersion: 3,
          },
        );
        await store.appendToStream(stream('meta'), [first, second]);
        const [a, b] = await store.readStream(stream('meta'));
        expect(a!.metadata).toEqual({ correlationId: first.id, causationId: null, actor: 'concur:webhook', occurredAt: '2026-03-01T10:00:00.000Z' });
        expect(b!.metadata).toEqual(second.metadata);
        expect(b!.schemaVersion).toBe(3);
      });

      it('round-trips large payloads', async () => {
        const lines = Array.from({ length: 2000 }, (_, i) => ({
          account: `6${String(i).padStart(3, '0')}`,
          amount: `${i}.${String(i % 100).padStart(2, '0')}`,
          memo: 'x'.repeat(200),
        }));
        const big = ev('Large', { lines, blob: 'y'.repeat(1_000_000) });
        await store.appendToStream(stream('large'), [big]);
        const [read] = await store.readStream(stream('large'));
        expect(read!.data).toEqual(big.data);
        const [fromAll] = ours(await store.readAll({ after: before, maxCount: 10 }));
        expect(fromAll!.data).toEqual(big.data);
      });

      it('round-trips unicode in data, metadata and stream ids', async () => {
        const data = { vendor: 'Café Zürich – 東京 🍣', rtl: 'مرحبا', nul: 'a\u0000b', quote: '"\'\\', astral: '𝄞😀' };
        const event = newEvent('Unicode', data, { actor: 'user:Zoë Ångström' });
        await store.appendToStream(stream('ünïcødé-東京'), [event]);
        const [read] = await store.readStream(stream('ünïcødé-東京'));
        expect(read!.data).toEqual(data);
        expect(read!.metadata.actor).toBe('user:Zoë Ångström');
        expect(read!.streamId).toBe(stream('ünïcødé-東京'));
      });
    });

    describe('expected revision', () => {
      const cases: { name: string; existing: number; expected: ExpectedRevision | undefined; ok: boolean }[] = [
        { name: 'no_stream on a new stream', existing: 0, expected: 'no_stream', ok: true },
        { name: 'no_stream on an existing stream', existing: 2, expected: 'no_stream', ok: false },
        { name: 'stream_exists on a new stream', existing: 0, expected: 'stream_exists', ok: false },
        { name: 'stream_exists on an existing stream', existing: 1, expected: 'stream_exists', ok: true },
        { name: 'any on a new stream', existing: 0, expected: 'any', ok: true },
        { name: 'any on an existing stream', existing: 3, expected: 'any', ok: true },
        { name: 'no option on an existing stream (means any)', existing: 3, expected: undefined, ok: true },
        { name: 'exact revision that matches', existing: 3, expected: 2, ok: true },
        { name: 'exact revision 0 after one event', existing: 1, expected: 0, ok: true },
        { name: 'exact revision behind the stream', existing: 3, expected: 1, ok: false },
        { name: 'exact revision ahead of the stream', existing: 3, expected: 5, ok: false },
        { name: 'exact revision on a new stream', existing: 0, expected: 0, ok: false },
      ];
      for (const c of cases) {
        it(`${c.name}: ${c.ok ? 'appends' : 'fails with the actual revision and stores nothing'}`, async () => {
          const id = stream('rev');
          if (c.existing > 0)
            await store.appendToStream(
              id,
              Array.from({ length: c.existing }, () => ev('Seed')),
            );
          const attempt = store.appendToStream(id, [ev('X'), ev('Y')], c.expected === undefined ? {} : { expectedRevision: c.expected });
          if (c.ok) {
            const result = await attempt;
            expect(result).toMatchObject({ appended: 2, nextExpectedRevision: c.existing + 1 });
            expect((await store.readStream(id)).map((e) => e.type).slice(-2)).toEqual(['X', 'Y']);
          } else {
            const error = await attempt.then(
              () => null,
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(WrongExpectedRevisionError);
            expect(error).toMatchObject({ streamId: id, expected: c.expected, actual: c.existing - 1 });
            expect((error as Error).message).toContain(id);
            expect((await store.readStream(id)).length).toBe(c.existing);
          }
        });
      }

      it('a conflicting multi-event append stores none of its events, and they can be appended later', async () => {
        const id = stream('atomic');
        await store.appendToStream(id, [ev('A'), ev('B')]);
        const headBefore = await store.headPosition();
        const batch = [ev('C'), ev('D'), ev('E')];
        await expect(store.appendToStream(id, batch, { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.headPosition()).toBe(headBefore);
        expect((await readAllOurs()).map((e) => e.type)).toEqual(['A', 'B']);
        // The ids were not recorded as stored: a correct retry appends all three.
        const result = await store.appendToStream(id, batch, { expectedRevision: 1 });
        expect(result).toMatchObject({ appended: 3, nextExpectedRevision: 4 });
      });

      it('an empty append still checks the expected revision', async () => {
        const id = stream('empty');
        await expect(store.appendToStream(id, [], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.appendToStream(id, [], { expectedRevision: 'no_stream' })).toMatchObject({ appended: 0, nextExpectedRevision: -1 });
      });
    });

    describe('idempotency by event id', () => {
      it('a retried append after success stores nothing and succeeds despite the now-stale revision', async () => {
        const id = stream('retry');
        const batch = [ev('A'), ev('B')];
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const retry = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual({ appended: 0, nextExpectedRevision: 1, position: first.position });
        const again = await store.appendToStream(id, batch, { expectedRevision: 7 });
        expect(again.appended).toBe(0);
        expect((await store.readStream(id)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
        expect(await readAllOurs()).toHaveLength(2);
      });

      it.skipIf(capabilities.crossStreamIdempotency === false)('skips an id already stored in another stream', async () => {
        const event = ev('A');
        await store.appendToStream(stream('one'), [event]);
        const result = await store.appendToStream(stream('two'), [event]);
        expect(result.appended).toBe(0);
        expect(await store.readStream(stream('two'))).toEqual([]);
      });

      it('appends only the new events of a partly stored batch, checking the revision', async () => {
        const id = stream('partial');
        const [a, b, c] = [ev('A'), ev('B'), ev('C')];
        await store.appendToStream(id, [a!, b!]);
        await expect(store.appendToStream(id, [b!, c!], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        const result = await store.appendToStream(id, [b!, c!], { expectedRevision: 1 });
        expect(result).toMatchObject({ appended: 1, nextExpectedRevision: 2 });
        expect((await store.readStream(id)).map((e) => e.id)).toEqual([a!.id, b!.id, c!.id]);
      });

      it('counts an id repeated within one append once', async () => {
        const [a, b] = [ev('A'), ev('B')];
        const result = await store.appendToStream(stream('dup'), [a!, a!, b!, a!]);
        expect(result).toMatchObject({ appended: 2, nextExpectedRevision: 1 });
        expect((await store.readStream(stream('dup'))).map((e) => e.id)).toEqual([a!.id, b!.id]);
      });

      it('concurrent retries of the same append store it once', async () => {
        const batch = [ev('A'), ev('B'), ev('C')];
        const results = await Promise.all(Array.from({ length: 10 }, () => store.appendToStream(stream('race'), batch, { expectedRevision: 'no_stream' })));
        expect(results.map((r) => r.appended).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
        expect(await store.readStream(stream('race'))).toHaveLength(3);
      });
    });

    describe('batch append (appendBatch, or one append after the other)', () => {
      it('appends to several streams in the given order, skips stored ids, and reports a conflict in its own slot', async () => {
        await store.appendToStream(stream('exists'), [ev('Old', { n: 0 })]);
        const first = ev('A', { n: 1 });
        const outcomes = await appendBatch(store, [
          { streamId: stream('one'), events: [first], options: { expectedRevision: 'no_stream' } },
          { streamId: stream('exists'), events: [ev('Clash', { n: 2 })], options: { expectedRevision: 'no_stream' } },
          { streamId: stream('two'), events: [ev('B', { n: 3 }), ev('C', { n: 4 })] },
          { streamId: stream('one'), events: [ev('D', { n: 5 })], options: { expectedRevision: 0 } },
          // The first one again in the same batch (a redelivery inside one Kafka fetch): already stored, no conflict.
          { streamId: stream('one'), events: [first], options: { expectedRevision: 'no_stream' } },
        ]);
        expect(outcomes).toHaveLength(5);
        expect(outcomes[1]).toBeInstanceOf(WrongExpectedRevisionError);
        expect(outcomes.filter((o) => !(o instanceof Error)).map((o) => (o as { appended: number }).appended)).toEqual([1, 2, 1, 0]);
        expect((outcomes[3] as { nextExpectedRevision: number }).nextExpectedRevision).toBe(1);
        const all = await readAllOurs();
        expect(all.map((e) => e.type)).toEqual(['Old', 'A', 'B', 'C', 'D']);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);
        expect((await store.readStream(stream('exists'))).map((e) => e.type)).toEqual(['Old']);

        // The same batch again (a redelivery): every id is stored, nothing is appended, no conflict.
        const again = await appendBatch(store, [{ streamId: stream('one'), events: [first], options: { expectedRevision: 'no_stream' } }]);
        expect(again).toEqual([expect.objectContaining({ appended: 0 })]);
        expect(await readAllOurs()).toHaveLength(5);
        expect(await appendBatch(store, [])).toEqual([]);
      });
    });

    describe('reading', () => {
      it('readStream honours fromRevision and maxCount', async () => {
        const id = stream('page');
        await store.appendToStream(
          id,
          Array.from({ length: 10 }, (_, i) => ev('E', { i })),
        );
        expect((await store.readStream(id, { fromRevision: 3, maxCount: 4 })).map((e) => e.revision)).toEqual([3, 4, 5, 6]);
        expect((await store.readStream(id, { fromRevision: 8 })).map((e) => e.revision)).toEqual([8, 9]);
        expect((await store.readStream(id, { maxCount: 2 })).map((e) => e.revision)).toEqual([0, 1]);
        expect(await store.readStream(id, { fromRevision: 20 })).toEqual([]);
      });

      it('readAll pages through the global log with after and maxCount, exclusive of after', async () => {
        for (let i = 0; i < 7; i++) await store.appendToStream(stream(`s${i % 3}`), [ev('E', { i }), ev('F', { i })]);
        const all = await readAllOurs();
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
        const page = await store.readAll({ after: all[3]!.position, maxCount: 4 });
        expect(page.map((e) => e.id)).toEqual(all.slice(4, 8).map((e) => e.id));
        expect(await store.readAll({ after: all.at(-1)!.position })).toEqual([]);
        expect(await store.readAll({ after: all[0]!.position, maxCount: 0 })).toEqual([]);
      });

      if (capabilities.denseFreshLog) {
        it('numbers a fresh log 0, 1, 2, ... and reports -1 as the head of an empty log', async () => {
          expect(before).toBe(-1n);
          expect(await store.readAll()).toEqual([]);
          await store.appendToStream(stream('a'), [ev('A'), ev('B')]);
          await store.appendToStream(stream('b'), [ev('C')]);
          expect((await store.readAll()).map((e) => e.position)).toEqual([0n, 1n, 2n]);
          expect((await store.readAll({ after: -1n, maxCount: 1 })).map((e) => e.position)).toEqual([0n]);
          expect(await store.headPosition()).toBe(2n);
        });
      }
    });

    describe('concurrency', () => {
      it('keeps one gap-free global order under concurrent appends from many callers', async () => {
        const callers = 50;
        const appendsEach = 4;
        const appended: string[] = [];
        await Promise.all(
          Array.from({ length: callers }, async (_, c) => {
            for (let k = 0; k < appendsEach; k++) {
              const batch = Array.from({ length: 1 + ((c + k) % 3) }, () => ev('Load', { c, k }));
              await store.appendToStream(stream(`load-${c % 7}`), batch);
              appended.push(...batch.map((e) => e.id));
            }
          }),
        );
        const all = await readAllOurs();
        expect(all).toHaveLength(appended.length);
        expect(new Set(all.map((e) => e.id))).toEqual(new Set(appended));
        for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);
        if (capabilities.denseFreshLog) expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i)));
        // Each stream's revisions are contiguous and follow the global order.
        const byStream = new Map<string, number[]>();
        for (const e of all) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
        for (const revisions of byStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
        // A batch is contiguous in the global log: nothing interleaves with it.
        const batches = new Map<string, number[]>();
        all.forEach((e, i) => {
          const key = `${e.streamId}/${JSON.stringify(e.data)}`;
          batches.set(key, [...(batches.get(key) ?? []), i]);
        });
        for (const idx of batches.values()) expect(idx.at(-1)! - idx[0]!).toBe(idx.length - 1);
      });

      it('lets exactly one of many concurrent no_stream appends win; the others see its revision', async () => {
        const id = stream('contended');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.appendToStream(id, [ev('Claim', { i }), ev('Claim2', { i })], { expectedRevision: 'no_stream' })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const l of lost) expect(l.reason).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 1 });
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('serializes optimistic read-modify-write loops without losing an update', async () => {
        const id = stream('counter');
        const workers = 8;
        const incrementsEach = 5;
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let done = 0; done < incrementsEach; ) {
              const current = await store.readStream(id);
              try {
                await store.appendToStream(id, [ev('Incremented')], { expectedRevision: current.length === 0 ? 'no_stream' : current.length - 1 });
                done++;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
              }
            }
          }),
        );
        expect(await store.readStream(id)).toHaveLength(workers * incrementsEach);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then follows live appends in global order', async () => {
        await store.appendToStream(stream('a'), [ev('A', { i: 0 }), ev('A', { i: 1 })]);
        await store.appendToStream(stream('b'), [ev('B', { i: 2 })]);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeToAll((e) => void (e.streamId.startsWith(prefix) && seen.push(e)), { after: before });
        await sub.caughtUp;
        expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2]);
        await store.appendToStream(stream('a'), [ev('A', { i: 3 })]);
        await store.appendToStream(stream('c'), [ev('C', { i: 4 }), ev('C', { i: 5 })]);
        await waitFor(() => seen.length === 6);
        expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(seen.map((e) => e.id)).toEqual((await readAllOurs()).map((e) => e.id));
        await sub.stop();
      });

      it('resumes after a checkpoint without redelivering it', async () => {
        await store.appendToStream(
          stream('a'),
          Array.from({ length: 5 }, (_, i) => ev('A', { i })),
        );
        const all = await readAllOurs();
        const seen: number[] = [];
        const sub = store.subscribeToAll((e) => void (e.streamId.startsWith(prefix) && seen.push((e.data as { i: number }).i)), { after: all[2]!.position });
        await sub.caughtUp;
        expect(seen).toEqual([3, 4]);
        await store.appendToStream(stream('a'), [ev('A', { i: 5 })]);
        await waitFor(() => seen.length === 3);
        expect(seen).toEqual([3, 4, 5]);
        await sub.stop();
      });

      if (capabilities.denseFreshLog) {
        it('starts from the beginning of the log without a checkpoint', async () => {
          await store.appendToStream(stream('a'), [ev('A'), ev('B')]);
          const seen: bigint[] = [];
          const sub = store.subscribeToAll((e) => void seen.push(e.position));
          await sub.caughtUp;
          expect(seen).toEqual([0n, 1n]);
          await sub.stop();
        });
      }

      it('runs the handler one event at a time and waits for it', async () => {
        let running = 0;
        let maxRunning = 0;
        const seen: number[] = [];
        const sub = store.subscribeToAll(
          async (e) => {
            if (!e.streamId.startsWith(prefix)) return;
            running++;
            maxRunning = Math.max(maxRunning, running);
            await sleep(2);
            seen.push((e.data as { i: number }).i);
            running--;
          },
          { after: before },
        );
        await sub.caughtUp;
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(stream(`h${i}`), [ev('H', { i })])));
        await waitFor(() => seen.length === 10);
        expect(maxRunning).toBe(1);
        expect(seen.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        await sub.stop();
      });

      it('stop() waits for the running handler and delivers nothing afterwards', async () => {
        let inHandler = false;
        let delivered = 0;
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const sub = store.subscribeToAll(
          async (e) => {
            if (!e.streamId.startsWith(prefix)) return;
            inHandler = true;
            delivered++;
            await gate;
            inHandler = false;
          },
          { after: before },
        );
        await sub.caughtUp;
        await store.appendToStream(stream('s'), [ev('A'), ev('B')]);
        await waitFor(() => delivered === 1);
        const stopped = sub.stop();
        setTimeout(release, 20);
        await stopped;
        expect(inHandler).toBe(false);
        await store.appendToStream(stream('s'), [ev('C')]);
        await sleep(100);
        expect(delivered).toBe(1);
      });

      it('reports a handler failure through onError and stops', async () => {
        const errors: Error[] = [];
        let calls = 0;
        const sub = store.subscribeToAll(
          (e) => {
            if (!e.streamId.startsWith(prefix)) return;
            calls++;
            throw new Error('projection broke');
          },
          { after: before, onError: (error) => errors.push(error) },
        );
        await store.appendToStream(stream('s'), [ev('A'), ev('B')]);
        await waitFor(() => errors.length === 1);
        expect(errors[0]!.message).toContain('projection broke');
        expect(calls).toBe(1);
        await sub.stop();
      });
    });
  });
}

let counter = 0;
/** A new event with a fresh id; `data` defaults to a small unique object. */
export function ev(type: string, data: unknown = { seq: counter++ }): NewEvent {
  return newEvent(type, data, { actor: 'system:contract-test', occurredAt: '2026-01-02T03:04:05.678Z' });
}

function strip(e: RecordedEvent): NewEvent {
  return { id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata };
}

async function readAllPaged(store: EventStore, after: bigint): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let cursor = after; ; ) {
    const page = await store.readAll({ after: cursor, maxCount: 500 });
    out.push(...page);
    if (page.length < 500) return out;
    cursor = page.at(-1)!.position;
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
