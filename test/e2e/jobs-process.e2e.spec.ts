import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument, generateInvoiceDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson } from '../../src/app/sandbox/index.js';
import { startServiceProcess, type CliRun, type ServiceProcess } from './service-process.js';

/**
 * Operator jobs (`sync`, `backfill`) through the CLI against the service started as a real
 * deployment starts it (environment variables, not sandbox), with the Concur and Intacct simulators
 * standing in for the real systems. Every CLI run has a deadline: a job that does not finish fails
 * the test instead of hanging it.
 */
let s: ServiceProcess;

/** The CLI's table of a sync: step -> {direction, read, created, updated, removed, conflicts}. */
function syncTable(run: CliRun): Record<string, { direction: string; read: number; created: number; updated: number; removed: number; conflicts: number }> {
  const rows: ReturnType<typeof syncTable> = {};
  for (const m of run.stdout.matchAll(/^ {2}(\S+)\s+(Intacct -> cache|Concur -> Intacct|Intacct -> Concur)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/gm)) {
    rows[m[1]!] = { direction: m[2]!, read: Number(m[3]), created: Number(m[4]), updated: Number(m[5]), removed: Number(m[6]), conflicts: Number(m[7]) };
  }
  return rows;
}

const finished = (run: CliRun): CliRun => {
  if (run.timedOut)
    throw new Error(`the CLI did not finish in time.\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nservice:\n${s.output.join('').slice(-3000)}`);
  return run;
};

