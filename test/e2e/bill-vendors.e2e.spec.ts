import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInvoiceDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import type { PostedRecord } from '../../src/adapters/intacct/simulator/company.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startE2e, type E2e } from './harness.js';

/**
 * Vendors for AP bills end to end (real HTTP, the Concur and Intacct simulators): an invoice posted
 * as an APBILL whose Concur vendor code is no Intacct vendor starts the bill-vendor push. No match
 * by id, tax id or name: the VENDOR is created once and the bill posts by itself. A tax-id or name
 * match: a conflict is reported, nothing is created or changed, the document waits with its gap
 * until `vendors.<code>` names the existing vendor.
 */
interface SyncRun {
  kinds: string[];
  counts: Record<string, number>;
  errors: string[];
  report: Array<{ step: string; direction: string; counts: Record<string, number> }>;
}

describe('bill vendors end to end (real HTTP, simulators)', () => {
  let e: E2e;
  const row = (id: string) => e.running.service.queries.get(id);
  const vendors = () => e.systems.intacct.state.objects.get('VENDOR')!;
  const bills = (key: string): PostedRecord[] => e.systems.intacct.state.records.filter((r) => r.controlId === key && r.object === 'APBILL');
  const publish = async (doc: SimFisItem, until: string): Promise<void> => {
    await e.systems.concur.publishDocument(doc);
    await e.settle(async () => row(doc.id)?.status === until, `document ${doc.id} to be ${until}`, 20_000);
  };
  /** Polled from the service (GraphQL polling would meet its rate limit); read once over GraphQL below. */
  const runsWith = async (predicate: (errors: string[]) => boolean) => (await e.running.referenceSync.runs()).filter((r) => predicate(r.errors));

  beforeAll(async () => {
    e = await startE2e();
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    await e.running.service.importMappings(demoMappingsJson(), 'bill vendor tests', 'system:test');
    const sync = await e.running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
    expect(sync.errors).toEqual([]);
    await e.running.service.importMappings(JSON.stringify({ targets: { invoice: 'APBILL' } }), 'invoices as AP bills', 'system:test');
  }, 60_000);

  afterAll(async () => {
    await e?.close();
  });

  it('an unknown vendor is created in Intacct once (name, print-as, tax id) and the bill posts by itself', async () => {
    expect(vendors().has('V777')).toBe(false);
    const doc = generateInvoiceDocument({ vendorCode: 'V777', vendorName: 'Bright Paper GmbH', vendorTaxId: 'DE-123456789', accountCodes: ['478000'] });
    await publish(doc, 'CONFIRMED');

    const created = vendors().get('V777')!;
    expect(created).toMatchObject({ VENDORID: 'V777', NAME: 'Bright Paper GmbH', 'DISPLAYCONTACT.PRINTAS': 'Bright Paper GmbH', TAXID: 'DE-123456789' });
    const posting = row(doc.id)!;
    const [bill] = bills(posting.postingKey!);
    expect(bill!.header['VENDORID']).toBe('V777');
    const timeline = (await e.running.store.readStream(posting.id)).map((x) => x.type);
    expect(timeline).toContain('MappingGapFound');

    const synced = await e.running.store.readStream('bill-vendor-V777');
    expect(synced.map((x) => x.type)).toEqual(['BillVendorCreated']);
    expect(synced[0]!.data).toMatchObject({ concurVendorCode: 'V777', intacctVendorId: 'V777', name: 'Bright Paper GmbH', action: 'created' });

    // Visible where employee pushes are: GraphQL syncRuns, with the step and its counts.
    const runs = await e.graphql<{ syncRuns: SyncRun[] }>(`{ syncRuns { kinds counts errors report } }`);
    expect(runs.errors).toBeUndefined();
    const run = runs.data!.syncRuns.find((r) => r.kinds.includes('bill-vendors') && r.counts['billVendorsCreated'] === 1)!;
    expect(run).toBeDefined();
    expect(run.report.find((s) => s.step === 'bill-vendors')).toMatchObject({ direction: 'concur-to-intacct', counts: { read: 1, created: 1, conflicts: 0 } });

    // A second bill of the same vendor posts without another create.
    const again = generateInvoiceDocument({ vendorCode: 'V777', vendorName: 'Bright Paper GmbH', accountCodes: ['478000'], lineCents: [1234] });
    await publish(again, 'CONFIRMED');
    expect((await e.running.store.readStream('bill-vendor-V777')).length).toBe(1);
    expect(bills(row(again.id)!.postingKey!)[0]!.header['VENDORID']).toBe('V777');
  });

  it('a vendor named like an existing Intacct vendor under another id: conflict reported, nothing created or changed, it waits; vendors.<code> posts it', async () => {
    const before = JSON.stringify([...vendors().entries()]);
    const doc = generateInvoiceDocument({ vendorCode: 'NW-9', vendorName: 'northwind consulting', accountCodes: ['478000'], lineCents: [5000] });
    await publish(doc, 'AWAITING_MAPPING');
    await e.settle(async () => (await runsWith((errors) => errors.some((x) => x.includes('NW-9')))).length > 0, 'the conflict to be reported');
    const [run] = await runsWith((errors) => errors.some((x) => x.includes('NW-9')));
    expect(run!.errors).toContain(
      "Concur vendor NW-9 'northwind consulting' matches Intacct vendor V200 by name; map it in vendors (vendors.NW-9 = V200) or rename one side; nothing was created or changed",
    );
    expect(run!.kinds).toContain('bill-vendors');
    expect(run!.counts['billVendorConflicts']).toBe(1);
    await e.running.service.caughtUp();
    expect(JSON.stringify([...vendors().entries()])).toBe(before);
    expect(await e.running.store.readStream('bill-vendor-NW-9')).toEqual([]);
    const waiting = row(doc.id)!;
    expect(waiting.status).toBe('AWAITING_MAPPING');
    expect(waiting.gaps.map((g) => [g.kind, g.code, g.field])).toContainEqual(['vendor', 'NW-9', 'invoice.vendorCode']);

    const set = await e.graphql(`mutation($v: JSON!) { setMapping(section: "vendors", key: "NW-9", value: $v, reason: "same vendor as V200") { revision } }`, {
      v: 'V200',
    });
    expect(set.errors).toBeUndefined();
    await e.settle(async () => row(doc.id)?.status === 'CONFIRMED', 'the document to post once vendors.NW-9 is set', 20_000);
    expect(bills(row(doc.id)!.postingKey!)[0]!.header['VENDORID']).toBe('V200');
    expect(JSON.stringify([...vendors().entries()])).toBe(before);
  });

  it('a vendor whose tax id belongs to an Intacct vendor is a conflict too, even under another name', async () => {
    vendors().get('V100')!['TAXID'] = '98-7654321';
    const doc = generateInvoiceDocument({
      vendorCode: 'HC-2',
      vendorName: 'Hotel Company Ltd',
      vendorTaxId: '987654321',
      accountCodes: ['478000'],
      lineCents: [700],
    });
    await publish(doc, 'AWAITING_MAPPING');
    await e.settle(async () => (await runsWith((errors) => errors.some((x) => x.includes('HC-2')))).length > 0, 'the tax-id conflict to be reported');
    const [run] = await runsWith((errors) => errors.some((x) => x.includes('HC-2')));
    expect(run!.errors.find((x) => x.includes('HC-2'))).toMatch(
      /^Concur vendor HC-2 'Hotel Company Ltd' matches Intacct vendor V100 by tax id 987654321; map it in vendors \(vendors\.HC-2 = V100\)/,
    );
    expect(vendors().has('HC-2')).toBe(false);
    // A conflict does not make the push run again and again: only a mapping or reference change re-evaluates the document.
    await new Promise((r) => setTimeout(r, 300));
    const count = (await e.running.referenceSync.runs(1000)).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.running.referenceSync.runs(1000)).length).toBe(count);
  });
});
