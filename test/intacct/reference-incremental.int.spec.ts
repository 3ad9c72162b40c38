import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import type { GatewayExecutor } from '../../src/adapters/intacct/posting-worker.js';
import { IntacctReferenceData } from '../../src/adapters/intacct/reference.js';
import { deactivateRow, deleteRow, modifyRow, startIntacctSimulator, type IntacctSimulator } from '../../src/adapters/intacct/simulator/index.js';
import { parseQuery } from '../../src/adapters/intacct/simulator/functions.js';
import { formatIntacctTimestamp, parseIntacctTimestamp } from '../../src/adapters/intacct/timestamp.js';
import { ReferenceSync, SYNC_RUNS_STREAM, type ReferenceSyncCompleted } from '../../src/application/reference-sync.js';
import { referenceStreamId } from '../../src/domain/reference/events.js';
import { createLogger } from '../../src/observability/logger.js';
import { dimensionCacheProjection, listReferenceRecords } from '../../src/projections/dimension-cache.js';
import { clientFor } from './harness.js';

/** The gateway, counting the functions sent and the ids of the rows Intacct returned. */
function counting(inner: GatewayExecutor): GatewayExecutor & { functions: number; queries: string[]; served: string[]; reset(): void } {
  const c = {
    functions: 0,
    queries: [] as string[],
    served: [] as string[],
    reset() {
      c.functions = 0;
      c.queries = [];
      c.served = [];
    },
    async execute(...args: Parameters<GatewayExecutor['execute']>) {
      const [functions] = args;
      c.functions += functions.length;
      for (const f of functions) {
        const m = /<query>([^<]*)<\/query>/.exec(JSON.stringify(f.body));
        if (m) c.queries.push(m[1]!.replace(/&gt;/g, '>').replace(/&apos;/g, "'"));
      }
      const results = await inner.execute(...args);
      for (const r of results)
        for (const row of r.data?.rows ?? []) {
          const id = row.fields['VENDORID'] ?? row.fields['ACCOUNTNO'];
          if (typeof id === 'string') c.served.push(id);
        }
      return results;
    },
  };
  return c;
}

describe('parseQuery: WHENMODIFIED comparisons', () => {
  it('compares as times, joined with AND', () => {
    const test = parseQuery("WHENMODIFIED >= '01/02/2026 10:00:00' AND STATUS = 'active'")!;
    expect(test({ WHENMODIFIED: '01/02/2026 10:00:00', STATUS: 'active' })).toBe(true);
    expect(test({ WHENMODIFIED: '12/31/2025 23:59:59', STATUS: 'active' })).toBe(false);
    expect(test({ WHENMODIFIED: '02/01/2026 00:00:00', STATUS: 'inactive' })).toBe(false);
    expect(parseQuery("WHENMODIFIED > '01/02/2026 10:00:00'")!({ WHENMODIFIED: '01/02/2026 10:00:00' })).toBe(false);
    expect(parseQuery("WHENMODIFIED > 'yesterday'")).toBeNull();
    expect(formatIntacctTimestamp(parseIntacctTimestamp('03/04/2026 05:06:07')!)).toBe('03/04/2026 05:06:07');
  });
});

