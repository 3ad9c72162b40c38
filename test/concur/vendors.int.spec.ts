import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntacctReferenceData } from '../../src/adapters/intacct/reference.js';
import { startIntacctSimulator, type IntacctSimulator } from '../../src/adapters/intacct/simulator/index.js';
import { ConcurVendorClient, ConcurVendorError } from '../../src/adapters/concur/vendors.js';
import { ReferenceSync, SYNC_RUNS_STREAM, type ReferenceSyncCompleted } from '../../src/application/reference-sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { DEFAULT_CONCUR_ADDRESS_CODE, type VendorSynced } from '../../src/application/vendor-push.js';
import { dimensionCacheProjection } from '../../src/projections/dimension-cache.js';
import { clientFor } from '../intacct/harness.js';
import { startHarness, type Harness } from './harness.js';

describe('ConcurVendorClient against the Concur simulator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      fixtureDir: false,
      vendors: Array.from({ length: 5 }, (_, i) => ({ VendorCode: `V${i}`, AddressCode: 'MAIN', VendorName: `Vendor ${i}` })),
    });
  });
  afterEach(() => h.close());

  it('lists every vendor across pages and filters by vendor code', async () => {
    const client = new ConcurVendorClient(h.api, 2);
    expect((await client.listAll()).map((v) => v.VendorCode)).toEqual(['V0', 'V1', 'V2', 'V3', 'V4']);
    expect(await client.listAll('V3')).toEqual([{ VendorCode: 'V3', AddressCode: 'MAIN', VendorName: 'Vendor 3' }]);
  });

  it('maps each StatusList failure to an error for that record only', async () => {
    const client = new ConcurVendorClient(h.api);
    const results = await client.create([
      { VendorCode: 'V1', AddressCode: 'MAIN', VendorName: 'Again' },
      { VendorCode: 'NEW', AddressCode: 'MAIN', VendorName: 'New Co' },
    ]);
    expect(results[0]!.error).toBeInstanceOf(ConcurVendorError);
    expect(results[0]!.error!.message).toMatch(/did not create vendor V1 \(address MAIN\).*already exists/);
    expect(results[1]!.error).toBeNull();
    expect(h.sim.state.vendors.size).toBe(6);

    const updated = await client.update([
      { VendorCode: 'NEW', AddressCode: 'MAIN', VendorName: 'New Co Ltd' },
      { VendorCode: 'NOPE', AddressCode: 'MAIN', VendorName: 'x' },
    ]);
    expect(updated[0]!.error).toBeNull();
    expect(updated[1]!.error!.message).toMatch(/did not update vendor NOPE.*No vendor/);
    expect(await client.listAll('NEW')).toEqual([{ VendorCode: 'NEW', AddressCode: 'MAIN', VendorName: 'New Co Ltd' }]);
  });

  it('refuses a page larger than Concur allows', async () => {
    expect(() => new ConcurVendorClient(h.api, 1001)).toThrow(/1\.\.1000/);
    const response = await h.api.request('GET', '/api/v3.1/invoice/vendors', { query: { limit: 1001 } });
    expect(response.status).toBe(400);
  });
});