/** Progress lines of a job on stderr (non-TTY: one every 2 s and the final one) as [done, total]. */
const progressCounts = (run: CliRun, unit: string): Array<[number, number]> =>
  [...run.stderr.matchAll(new RegExp(`: (\\d+)/(\\d+) ${unit} \\(`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);

const intacctCount = (object: string): number => [...(s.systems.intacct.state.objects.get(object)?.values() ?? [])].length;

beforeAll(async () => {
  // Every run reads every kind whole (no incremental reads): the counts below are those of full reads,
  // and the rows are changed in the simulator without WHENMODIFIED (test/intacct/reference-incremental
  // covers incremental reads).
  s = await startServiceProcess({ ML_REFERENCE_FULL_SYNC_DAYS: '0' });
  expect(
    (await s.gql(`mutation($json: String!) { importMappings(json: $json, reason: "go-live mappings") { revision } }`, { json: demoMappingsJson() })).errors,
  ).toBeUndefined();
  // The service syncs by itself 5 s after start; let that run end so the runs below see only their own changes.
  await s.waitFor('the start-up reference sync', async () => ((await s.gql<{ syncRuns: unknown[] }>(`{ syncRuns { id } }`)).data?.syncRuns.length ?? 0) > 0);
}, 90_000);

afterAll(async () => {
  await s?.close();
});

describe('sync against the service configured as for real systems', () => {
  it('sync (all kinds) finishes, with moving progress and what it read and changed per kind', async () => {
    // Slow enough that the job is seen between steps, as against a real Intacct.
    s.systems.intacct.faults.latencyMs = 400;
    const run = finished(await s.cli(['sync']));
    s.systems.intacct.faults.latencyMs = 0;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Sync of employees, vendors, dimensions: succeeded$/m);

    const table = syncTable(run);
    for (const kind of ['EMPLOYEE', 'VENDOR', 'GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS']) {
      expect(table[kind], `${kind} row in\n${run.stdout}`).toMatchObject({ direction: 'Intacct -> cache', read: intacctCount(kind), conflicts: 0 });
    }
    expect(table['employees']).toMatchObject({ direction: 'Concur -> Intacct' });
    // Every active Intacct vendor exists in Concur afterwards (created by this run or the one at start-up).
    expect(table['vendors']).toMatchObject({ direction: 'Intacct -> Concur', conflicts: 0 });
    const concurVendors = [...s.systems.concur.state.vendors.values()].map((v) => v.VendorCode).sort();
    expect(concurVendors).toEqual(['AMEX', 'V100', 'V200']);

    // Progress moved: the total was known from the start, the count went up, and it ended complete.
    const counts = progressCounts(run, 'steps');
    expect(counts.length, run.stderr).toBeGreaterThanOrEqual(2);
    expect(new Set(counts.map(([, total]) => total))).toEqual(new Set([10]));
    expect(counts.at(-1)).toEqual([10, 10]);
    expect(
      counts.some(([done]) => done > 0 && done < 10),
      run.stderr,
    ).toBe(true);
    expect(run.stderr).toMatch(/ - [A-Z]+: \d+\/\d+ read from Intacct|steps \(\d+%\)/);

    // The run is recorded with the same counts.
    const runs = await s.gql<{ syncRuns: Array<{ kinds: string[]; report: Array<{ step: string; counts: Record<string, number> }> }> }>(
      `{ syncRuns { kinds report } }`,
    );
    const last = runs.data!.syncRuns[0]!;
    expect(last.report.map((r) => r.step)).toEqual([
      'EMPLOYEE',
      'VENDOR',
      'GLACCOUNT',
      'DEPARTMENT',
      'LOCATION',
      'PROJECT',
      'CUSTOMER',
      'CLASS',
      'employees',
      'vendors',
    ]);
    expect(last.report.find((r) => r.step === 'GLACCOUNT')!.counts).toMatchObject({ read: intacctCount('GLACCOUNT') });
  }, 90_000);

  it('each kind finishes alone and reports exactly what changed', async () => {
    // Intacct changes between runs: one new department, one renamed, one new vendor.
    const departments = s.systems.intacct.state.objects.get('DEPARTMENT')!;
    departments.set('D400', { RECORDNO: '94001', DEPARTMENTID: 'D400', TITLE: 'Support', STATUS: 'active' });
    departments.set('D200', { ...departments.get('D200')!, TITLE: 'Engineering and Research' });
    s.systems.intacct.state.objects.get('VENDOR')!.set('V300', { RECORDNO: '94002', VENDORID: 'V300', NAME: 'Fjord Catering', STATUS: 'active' });

    const dimensions = finished(await s.cli(['sync', 'dimensions']));
    expect(dimensions.code, dimensions.stderr).toBe(0);
    const dims = syncTable(dimensions);
    expect(Object.keys(dims)).toEqual(['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS']);
    expect(dims['DEPARTMENT']).toEqual({ direction: 'Intacct -> cache', read: intacctCount('DEPARTMENT'), created: 1, updated: 1, removed: 0, conflicts: 0 });
    expect(dims['GLACCOUNT']).toMatchObject({ created: 0, updated: 0, removed: 0 });
    expect(dimensions.stdout).toMatch(/^ {2}DEPARTMENT: 1 added, 1 changed, 0 removed/m);
    expect(progressCounts(dimensions, 'steps').at(-1)).toEqual([6, 6]);

    const vendors = finished(await s.cli(['sync', 'vendors']));
    expect(vendors.code, vendors.stderr).toBe(0);
    const v = syncTable(vendors);
    expect(v['VENDOR']).toMatchObject({ read: 4, created: 1, updated: 0 });
    expect(v['vendors']).toMatchObject({ direction: 'Intacct -> Concur', read: 3, created: 1, conflicts: 0 });
    expect(vendors.stdout).toContain('VENDOR created in Concur: V300');
    expect(progressCounts(vendors, 'steps').at(-1)).toEqual([2, 2]);

    // An employee on a Concur document whose name differs in Intacct: reported, never overwritten.
    s.systems.concur.ess.endpoint = `${s.url}/webhooks/concur`;
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [1999] });
    expect((await s.systems.concur.publishDocument(doc)).status).toBe(200);
    await s.waitFor('the document to be recorded', async () => {
      const r = await s.gql<{ posting: { employeeId: string | null } | null }>(`query($id: ID!) { posting(id: $id) { employeeId } }`, { id: doc.id });
      return r.data?.posting?.employeeId === 'E1021';
    });
    const employees = finished(await s.cli(['sync', 'employees']));
    expect(employees.code, employees.stderr).toBe(0);
    const e = syncTable(employees);
    expect(e['EMPLOYEE']).toMatchObject({ read: intacctCount('EMPLOYEE'), created: 0, updated: 0 });
    expect(e['employees']).toMatchObject({ direction: 'Concur -> Intacct', read: 1, created: 0, updated: 0, conflicts: 1 });
    expect(employees.stdout).toMatch(/conflict: employee E1021: Concur says "Simulated, Sam", Intacct says "Lopez, Ana"/);
    expect(progressCounts(employees, 'steps').at(-1)).toEqual([2, 2]);
  }, 120_000);

  it('syncs asked for at the same time run one after the other: nothing is created twice', async () => {
    s.systems.intacct.state.objects.get('VENDOR')!.set('V400', { RECORDNO: '94003', VENDORID: 'V400', NAME: 'Harbour Taxis', STATUS: 'active' });
    s.systems.intacct.faults.latencyMs = 4_000;
    // The second is asked for while the first runs: the first is slow (4 s per Intacct request) and the
    // second CLI starts only once the first's job runs (two CLI processes start at different speeds on
    // a loaded machine, and a second that arrives after the first finished proves nothing).
    const running = async (): Promise<number> =>
      ((await s.gql<{ jobs: Array<{ kind: string; state: string }> }>('{ jobs { kind state } }')).data?.jobs ?? []).filter(
        (j) => j.kind === 'sync' && j.state === 'running',
      ).length;
    const first = s.cli(['sync', 'vendors']);
    await s.waitFor('the first sync to run', async () => (await running()) > 0, 60_000);
    const [a, b] = await Promise.all([first, s.cli(['sync', 'vendors'])]);
    s.systems.intacct.faults.latencyMs = 0;
    for (const run of [finished(a), finished(b)]) expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const created = [syncTable(a)['vendors']!.created, syncTable(b)['vendors']!.created].sort();
    expect(created).toEqual([0, 1]);
    expect([...s.systems.concur.state.vendors.values()].filter((v) => v.VendorCode === 'V400')).toHaveLength(1);
    expect(s.systems.concur.state.vendorWrites.flatMap((w) => w.vendors).filter((v) => v.VendorCode === 'V400')).toHaveLength(1);
    expect(`${a.stderr}${b.stderr}`).toContain('waiting for the sync run already in progress');
  }, 90_000);

  it('sync --full asks for full reads, recorded as such', async () => {
    const run = finished(await s.cli(['sync', 'dimensions', '--full']));
    expect(run.code, run.stderr).toBe(0);
    const runs = await s.gql<{ syncRuns: Array<{ report: Array<{ step: string; mode?: string }> }> }>(`{ syncRuns { report } }`);
    expect(runs.data!.syncRuns[0]!.report.map((r) => r.mode)).toEqual(['full', 'full', 'full', 'full', 'full', 'full']);
  }, 60_000);
});

