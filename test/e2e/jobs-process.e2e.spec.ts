import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
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
  if (run.timedOut) throw new Error(`the CLI did not finish in time.\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nservice:\n${s.output.join('').slice(-3000)}`);
  return run;
};

/** Progress lines of a job on stderr (non-TTY: one every 2 s and the final one) as [done, total]. */
const progressCounts = (run: CliRun, unit: string): Array<[number, number]> =>
  [...run.stderr.matchAll(new RegExp(`: (\\d+)/(\\d+) ${unit} \\(`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);

const intacctCount = (object: string): number => [...(s.systems.intacct.state.objects.get(object)?.values() ?? [])].length;

beforeAll(async () => {
  s = await startServiceProcess();
  expect((await s.gql(`mutation($json: String!) { importMappings(json: $json, reason: "go-live mappings") { revision } }`, { json: demoMappingsJson() })).errors).toBeUndefined();
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
    expect(counts.some(([done]) => done > 0 && done < 10), run.stderr).toBe(true);
    expect(run.stderr).toMatch(/ - [A-Z]+: \d+\/\d+ read from Intacct|steps \(\d+%\)/);

    // The run is recorded with the same counts.
    const runs = await s.gql<{ syncRuns: Array<{ kinds: string[]; report: Array<{ step: string; counts: Record<string, number> }> }> }>(`{ syncRuns { kinds report } }`);
    const last = runs.data!.syncRuns[0]!;
    expect(last.report.map((r) => r.step)).toEqual(['EMPLOYEE', 'VENDOR', 'GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS', 'employees', 'vendors']);
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
    s.systems.intacct.faults.latencyMs = 800;
    const [a, b] = await Promise.all([s.cli(['sync', 'vendors']), s.cli(['sync', 'vendors'])]);
    s.systems.intacct.faults.latencyMs = 0;
    for (const run of [finished(a), finished(b)]) expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const created = [syncTable(a)['vendors']!.created, syncTable(b)['vendors']!.created].sort();
    expect(created).toEqual([0, 1]);
    expect([...s.systems.concur.state.vendors.values()].filter((v) => v.VendorCode === 'V400')).toHaveLength(1);
    expect(s.systems.concur.state.vendorWrites.flatMap((w) => w.vendors).filter((v) => v.VendorCode === 'V400')).toHaveLength(1);
    expect(`${a.stderr}${b.stderr}`).toContain('waiting for the sync run already in progress');
  }, 90_000);
});
