import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument, generateInvoiceDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startConnector, type RunningConnector } from '../../src/app/runtime.js';
import { createLogger } from '../../src/observability/logger.js';
import { startE2e, type E2e } from './harness.js';

/**
 * Intacct API transactions as a measured cost (real HTTP, the simulators): a clean run costs exactly one
 * create per Intacct record and no read-back, counted at the simulator and by the service alike; read-backs
 * after a lost answer are counted as read-backs; the counts survive a restart on the same data dir.
 */
interface Detail {
  status: string;
  records: Array<{ target: string; postingKey: string; state: string; reverses: string | null }>;
}

const POSTED_OBJECTS = ['GLBATCH', 'EEXPENSES', 'CCTRANSACTION', 'APBILL'];
const CREATE_VERBS = ['create GLBATCH', 'create_expensereport', 'record_cctransaction', 'create APBILL'];

function report(options: Parameters<typeof generateExpenseDocument>[0]): SimFisItem {
  const doc = generateExpenseDocument(options);
  for (const entry of doc.document['expenseEntry'] as Array<{ allocation: Array<Record<string, unknown>> }>)
    for (const a of entry.allocation) a['allocationCustom4Code'] = '21-BELLEV1';
  return doc;
}

function onCard(doc: SimFisItem, indexes: number[]): SimFisItem {
  const entries = doc.document['expenseEntry'] as Array<Record<string, unknown> & { allocation: Array<{ journal: Array<Record<string, unknown>> }> }>;
  for (const i of indexes) for (const a of entries[i]!.allocation) for (const j of a.journal) j['journalPayee'] = 'CBCP';
  return doc;
}