describe('ReferenceSync: incremental reads with a periodic full reconcile', () => {
  let intacct: IntacctSimulator;
  let db: Database.Database;
  let store: MemoryEventStore;
  let gateway: ReturnType<typeof counting>;
  let now: Date;
  let applied = -1;

  /** The dimension cache, up to date with the store (what the projection runner does in the service). */
  const project = async (): Promise<void> => {
    for (const e of await store.readAll(applied < 0 ? {} : { after: BigInt(applied) })) {
      dimensionCacheProjection.apply(e, { db, table: (name: string) => name } as never);
      applied = Number(e.position);
    }
  };
  const sync = (options: { full?: boolean } = {}, fullSyncDays = 7): Promise<ReferenceSyncCompleted> =>
    new ReferenceSync(store, () => db, new IntacctReferenceData(gateway), createLogger({ level: 'error' }), undefined, { fullSyncDays, now: () => now })
      .run(['VENDOR', 'GLACCOUNT'], 'user:test', undefined, options)
      .then(async (run) => (await project(), run));
  const cached = (kind: 'VENDOR' | 'GLACCOUNT', id: string) => listReferenceRecords(db, kind).find((r) => r.id === id);

  beforeEach(async () => {
    intacct = await startIntacctSimulator();
    store = new MemoryEventStore();
    applied = -1;
    db = new Database(':memory:');
    dimensionCacheProjection.setup({ db, table: (name: string) => name } as never);
    gateway = counting(clientFor(intacct));
    now = new Date('2026-06-01T08:00:00Z');
  });
  afterEach(async () => {
    db.close();
    await intacct.close();
  });

  it('after a full read, reads only what changed: a renamed vendor and a deactivated account', async () => {
    const first = await sync();
    expect(first.mode).toBe('full');
    expect(first.report!.map((s) => [s.step, s.mode, s.counts.read])).toEqual([
      ['VENDOR', 'full', 2],
      ['GLACCOUNT', 'full', 12],
    ]);
    expect(cached('GLACCOUNT', '6100')).toEqual({ id: '6100', name: 'Meals', status: 'active' });

    // A day later, in Intacct: one vendor renamed, one account deactivated.
    const changedAt = new Date('2026-06-02T07:00:00Z');
    modifyRow(intacct.state, 'VENDOR', 'V100', { NAME: 'Hotel Company' }, changedAt);
    deactivateRow(intacct.state, 'GLACCOUNT', '6100', changedAt);
    now = new Date('2026-06-02T08:00:00Z');
    gateway.reset();

    const second = await sync();
    expect(second.mode).toBe('incremental');
    // Each kind asks from its own high-water mark (the newest row of the full read) minus a minute.
    expect(gateway.queries).toEqual(["WHENMODIFIED >= '01/01/2020 04:59:00'", "WHENMODIFIED >= '01/01/2020 01:49:00'"]);
    // Served: the changed rows, and the newest row of each kind again (the safety margin overlaps it).
    expect(gateway.served.sort()).toEqual(['6100', '9999', 'AMEX', 'V100']);
    expect(gateway.functions).toBe(2);
    expect(second.report!.map((s) => [s.step, s.mode, s.counts])).toEqual([
      ['VENDOR', 'incremental', { read: 2, created: 0, updated: 1, removed: 0, conflicts: 0 }],
      ['GLACCOUNT', 'incremental', { read: 2, created: 0, updated: 1, removed: 0, conflicts: 0 }],
    ]);
    expect(second.counts).toMatchObject({ VENDOR: 2, GLACCOUNT: 12 });
    expect(second.report!.map((s) => s.highWaterMark)).toEqual([changedAt.toISOString(), changedAt.toISOString()]);
    expect(cached('VENDOR', 'V100')).toEqual({ id: 'V100', name: 'Hotel Company', status: 'active' });
    expect(cached('GLACCOUNT', '6100')).toEqual({ id: '6100', name: 'Meals', status: 'inactive' });
    // Recorded as deltas (upserts), one per kind, holding only the changed record.
    const deltas = (await store.readStream(referenceStreamId('GLACCOUNT'))).slice(1).map((e) => e.data);
    expect(deltas).toEqual([{ kind: 'GLACCOUNT', complete: false, records: [{ id: '6100', name: 'Meals', status: 'inactive' }] }]);

    // Nothing changed since: only the rows at the mark come back, nothing is recorded.
    gateway.reset();
    const third = await sync();
    expect(gateway.served.sort()).toEqual(['6100', 'V100']);
    expect(third.changes).toEqual([]);
    expect((await store.readStream(SYNC_RUNS_STREAM)).map((e) => (e.data as ReferenceSyncCompleted).mode)).toEqual(['full', 'incremental', 'incremental']);
  });

  it('a deleted record is detected only by the full reconcile (asked for, or when the last full read is too old)', async () => {
    // A third vendor, so that deleting two leaves one (an empty list is refused as a likely permission problem).
    intacct.state.objects
      .get('VENDOR')!
      .set('V300', { RECORDNO: '3', VENDORID: 'V300', NAME: 'Cab Co', STATUS: 'active', WHENMODIFIED: '05/01/2026 00:00:00' });
    await sync();
    deleteRow(intacct.state, 'VENDOR', 'V100');
    deleteRow(intacct.state, 'GLACCOUNT', '6200');
    now = new Date('2026-06-03T08:00:00Z');

    const incremental = await sync();
    expect(incremental.mode).toBe('incremental');
    expect(incremental.report!.every((s) => s.counts.removed === 0)).toBe(true);
    expect(cached('VENDOR', 'V100')).toBeDefined();

    const asked = await sync({ full: true });
    expect(asked.mode).toBe('full');
    expect(asked.report!.map((s) => [s.step, s.mode, s.counts.removed])).toEqual([
      ['VENDOR', 'full', 1],
      ['GLACCOUNT', 'full', 1],
    ]);
    expect(cached('VENDOR', 'V100')).toBeUndefined();
    expect(cached('GLACCOUNT', '6200')).toBeUndefined();

    // Periodic: 7 days after the last full read, the next run reads whole again by itself.
    deleteRow(intacct.state, 'VENDOR', 'AMEX');
    now = new Date('2026-06-09T08:00:00Z');
    expect((await sync()).mode).toBe('incremental');
    expect(cached('VENDOR', 'AMEX')).toBeDefined();
    now = new Date('2026-06-10T08:00:01Z');
    const periodic = await sync();
    expect(periodic.report!.map((s) => s.mode)).toEqual(['full', 'full']);
    expect(cached('VENDOR', 'AMEX')).toBeUndefined();
  });

  it('a vendor created in Intacct after the last read comes in with the next incremental read', async () => {
    await sync();
    await new IntacctReferenceData(clientFor(intacct)).createVendor({ vendorId: 'V-NEW', name: 'New Supplier' });
    const run = await sync();
    expect(run.report![0]).toMatchObject({ step: 'VENDOR', mode: 'incremental', counts: { created: 1 } });
    expect(cached('VENDOR', 'V-NEW')).toEqual({ id: 'V-NEW', name: 'New Supplier', status: 'active' });
  });
});
