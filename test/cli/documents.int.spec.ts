import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxDemo } from '../../src/app/sandbox-demo.js';
import { demoExpectations, demoTargetExpectations } from '../../src/app/sandbox/index.js';
import { parseCsv } from '../../src/csv/csv.js';
import { startE2e, type E2e } from '../e2e/harness.js';
import { runCliProcess } from './cli-process.js';

/** `list`, `show ID` and `report --from --to [--csv]` against the running sandbox service (real HTTP, CLI processes). */
describe('CLI list, show and report', () => {
  let e: E2e;
  // The demo's journals (one held back), then its two documents of other Intacct objects (posting targets).
  const ids = [...Object.keys(demoExpectations), ...Object.keys(demoTargetExpectations)];
  const quiet = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child() {
      return this;
    },
  };
  const today = new Date().toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 7)}-01`;

  beforeAll(async () => {
    e = await startE2e();
    await runSandboxDemo(e.running, e.systems, quiet, new Date());
    await e.settle(async () => {
      for (const id of ids) {
        const s = e.running.service.getPosting(id)?.status;
        if (s !== undefined && !['CONFIRMED', 'AWAITING_MAPPING', 'REJECTED'].includes(s)) return false;
      }
      return ids.filter((id) => e.running.service.getPosting(id)).length >= ids.length - 1;
    }, 'the demo documents to settle');
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('list prints one line per document, filtered by status and text', async () => {
    const all = await runCliProcess(['list'], { ML_URL: e.running.url });
    expect(all.stderr).toMatch(/^13 of 13 documents\n$/);
    expect(all.code).toBe(0);
    const [header, ...lines] = all.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^STATUS\s+TYPE\s+DOCUMENT\s+REPORT\s+EMPLOYEE\s+AMOUNT\s+CUR\s+RECORDNO/);
    expect(lines).toHaveLength(13);
    expect(all.stdout).toMatch(/CONFIRMED\s+expense\s+\S+\s+Berlin trade fair\s+49038128 Smith, Chris\s+357\.00\s+EUR\s+\d+/);

    const rejected = await runCliProcess(['list', '--status', 'rejected'], { ML_URL: e.running.url });
    expect(rejected.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(rejected.stdout).toContain('Munich client meeting');
    const text = await runCliProcess(['list', '--text', 'Berlin'], { ML_URL: e.running.url });
    expect(text.stdout.trimEnd().split('\n').slice(1)).toEqual([expect.stringContaining('Berlin trade fair')]);
    const bad = await runCliProcess(['list', '--status', 'DONE'], { ML_URL: e.running.url });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown status "DONE"/);
  });

  it('show prints the entry, the timeline and the last error', async () => {
    const rejected = ids.find((i) => demoExpectations[i]!.outcome === 'rejected-closed-period')!;
    const run = await runCliProcess(['show', rejected], { ML_URL: e.running.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Munich client meeting \(expense\): REJECTED/);
    expect(run.stdout).toMatch(/Last error \(closed-period/);
    expect(run.stdout).toMatch(/First open date: \d{4}-\d{2}-01 \(retry /);
    expect(run.stdout).toMatch(/Journal entry: journal EXPJ/);
    expect(run.stdout).toMatch(/6500\s+Travel\s+89\.90/);
    expect(run.stdout).toMatch(/Timeline:\n.*ConcurDocumentReceived/);
    const missing = await runCliProcess(['show', 'no-such-document'], { ML_URL: e.running.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No document with id "no-such-document"/);
  });

  it('report lists the posted entries with totals per account, and --csv gives only CSV on stdout', async () => {
    const run = await runCliProcess(['report', '--from', monthStart, '--to', today], { ML_URL: e.running.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Posted entries \(12\):/);
    expect(run.stdout).toMatch(/Totals per account and dimension:/);
    expect(run.stdout).toMatch(/Mapping changes \(2\):\n.*imported the whole set \(Sandbox demo mapping set\)/);

    const csv = await runCliProcess(['report', '--from', monthStart, '--to', today, '--csv'], { ML_URL: e.running.url });
    expect(csv.code).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]![0]).toBe('Audit report');
    const header = rows.findIndex((r) => r[0] === 'Batch date');
    const totalsAt = rows.findIndex((r) => r[0] === 'Totals per account and dimension');
    const lines = rows.slice(header + 1, totalsAt - 1);
    const debit = lines.reduce((s, r) => s + BigInt((r[14] || '0').replace('.', '')), 0n);
    const credit = lines.reduce((s, r) => s + BigInt((r[15] || '0').replace('.', '')), 0n);
    expect(debit).toBe(credit);
    expect(new Set(lines.map((r) => r[2])).size).toBe(11);
    expect(csv.stderr).toMatch(/12 entries/);
  });
});