describe('Intacct API transactions counted by purpose (real HTTP, simulators)', () => {
  let e: E2e;
  let running: RunningConnector;
  let restarted = false;

  const month = (): string => new Date().toISOString().slice(0, 7);
  /** The service's counter for this month, by purpose. */
  const counted = (r: RunningConnector = running): Map<string, number> =>
    new Map(
      r.intacct
        .metrics()
        .apiTransactions.filter((x) => x.month === month())
        .map((x) => [x.purpose, x.count]),
    );
  const simulated = (): Map<string, number> => new Map(e.systems.intacct.stats.functionsByKind);
  const delta = (after: Map<string, number>, before: Map<string, number>, key: string): number => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const readsOfPostings = (after: Map<string, number>, before: Map<string, number>): number =>
    POSTED_OBJECTS.reduce((n, o) => n + delta(after, before, `readByQuery ${o}`), 0);
  const creates = (after: Map<string, number>, before: Map<string, number>): number => CREATE_VERBS.reduce((n, v) => n + delta(after, before, v), 0);

  const detail = async (id: string): Promise<Detail> => {
    const r = await e.graphql<{ posting: Detail }>(`query($id: ID!) { posting(id: $id) { status records { target postingKey state reverses } } }`, { id });
    expect(r.errors).toBeUndefined();
    return r.data!.posting;
  };
  const publishAll = async (docs: SimFisItem[]): Promise<Detail[]> => {
    for (const doc of docs) await e.systems.concur.publishDocument(doc);
    await e.settle(async () => docs.every((d) => running.service.queries.get(d.id)?.status === 'CONFIRMED'), 'every document to be CONFIRMED', 30_000);
    return Promise.all(docs.map((d) => detail(d.id)));
  };

  beforeAll(async () => {
    e = await startE2e();
    running = e.running;
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    await running.service.importMappings(demoMappingsJson(), 'transaction count tests', 'system:test');
    await running.service.importMappings(
      JSON.stringify({
        cardAccounts: { CBCP: 'AMEX-CORP' },
        expenseTypes: { MEALS: 'Meals' },
        targets: {
          expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
          invoice: 'GLBATCH',
          paymentRequest: 'GLBATCH',
        },
      }),
      'targets: employee expense reports and card transactions',
      'system:test',
    );
    const sync = await running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
    expect(sync.errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    if (!restarted) return e?.close();
    await running.stop();
    await e.systems.close();
    rmSync(e.config.dataDir, { recursive: true, force: true });
  });

  it('reference sync and the session are counted under their own purposes', () => {
    const c = counted();
    expect(c.get('reference-sync')).toBeGreaterThan(0);
    expect(c.get('session')).toBeGreaterThanOrEqual(1);
    expect(c.get('posting') ?? 0).toBe(0);
    // The service and the simulator agree on the total.
    const total = [...c.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(e.systems.intacct.stats.functionsRun);
  });

  it('a clean run costs exactly one create per Intacct record and no read-back, at the simulator and in the counter', async () => {
    const docs = [
      onCard(report({ employeeId: 'E1021', accountCodes: ['474300', '474230', '474210'], entryCents: [2500, 18000, 4200] }), [1]),
      onCard(report({ employeeId: 'E1022', accountCodes: ['474300', '474230'], entryCents: [1200, 9900] }), [1]),
      onCard(report({ employeeId: 'E1021', accountCodes: ['474230', '474300'], entryCents: [5000, 700] }), [0]),
      report({ employeeId: 'E1022', accountCodes: ['474300'], entryCents: [3300] }),
      generateInvoiceDocument({ vendorCode: 'V200', accountCodes: ['478000'], lineCents: [90000, 15050] }),
      generateInvoiceDocument({ vendorCode: 'V200', accountCodes: ['478000'], lineCents: [12345] }),
    ];
    const simBefore = simulated();
    const before = counted();
    const details = await publishAll(docs);
    const simAfter = simulated();
    const after = counted();

    const records = details.flatMap((d) => d.records.filter((r) => r.reverses === null));
    expect(records.every((r) => r.state === 'POSTED')).toBe(true);
    expect(new Set(records.map((r) => r.target))).toEqual(new Set(['GLBATCH', 'EEXPENSES', 'CCTRANSACTION']));
    // 3 reports with out-of-pocket and card lines (2 records each), 1 out-of-pocket only, 2 invoices as GLBATCH.
    expect(records).toHaveLength(9);
    expect(e.systems.intacct.faults.injected.timeout524).toBe(0);

    // At the simulator: one create per record, by object, and no read of a posted object.
    const byTarget = (t: string): number => records.filter((r) => r.target === t).length;
    expect(delta(simAfter, simBefore, 'create GLBATCH')).toBe(byTarget('GLBATCH'));
    expect(delta(simAfter, simBefore, 'create_expensereport')).toBe(byTarget('EEXPENSES'));
    expect(delta(simAfter, simBefore, 'record_cctransaction')).toBe(byTarget('CCTRANSACTION'));
    expect(creates(simAfter, simBefore)).toBe(records.length);
    expect(readsOfPostings(simAfter, simBefore)).toBe(0);

    // In the service's counter: posting = records, read-back = 0.
    expect(delta(after, before, 'posting')).toBe(records.length);
    expect(delta(after, before, 'read-back')).toBe(0);
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(e.systems.intacct.stats.functionsRun);

    // /metrics carries the same, labelled by month and purpose.
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(`ml_intacct_api_transactions{month="${month()}",purpose="posting"} ${after.get('posting')}`);
    // The console overview: this month by purpose.
    const o = await e.graphql<{ overview: { intacctUsage: { transactions: number; byPurpose: Array<{ purpose: string; transactions: number }> } } }>(
      '{ overview { intacctUsage { month transactions byPurpose { purpose transactions } countingSince } } }',
    );
    expect(o.errors).toBeUndefined();
    const usage = o.data!.overview.intacctUsage;
    expect(usage.byPurpose.find((p) => p.purpose === 'posting')?.transactions).toBe(after.get('posting'));
    expect(usage.transactions).toBe(usage.byPurpose.reduce((n, p) => n + p.transactions, 0));
  });

  it('after a 524 the records are read back, and those reads are counted as read-back', async () => {
    const doc = onCard(report({ employeeId: 'E1021', accountCodes: ['474300', '474230'], entryCents: [3100, 22000] }), [1]);
    const simBefore = simulated();
    const before = counted();
    const injected = e.systems.intacct.faults.injected.timeout524;
    e.systems.intacct.faults.next('timeout524');
    const [d] = await publishAll([doc]);
    expect(e.systems.intacct.faults.injected.timeout524).toBe(injected + 1);
    const simAfter = simulated();
    const after = counted();
    const records = d!.records.filter((r) => r.reverses === null);
    expect(records).toHaveLength(2);

    // Each record whose create was in the request that ended in 524 is read back (the other record may
    // have gone in a request of its own, answered normally).
    const reads = readsOfPostings(simAfter, simBefore);
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(delta(after, before, 'read-back')).toBe(reads);
    // The creates of the request that ended in 524 ran (and count): nothing was created twice.
    expect(creates(simAfter, simBefore)).toBe(records.length);
    expect(delta(after, before, 'posting')).toBe(records.length);
  });

  it('the counts survive a restart on the same data dir', async () => {
    const before = counted();
    const since = running.intacct.metrics().countingSince;
    expect(before.get('posting')).toBeGreaterThan(0);
    await running.stop();
    restarted = true;
    const log = createLogger({ level: 'warn', json: true, write: () => undefined });
    running = await startConnector(e.config, e.systems.endpoints, log);
    const after = counted();
    for (const [purpose, n] of before) expect(after.get(purpose), purpose).toBe(n);
    expect(running.intacct.metrics().countingSince).toBe(since);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(`ml_intacct_api_transactions{month="${month()}",purpose="read-back"} ${before.get('read-back')}`);
  });
});