describe('ReferenceSync vendors: Intacct -> Concur', () => {
  let h: Harness;
  let intacct: IntacctSimulator;
  let db: Database.Database;
  let sync: ReferenceSync;

  beforeEach(async () => {
    // Concur already has AMEX under another name, and a vendor Intacct does not know.
    h = await startHarness({
      fixtureDir: false,
      vendors: [
        { VendorCode: 'AMEX', AddressCode: 'HQ', VendorName: 'AmEx Corporate' },
        { VendorCode: 'C-ONLY', AddressCode: 'MAIN', VendorName: 'Concur-only Ltd' },
      ],
    });
    intacct = await startIntacctSimulator();
    // An inactive Intacct vendor is never pushed.
    intacct.state.objects.get('VENDOR')!.set('OLD', { RECORDNO: '9', VENDORID: 'OLD', NAME: 'Old Supplier', STATUS: 'inactive' });
    db = new Database(':memory:');
    dimensionCacheProjection.setup({ db, table: (name) => name });
    sync = new ReferenceSync(h.store, () => db, new IntacctReferenceData(clientFor(intacct)), createLogger({ level: 'error' }), new ConcurVendorClient(h.api));
  });
  afterEach(async () => {
    db.close();
    await intacct.close();
    await h.close();
  });

  const concurVendors = () => [...h.sim.state.vendors.values()].sort((a, b) => a.VendorCode.localeCompare(b.VendorCode));

  it('creates missing active vendors, reports name conflicts, changes neither side, and records the run', async () => {
    const run = await sync.run(['vendors'], 'user:test');

    expect(concurVendors()).toEqual([
      { VendorCode: 'AMEX', AddressCode: 'HQ', VendorName: 'AmEx Corporate' },
      { VendorCode: 'C-ONLY', AddressCode: 'MAIN', VendorName: 'Concur-only Ltd' },
      { VendorCode: 'V100', AddressCode: DEFAULT_CONCUR_ADDRESS_CODE, VendorName: 'Hotel Co' },
    ]);
    expect(run.counts).toMatchObject({ VENDOR: 3, vendorsCreatedInConcur: 1, vendorConflicts: 1, vendorsOnlyInConcur: 1 });
    expect(run.conflicts).toHaveLength(1);
    expect(run.conflicts[0]).toMatch(/vendor AMEX: Intacct NAME is "American Express", Concur VendorName is "AmEx Corporate" \(address HQ\); left unchanged/);
    expect(run.errors).toEqual([]);
    // Intacct is the AP master: nothing was written there (no C-ONLY, AMEX keeps its name).
    const intacctVendors = intacct.state.objects.get('VENDOR')!;
    expect([...intacctVendors.keys()].sort()).toEqual(['AMEX', 'OLD', 'V100']);
    expect(intacctVendors.get('AMEX')!['NAME']).toBe('American Express');

    const recorded = await h.store.readStream(SYNC_RUNS_STREAM);
    expect(recorded.map((e) => e.type)).toEqual(['ReferenceSyncCompleted']);
    expect((recorded[0]!.data as ReferenceSyncCompleted).counts).toEqual(run.counts);
    const synced = await h.store.readStream('vendor-V100');
    expect(synced.map((e) => e.data as VendorSynced)).toEqual([
      { vendorCode: 'V100', addressCode: 'MAIN', vendorName: 'Hotel Co', direction: 'intacct-to-concur', action: 'created' },
    ]);
    expect(await h.store.readStream('vendor-AMEX')).toEqual([]);
  });

  it('creates nothing more on a second run and still reports the conflict', async () => {
    await sync.run(['vendors'], 'user:test');
    const writes = h.sim.state.vendorWrites.length;
    const second = await sync.run(['vendors'], 'user:test');
    expect(h.sim.state.vendorWrites.length).toBe(writes);
    expect(second.counts).toMatchObject({ vendorsCreatedInConcur: 0, vendorConflicts: 1, vendorsOnlyInConcur: 1 });
    expect(second.changes.filter((c) => c.includes('Concur'))).toEqual([]);
    expect(concurVendors()).toHaveLength(3);
    expect((await h.store.readStream(SYNC_RUNS_STREAM)).map((e) => e.type)).toEqual(['ReferenceSyncCompleted', 'ReferenceSyncCompleted']);
  });

  it('reports a Concur outage as a run error without stopping the cache refresh', async () => {
    h.sim.faults.apiFailures = { count: 1, status: 503 };
    const run = await sync.run(['vendors'], 'user:test');
    expect(run.errors.join('\n')).toMatch(/vendors: Concur answered HTTP 503/);
    expect(run.counts.VENDOR).toBe(3);
    expect(run.changes.some((c) => c.startsWith('VENDOR:'))).toBe(true);
    expect(h.sim.state.vendorWrites).toEqual([]);
  });

  it('without a Concur vendor client, vendors only refresh the cache', async () => {
    const cacheOnly = new ReferenceSync(h.store, () => db, new IntacctReferenceData(clientFor(intacct)), createLogger({ level: 'error' }));
    const run = await cacheOnly.run(['vendors'], 'user:test');
    expect(run.counts.vendorsCreatedInConcur).toBeUndefined();
    expect(h.sim.state.vendorWrites).toEqual([]);
  });
});