/** One would-post entry of a dry run: its GLBATCH header and lines as the CLI printed them. */
interface PreviewEntry {
  postingKey: string;
  title: string;
  journal: string;
  batchDate: string;
  lines: Array<{ side: 'debit' | 'credit'; account: string; amount: string; currency: string; dimensions: Record<string, string> }>;
}

function previews(stdout: string): Map<string, PreviewEntry> {
  const out = new Map<string, PreviewEntry>();
  let current: PreviewEntry | null = null;
  for (const line of stdout.split('\n')) {
    const header = /^ {6}GLBATCH (\S+) "(.*)" journal (\S+) on (\S+), \S+ [A-Z]{3}:$/.exec(line);
    if (header) {
      current = { postingKey: header[1]!, title: header[2]!, journal: header[3]!, batchDate: header[4]!, lines: [] };
      out.set(current.postingKey, current);
      continue;
    }
    const l = /^ {8}(debit|credit) +(\S+) (\S+) ([A-Z]{3})((?: [A-Z]+=\S+)*)(?: ".*")?$/.exec(line);
    if (l && current) {
      const dimensions = Object.fromEntries(
        l[5]!
          .trim()
          .split(' ')
          .filter(Boolean)
          .map((kv) => kv.split('=') as [string, string]),
      );
      current.lines.push({ side: l[1] as 'debit' | 'credit', account: l[2]!, amount: l[3]!, currency: l[4]!, dimensions });
    } else if (!/^ {8}/.test(line)) current = null;
  }
  return out;
}

/** The per-type table of a backfill: type -> column -> count. */
function typeTable(stdout: string): Record<string, Record<string, number>> {
  const lines = stdout.split('\n');
  const headerAt = lines.findIndex((l) => /^ {2}type\s+found/.test(l));
  if (headerAt < 0) return {};
  const header = lines[headerAt]!.trim().split(/\s+/);
  const out: Record<string, Record<string, number>> = {};
  for (const row of lines.slice(headerAt + 1)) {
    const cells = row.trim().split(/\s+/);
    if (!['expense', 'invoice', 'paymentrequest', 'cashadvance'].includes(cells[0]!)) break;
    out[cells[0]!] = Object.fromEntries(header.slice(1).map((h, i) => [h, Number(cells[i + 1])]));
  }
  return out;
}

