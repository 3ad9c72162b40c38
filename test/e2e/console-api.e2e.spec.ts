import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxDemo } from '../../src/app/sandbox-demo.js';
import { demoExpectations, demoTargetExpectations } from '../../src/app/sandbox/index.js';
import { startE2e, TOKENS, type E2e } from './harness.js';

/** The GraphQL fields the operator console reads (and the CLI's report), over real HTTP with tokens. */
describe('GraphQL for the operator console', () => {
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

  beforeAll(async () => {
    e = await startE2e({ auth: true });
    await runSandboxDemo(e.running, e.systems, quiet, new Date());
    await e.settle(
      () =>
        ids.filter((id) => ['CONFIRMED', 'AWAITING_MAPPING', 'REJECTED'].includes(e.running.service.getPosting(id)?.status ?? '')).length === ids.length - 1,
      'the demo',
    );
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('me names the token and its role; sandbox is false with real tokens', async () => {
    const r = await e.graphql<{ me: { name: string; role: string; sandbox: boolean } }>('{ me { name role sandbox } }', {}, TOKENS.viewer);
    expect(r.data!.me).toEqual({ name: 'viewer', role: 'viewer', sandbox: false });
    expect((await e.graphql('{ me { name } }', {}, null)).status).toBe(401);
  });

  it('overview: counts today and this month, 24 hourly buckets, the oldest waiting, rejections, health with its time, Intacct usage', async () => {
    const r = await e.graphql<{
      overview: Record<string, unknown> & {
        today: Array<{ status: string; count: number }>;
        postedPerHour: Array<{ count: number }>;
        health: Array<{ name: string; ok: boolean; checkedAt: string }>;
        intacctUsage: { transactions: number; month: string };
        oldestWaiting: { status: string } | null;
        latestRejections: Array<{ reportName: string; lastError: { category: string } }>;
      };
    }>(
      `{ overview { today { status count } month { status count } postedPerHour { hour count } oldestWaiting { status reportName } latestRejections { reportName lastError { category } } health { name ok detail checkedAt } intacctUsage { month transactions countingSince } } }`,
      {},
      TOKENS.viewer,
    );
    expect(r.errors).toBeUndefined();
    const o = r.data!.overview;
    expect(o.today.find((c) => c.status === 'CONFIRMED')?.count).toBe(11);
    expect(o.postedPerHour).toHaveLength(24);
    expect(o.postedPerHour.reduce((n, h) => n + h.count, 0)).toBe(11);
    expect(['AWAITING_MAPPING', 'REJECTED']).toContain(o.oldestWaiting?.status);
    expect(o.latestRejections).toEqual([{ reportName: 'Munich client meeting', lastError: { category: 'closed-period' } }]);
    expect(o.health.map((h) => [h.name, h.ok])).toEqual([
      ['event-store', true],
      ['posting-worker', true],
      ['projections', true],
      ['concur', true],
      ['intacct', true],
    ]);
    expect(Date.now() - Date.parse(o.health[0]!.checkedAt)).toBeLessThan(60_000);
    expect(o.intacctUsage.month).toBe(new Date().toISOString().slice(0, 7));
    expect(o.intacctUsage.transactions).toBeGreaterThanOrEqual(9);
  });

  it('auditReport: every posted entry in the range with names, balanced totals per account and dimension, the mapping import, as CSV', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await e.graphql<{
      auditReport: {
        entries: Array<{ lines: Array<{ accountName: string | null; trType: number; amount: string }>; currency: string }>;
        totals: Array<{ currency: string; debit: string; credit: string; accountName: string | null }>;
        mappingChanges: Array<{ type: string; actor: string }>;
        csv: string;
      };
    }>(
      `query($f: Date!, $t: Date!) { auditReport(from: $f, to: $t) { entries { currency lines { accountName trType amount } } totals { currency accountNo accountName debit credit } mappingChanges { type actor } csv } }`,
      { f: `${today.slice(0, 7)}-01`, t: today },
      TOKENS.viewer,
    );
    expect(r.errors).toBeUndefined();
    const report = r.data!.auditReport;
    // 9 journals, and the target documents' EEXPENSES, CCTRANSACTION and APBILL.
    expect(report.entries).toHaveLength(12);
    expect(report.entries.flatMap((x) => x.lines).every((l) => l.accountName)).toBe(true);
    for (const currency of new Set(report.totals.map((t) => t.currency))) {
      const sum = (side: 'debit' | 'credit') => report.totals.filter((t) => t.currency === currency).reduce((s, t) => s + BigInt(t[side].replace('.', '')), 0n);
      expect(sum('debit'), currency).toBe(sum('credit'));
    }
    expect(report.mappingChanges).toEqual([
      { type: 'MappingsImported', actor: 'system:sandbox' },
      { type: 'MappingsImported', actor: 'system:sandbox' },
    ]);
    expect(report.csv.split('\r\n')[0]).toMatch(/^Audit report,/);
    const bad = await e.graphql('{ auditReport(from: "2026-12-01", to: "2026-11-01") { csv } }', {}, TOKENS.viewer);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('names accounts, dimensions and employees from the reference cache; dimensions(kind: EMPLOYEE) lists employees', async () => {
    const id = ids.find((i) => demoExpectations[i]!.case === 'a')!;
    const r = await e.graphql<{
      posting: {
        employeeName: string;
        journalEntry: { lines: Array<{ accountNo: string; accountName: string; dimensions: Array<{ target: string; name: string | null }> }> };
      };
      dimensions: Array<{ id: string }>;
      vendors: Array<{ id: string }>;
      dims: Array<{ kind: string }>;
    }>(
      `query($id: ID!) { posting(id: $id) { employeeName journalEntry { lines { accountNo accountName dimensions { target value name } } } } dimensions(kind: EMPLOYEE) { id } vendors: dimensions(kind: VENDOR) { id } dims: dimensions(kind: DIMENSIONS) { kind } }`,
      { id },
      TOKENS.viewer,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.posting.employeeName).toBe('Lopez, Ana');
    expect(r.data!.posting.journalEntry.lines.find((l) => l.accountNo === '6500')?.accountName).toBe('Travel');
    expect(r.data!.posting.journalEntry.lines.flatMap((l) => l.dimensions).find((d) => d.target === 'DEPARTMENT')?.name).toBe('Sales');
    expect(r.data!.dimensions.map((d) => d.id)).toContain('E1021');
    expect(r.data!.vendors.map((d) => d.id)).toContain('AMEX');
    expect(new Set(r.data!.dims.map((d) => d.kind))).toEqual(new Set(['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS']));
  });

  it('jobs lists the jobs started, newest first', async () => {
    const started = await e.graphql<{ backfill: { id: string } }>(
      `mutation { backfill(from: "2026-01-01", to: "2026-01-02", dryRun: true) { id } }`,
      {},
      TOKENS.operator,
    );
    expect(started.errors).toBeUndefined();
    const r = await e.graphql<{ jobs: Array<{ id: string; kind: string; dryRun: boolean }> }>('{ jobs { id kind dryRun } }', {}, TOKENS.viewer);
    expect(r.data!.jobs[0]).toEqual({ id: started.data!.backfill.id, kind: 'backfill', dryRun: true });
  });
});