const DIMENSIONS = ['DEPARTMENT', 'LOCATION', 'PROJECTID', 'CUSTOMERID', 'CLASSID', 'ITEMID', 'VENDORID', 'EMPLOYEEID'];

describe('backfill of every document type, against the service configured as for real systems', () => {
  // The month before last: the sandbox company closes last month's period, so this one is open.
  const monthAt = (back: number): string => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  };
  const month = monthAt(2);
  const FROM = `${month}-01`;
  const TO = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
  const inRange = (day: string): string => `${month}-${day}T10:00:00.000Z`;
  const cashAdvance = (id: string, issuedDate: string, amount: number): SimFisItem => ({
    id,
    docType: 'cashadvance',
    companyId: '821599',
    entityId: null,
    companyUuid: null,
    erpSystemId: null,
    docStatus: 'READY',
    document: {
      employeeData: { employeeId: 'E1021', employeeFirstName: 'Ana', employeeLastName: 'Lopez' },
      cashAdvanceData: { cashAdvanceId: `CA-${id.slice(0, 6)}`, cashAdvanceName: 'Trip to Lisbon', cashAdvanceAmount: amount, currencyCode: 'USD', issuedDate },
      journalData: {},
    },
  });
  const docs = {
    expense: generateExpenseDocument({
      submitDate: inRange('15'),
      reportName: 'Backfill Oslo',
      employeeId: 'E1021',
      accountCodes: ['476000', '474100'],
      entryCents: [1250, 4999],
    }),
    // Concur code 479100 is deliberately unmapped in the demo mapping set.
    expenseGap: generateExpenseDocument({
      submitDate: inRange('16'),
      reportName: 'Backfill conference',
      employeeId: 'E1021',
      accountCodes: ['479100'],
      entryCents: [30000],
    }),
    expenseRejected: generateExpenseDocument({
      submitDate: inRange('17'),
      reportName: 'Backfill wrong total',
      employeeId: 'E1021',
      accountCodes: ['476000'],
      entryCents: [1000],
    }),
    expenseBefore: generateExpenseDocument({
      submitDate: `${monthAt(3)}-10T10:00:00.000Z`,
      reportName: 'Backfill month before',
      employeeId: 'E1021',
      accountCodes: ['476000'],
      entryCents: [500],
    }),
    invoice: generateInvoiceDocument({ invoiceDate: inRange('12'), vendorCode: 'V100', accountCodes: ['478000'], lineCents: [10000, 2550] }),
    invoiceKnown: generateInvoiceDocument({ invoiceDate: inRange('13'), vendorCode: 'V100', accountCodes: ['478000'], lineCents: [7000] }),
    invoiceBefore: generateInvoiceDocument({ invoiceDate: `${monthAt(3)}-28T00:00:00.000Z`, vendorCode: 'V100', accountCodes: ['478000'], lineCents: [900] }),
    paymentRequest: {
      ...generateInvoiceDocument({ invoiceDate: inRange('20'), vendorCode: 'V200', accountCodes: ['478000'], lineCents: [45000] }),
      docType: 'paymentrequest' as const,
    },
    cashAdvance: cashAdvance('ca0000000000000000000000000000b1', inRange('05'), 400),
    cashAdvanceAfter: cashAdvance('ca0000000000000000000000000000b2', `${monthAt(1)}-02T10:00:00.000Z`, 250),
  };
  (docs.expenseRejected.document.report as Record<string, unknown>).totalApprovedAmount = 99.99;
  const postable = [docs.expense, docs.invoice, docs.paymentRequest, docs.cashAdvance];
  const key = (d: SimFisItem): string => `ML-${{ expense: 'EXP', invoice: 'INV', paymentrequest: 'PR', cashadvance: 'CA' }[d.docType]}-${d.id}-1`;
  const statusOf = async (id: string): Promise<string | null> =>
    (await s.gql<{ posting: { status: string } | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id })).data?.posting?.status ?? null;
  const head = async (): Promise<string> =>
    (await s.gql<{ projections: Array<{ headPosition: string }> }>(`{ projections { headPosition } }`)).data!.projections[0]!.headPosition;
  const acknowledged = (): string[] => s.systems.concur.state.fisCalls.filter((c) => c.kind === 'acknowledgement').map((c) => c.docId);
  let dryRun: CliRun;

  beforeAll(async () => {
    // One invoice of the range already came in by webhook and posted: the backfill must leave it alone.
    s.systems.concur.ess.endpoint = `${s.url}/webhooks/concur`;
    expect((await s.systems.concur.publishDocument(docs.invoiceKnown)).status).toBe(200);
    await s.waitFor('the webhook invoice to be confirmed', async () => (await statusOf(docs.invoiceKnown.id)) === 'CONFIRMED');
    for (const [name, d] of Object.entries(docs)) if (name !== 'invoiceKnown') s.systems.concur.addDocument(d);
  }, 60_000);

  it('--dry-run shows each would-post entry of every type (lines, or gaps, or the rejection) and changes nothing', async () => {
    const headBefore = await head();
    const acksBefore = acknowledged().length;
    dryRun = finished(await s.cli(['backfill', '--from', FROM, '--to', TO, '--dry-run']));
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(`Dry run ${FROM}..${TO}: nothing was recorded, posted or acknowledged in Concur. 7 document(s) found:`);
    expect(dryRun.stderr).toMatch(/backfill \(dry run\): 7\/7 documents \(100%\)/);

    const table = typeTable(dryRun.stdout);
    expect(table['expense']).toMatchObject({ found: 3, 'would-post': 3, 'already-known': 0 });
    expect(table['invoice']).toMatchObject({ found: 2, 'would-post': 1, 'already-known': 1, 'outside-range': 1 });
    expect(table['paymentrequest']).toMatchObject({ found: 1, 'would-post': 1 });
    expect(table['cashadvance']).toMatchObject({ found: 1, 'would-post': 1, 'outside-range': 1 });

    expect(dryRun.stdout).toMatch(/^ {2}would-post: report \S+ "Backfill Oslo" 62\.49 USD$/m);
    expect(dryRun.stdout).toMatch(/^ {2}would-post: invoice \S+ "Simulated invoice \S+" 125\.50 USD$/m);
    expect(dryRun.stdout).toMatch(/^ {2}would-post: payment request \S+ "Simulated invoice \S+" 450\.00 USD$/m);
    expect(dryRun.stdout).toMatch(/^ {2}would-post: cash advance CA-ca0000 "Trip to Lisbon" 400\.00 USD$/m);
    expect(dryRun.stdout).toMatch(/^ {2}already-known: invoice /m);
    expect(dryRun.stdout).toMatch(
      /^ {2}would-post: report \S+ "Backfill conference" 300\.00 USD\n {6}would wait for mappings:\n {8}gap: Concur account code 479100 has no Intacct account in accounts\./m,
    );
    expect(dryRun.stdout).toMatch(
      /^ {2}would-post: report \S+ "Backfill wrong total" 99\.99 USD\n {6}would be rejected: .*add up to 10\.00 USD but the report's totalApprovedAmount is 99\.99 USD.*\(difference -89\.99\)$/m,
    );
    expect(dryRun.stdout).not.toContain('Backfill month before');

    const entries = previews(dryRun.stdout);
    expect([...entries.keys()].sort()).toEqual(postable.map(key).sort());
    expect(entries.get(key(docs.expense))!.lines).toEqual([
      { side: 'debit', account: '6400', amount: '12.50', currency: 'USD', dimensions: { LOCATION: '100' } },
      { side: 'credit', account: '2100', amount: '62.49', currency: 'USD', dimensions: { LOCATION: '100', EMPLOYEEID: 'E1021' } },
      { side: 'debit', account: '6000.10', amount: '49.99', currency: 'USD', dimensions: { LOCATION: '100' } },
    ]);
    expect(entries.get(key(docs.cashAdvance))!.lines).toEqual([
      { side: 'debit', account: '1450', amount: '400.00', currency: 'USD', dimensions: { LOCATION: '100', EMPLOYEEID: 'E1021' } },
      { side: 'credit', account: '2100', amount: '400.00', currency: 'USD', dimensions: { LOCATION: '100', EMPLOYEEID: 'E1021' } },
    ]);
    expect(entries.get(key(docs.paymentRequest))!.lines).toContainEqual({
      side: 'credit',
      account: '2000',
      amount: '450.00',
      currency: 'USD',
      dimensions: { LOCATION: '100', VENDORID: 'V200' },
    });
    expect(entries.get(key(docs.expense))).toMatchObject({
      journal: 'EXPJ',
      batchDate: `${month}-15`,
      title: `Backfill Oslo (${(docs.expense.document.report as { reportId: string }).reportId})`,
    });

    // Nothing stored, nothing acknowledged, nothing posted.
    expect(await head()).toBe(headBefore);
    expect(acknowledged()).toHaveLength(acksBefore);
    for (const d of Object.values(docs)) if (d !== docs.invoiceKnown) expect(await statusOf(d.id)).toBeNull();
    for (const d of postable) expect(s.systems.concur.state.documents.get(d.id)!.status).toBe('READY');
    expect(s.systems.intacct.state.glbatches.filter((b) => postable.map(key).includes(b.header['REFERENCENO']!))).toHaveLength(0);
  }, 90_000);

  it('the real run records every type once, posts exactly the lines the dry run showed, and a second run finds them known', async () => {
    expect(dryRun, 'the dry run test ran first').toBeDefined();
    const run = finished(await s.cli(['backfill', '--from', FROM, '--to', TO]));
    expect(run.code, run.stderr).toBe(0);
    const table = typeTable(run.stdout);
    expect(table['expense']).toMatchObject({ found: 3, recorded: 3 });
    expect(table['invoice']).toMatchObject({ found: 2, recorded: 1, 'already-known': 1 });
    expect(table['paymentrequest']).toMatchObject({ found: 1, recorded: 1 });
    expect(table['cashadvance']).toMatchObject({ found: 1, recorded: 1 });

    for (const d of postable) await s.waitFor(`${d.docType} ${d.id} to be confirmed`, async () => (await statusOf(d.id)) === 'CONFIRMED');
    expect(await statusOf(docs.expenseGap.id)).toBe('AWAITING_MAPPING');
    expect(await statusOf(docs.expenseRejected.id)).toBe('REJECTED');

    const previewed = previews(dryRun.stdout);
    for (const d of postable) {
      const batches = s.systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === key(d));
      expect(batches, key(d)).toHaveLength(1);
      const posted = batches[0]!.entries.map((e) => ({
        side: e['TR_TYPE'] === '1' ? 'debit' : 'credit',
        account: e['ACCOUNTNO'],
        amount: e['TRX_AMOUNT'],
        currency: e['CURRENCY'],
        dimensions: Object.fromEntries(DIMENSIONS.filter((x) => e[x]).map((x) => [x, e[x]])),
      }));
      expect(posted, key(d)).toEqual(previewed.get(key(d))!.lines);
      expect(batches[0]!.header['BATCH_TITLE']).toBe(previewed.get(key(d))!.title);
    }

    const glbatches = s.systems.intacct.state.glbatches.length;
    const again = finished(await s.cli(['backfill', '--from', FROM, '--to', TO]));
    expect(again.code, again.stderr).toBe(0);
    const second = typeTable(again.stdout);
    expect(second['expense']).toMatchObject({ found: 3, recorded: 0, 'already-known': 3 });
    expect(second['invoice']).toMatchObject({ found: 2, recorded: 0, 'already-known': 2 });
    expect(second['paymentrequest']).toMatchObject({ recorded: 0, 'already-known': 1 });
    expect(second['cashadvance']).toMatchObject({ recorded: 0, 'already-known': 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(s.systems.intacct.state.glbatches.length).toBe(glbatches);
  }, 120_000);

  it('GraphQL backfill(from, to, dryRun) reports per type: after the real run everything is known', async () => {
    const started = await s.gql<{ backfill: { id: string } }>(`mutation($from: Date!, $to: Date!) { backfill(from: $from, to: $to, dryRun: true) { id } }`, {
      from: FROM,
      to: TO,
    });
    expect(started.errors).toBeUndefined();
    let job: { state: string; counts: Record<string, Record<string, number>>; items: string[] } | null = null;
    await s.waitFor('the dry-run job', async () => {
      job = (await s.gql<{ job: typeof job }>(`query($id: ID!) { job(id: $id) { state counts items } }`, { id: started.data!.backfill.id })).data!.job;
      return job?.state !== 'running';
    });
    expect(job!.state).toBe('succeeded');
    expect(Object.keys(job!.counts)).toEqual(['expense', 'invoice', 'paymentrequest', 'cashadvance']);
    expect(job!.counts['expense']).toMatchObject({ found: 3, alreadyKnown: 3, wouldPost: 0 });
    expect(job!.counts['invoice']).toMatchObject({ found: 2, alreadyKnown: 2, outsideRange: 1 });
  }, 60_000);
});
