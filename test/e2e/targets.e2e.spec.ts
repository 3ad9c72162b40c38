import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument, generateInvoiceDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import type { PostedRecord } from '../../src/adapters/intacct/simulator/company.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startE2e, type E2e } from './harness.js';

/**
 * Posting targets end to end (real HTTP, the Concur and Intacct simulators): each target posts, each
 * record exactly once under its own key, also when the answer to the create is lost (524 after the
 * commit) and when the session expires between two records of one document; a resubmission reverses
 * each record by its own object's means.
 */
interface RecordNode {
  target: string;
  postingKey: string;
  state: string;
  recordNo: string | null;
  reverses: string | null;
  lastError: { category: string; message: string } | null;
  entry: { target: string; total: string; lines: Array<{ accountNo: string; amount: string; trType: number; offset: boolean }> } | null;
}
interface Detail {
  status: string;
  postingKey: string;
  intacctRecordNo: string | null;
  records: RecordNode[];
  timeline: Array<{ type: string; data: Record<string, unknown> }>;
}

const DETAIL = `status postingKey intacctRecordNo
  records { target postingKey state recordNo reverses lastError { category message } entry { target total lines { accountNo amount trType offset } } }
  timeline { type data }`;

/** A generated report whose lines carry a mapped cost centre (the demo chart wants a department on expense accounts). */
function report(options: Parameters<typeof generateExpenseDocument>[0]): SimFisItem {
  const doc = generateExpenseDocument(options);
  for (const entry of doc.document['expenseEntry'] as Array<{ allocation: Array<Record<string, unknown>> }>)
    for (const a of entry.allocation) a['allocationCustom4Code'] = '21-BELLEV1';
  return doc;
}

/** Turns the generated report's entries at `indexes` into company-card charges (CBCP) of `program`. */
function onCard(doc: SimFisItem, indexes: number[], program: string | null = null): SimFisItem {
  const entries = doc.document['expenseEntry'] as Array<Record<string, unknown> & { allocation: Array<{ journal: Array<Record<string, unknown>> }> }>;
  for (const i of indexes) {
    const entry = entries[i]!;
    if (program) entry['cardProgramTypeCode'] = program;
    for (const a of entry.allocation) for (const j of a.journal) j['journalPayee'] = 'CBCP';
  }
  return doc;
}

describe('posting targets end to end (real HTTP, simulators)', () => {
  let e: E2e;
  const detail = async (id: string): Promise<Detail> => {
    const r = await e.graphql<{ posting: Detail }>(`query($id: ID!) { posting(id: $id) { ${DETAIL} } }`, { id });
    expect(r.errors).toBeUndefined();
    return r.data!.posting;
  };
  // Read from the read model directly: polling GraphQL would meet its rate limit.
  const statusOf = async (id: string): Promise<string | null> => e.running.service.queries.get(id)?.status ?? null;
  const publish = async (doc: SimFisItem, until: string): Promise<Detail> => {
    await e.systems.concur.publishDocument(doc);
    try {
      await e.settle(async () => (await statusOf(doc.id)) === until, `document ${doc.id} to be ${until}`, 15_000);
    } catch (error) {
      const d = await detail(doc.id);
      throw new Error(`${(error as Error).message}: ${d.status} ${JSON.stringify(d.records.map((r) => [r.target, r.state, r.lastError?.message]))}`);
    }
    return detail(doc.id);
  };
  const intacctRecords = (controlId: string): PostedRecord[] => e.systems.intacct.state.records.filter((r) => r.controlId === controlId);
  const glbatches = (key: string) => e.systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === key);
  /** Exactly one Intacct record per record of the document, with the RECORDNO the document shows. */
  const expectEachOnce = (d: Detail): void => {
    for (const r of d.records.filter((x) => x.reverses === null)) {
      const found = r.target === 'GLBATCH' ? glbatches(r.postingKey).map((b) => b.recordNo) : intacctRecords(r.postingKey).map((x) => x.recordNo);
      expect(found, `${r.target} ${r.postingKey} exactly once in Intacct`).toEqual([r.recordNo]);
    }
  };
  const setTargets = async (targets: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> => {
    await e.running.service.importMappings(JSON.stringify({ targets, ...extra }), 'targets for this test', 'system:test');
  };
  const ALL_GL = { expense: { outOfPocket: 'GLBATCH', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' }, invoice: 'GLBATCH', paymentRequest: 'GLBATCH' };

  beforeAll(async () => {
    e = await startE2e();
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    await e.running.service.importMappings(demoMappingsJson(), 'targets tests', 'system:test');
    await e.running.service.importMappings(
      JSON.stringify({ cardAccounts: { CBCP: 'AMEX-CORP', VISA: 'VISA-OLD' }, expenseTypes: { MEALS: 'Meals' } }),
      'card accounts and expense types',
      'system:test',
    );
    const sync = await e.running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
    expect(sync.errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await e?.close();
  });

  it('EEXPENSES and CCTRANSACTION: a report with out-of-pocket and card lines becomes one employee expense report and one card transaction', async () => {
    await setTargets({ ...ALL_GL, expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' } });
    const doc = onCard(report({ employeeId: 'E1021', accountCodes: ['474300', '474230', '474210'], entryCents: [2500, 18000, 4200] }), [1]);
    const d = await publish(doc, 'CONFIRMED');
    expect(d.records.map((r) => [r.target, r.state])).toEqual([
      ['EEXPENSES', 'POSTED'],
      ['CCTRANSACTION', 'POSTED'],
    ]);
    expectEachOnce(d);
    const [expenseReport] = intacctRecords(d.records[0]!.postingKey);
    expect(expenseReport!.header['EMPLOYEEID']).toBe('E1021');
    // The meals line names its Intacct expense type; the taxi line its GL account. The payable is Intacct's.
    expect(expenseReport!.lines.map((l) => [l['ACCOUNTLABEL'] ?? l['ACCOUNTNO'] ?? l['GLACCOUNTNO'], l['AMOUNT']])).toEqual([
      ['Meals', '25.00'],
      ['6500', '42.00'],
    ]);
    const [card] = intacctRecords(d.records[1]!.postingKey);
    expect(card!.header['CHARGECARDID'] ?? card!.header['FINANCIALENTITY'] ?? card!.header['CARDID']).toBe('AMEX-CORP');
    expect(card!.lines.map((l) => l['AMOUNT'] ?? l['PAYMENTAMOUNT'] ?? l['TRX_AMOUNT'])).toEqual(['180.00']);
    expect(d.intacctRecordNo).toBe(d.records[0]!.recordNo);
  });

  it('APBILL: an invoice becomes an AP bill to its vendor with its bill number', async () => {
    await setTargets({ ...ALL_GL, invoice: 'APBILL' });
    const doc = generateInvoiceDocument({ vendorCode: 'V200', accountCodes: ['478000'], lineCents: [90000, 15050] });
    const d = await publish(doc, 'CONFIRMED');
    expect(d.records.map((r) => [r.target, r.state])).toEqual([['APBILL', 'POSTED']]);
    expectEachOnce(d);
    const [bill] = intacctRecords(d.postingKey);
    expect(bill!.header['VENDORID']).toBe('V200');
    expect(bill!.header['RECORDID']).toMatch(/^INV-/);
    expect(bill!.header['DOCNUMBER']).toBe(d.postingKey);
  });

  it('GLBATCH stays the default: the same kind of report posts as one journal when targets say GLBATCH', async () => {
    await setTargets(ALL_GL);
    const doc = onCard(report({ employeeId: 'E1021', accountCodes: ['474300'], entryCents: [1500, 2600] }), [1]);
    const d = await publish(doc, 'CONFIRMED');
    expect(d.records.map((r) => r.target)).toEqual(['GLBATCH']);
    expectEachOnce(d);
  });

  it('a 524 after the commit: every record of the document is read back by its key and recorded once, none posted twice', async () => {
    await setTargets({ ...ALL_GL, expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' } });
    const doc = onCard(report({ employeeId: 'E1022', accountCodes: ['474300', '474230'], entryCents: [3100, 22000] }), [1]);
    e.systems.intacct.faults.next('timeout524');
    const d = await publish(doc, 'CONFIRMED');
    expect(e.systems.intacct.faults.injected.timeout524).toBeGreaterThanOrEqual(1);
    expectEachOnce(d);
    // The create whose answer was lost is recorded from the read-back; nothing is created twice.
    const outcomes = d.timeline.filter((t) => t.type === 'PostingSucceeded').map((t) => t.data['outcome']);
    expect(outcomes).toHaveLength(2);
    expect(outcomes).toContain('found-existing');
  });

  it('a partial success, then an expired session before the second record: the refused record alone is retried and posted once', async () => {
    await setTargets({ ...ALL_GL, expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' } });
    // VISA-OLD is an inactive card account in the simulated company: Intacct refuses that record only.
    const doc = onCard(report({ employeeId: 'E1023', accountCodes: ['474300', '474230'], entryCents: [1999, 30100] }), [1], 'VISA');
    const refused = await publish(doc, 'REJECTED');
    expect(refused.records.map((r) => [r.target, r.state])).toEqual([
      ['EEXPENSES', 'POSTED'],
      ['CCTRANSACTION', 'REJECTED'],
    ]);
    expect(refused.records[1]!.lastError?.message).toMatch(/VISA-OLD/);
    const employeeReport = refused.records[0]!;

    await e.running.service.importMappings(
      JSON.stringify({ cardAccounts: { VISA: 'AMEX-CORP' } }),
      'the VISA program moved to the AMEX account',
      'system:test',
    );
    e.systems.intacct.expireSessions();
    const r = await e.graphql(`mutation($id: ID!) { retryPosting(id: $id) { status } }`, { id: doc.id });
    expect(r.errors).toBeUndefined();
    await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the card transaction to post after the retry');
    const d = await detail(doc.id);
    expectEachOnce(d);
    expect(d.records[0]).toMatchObject({ postingKey: employeeReport.postingKey, recordNo: employeeReport.recordNo });
    expect(d.timeline.filter((t) => t.type === 'PostingRequested' && t.data['postingKey'] === employeeReport.postingKey)).toHaveLength(1);
  });

  it('a resubmitted report reverses each record by its own means and posts the new version, linked in the timeline', async () => {
    await setTargets({ ...ALL_GL, expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' } });
    const reportId = 'TARGETS-RESUBMIT-1';
    const first = await publish(
      onCard(report({ reportId, employeeId: 'E1021', accountCodes: ['474300', '474230'], entryCents: [4000, 15000] }), [1]),
      'CONFIRMED',
    );
    const secondDoc = onCard(report({ reportId, employeeId: 'E1021', accountCodes: ['474300', '474230'], entryCents: [4500, 15000] }), [1]);
    const firstId = (first.timeline.find((t) => t.type === 'ConcurDocumentReceived')!.data['concurDocumentId'] as string) ?? '';
    await e.systems.concur.publishDocument(secondDoc);
    await e.settle(async () => (await statusOf(secondDoc.id)) === 'CONFIRMED' && (await statusOf(firstId)) === 'REVERSED', 'reversals and the new version');
    const old = await detail(firstId);
    const reversals = old.records.filter((r) => r.reverses !== null);
    expect(reversals.map((r) => [r.target, r.state, r.reverses])).toEqual([
      ['EEXPENSES', 'POSTED', old.records[0]!.recordNo],
      ['CCTRANSACTION', 'POSTED', old.records[1]!.recordNo],
    ]);
    // Intacct's own reversal: the originals are Reversed, each once.
    for (const r of old.records.filter((x) => x.reverses === null)) {
      const [original] = intacctRecords(r.postingKey);
      expect(original!.header['STATE']).toBe('Reversed');
    }
    expect(e.systems.intacct.state.records.filter((r) => r.header['STATE'] === 'Reversal' && reversals.some((x) => x.postingKey === r.controlId))).toHaveLength(
      2,
    );
    expectEachOnce(await detail(secondDoc.id));
  });

  it('/metrics counts Intacct records by object', async () => {
    const text = await (await fetch(`${e.running.url}/metrics`)).text();
    expect(text).toMatch(/ml_intacct_records\{target="EEXPENSES",state="POSTED",kind="record"\} [1-9]/);
    expect(text).toMatch(/ml_intacct_records\{target="APBILL",state="POSTED",kind="record"\} 1/);
    expect(text).toMatch(/ml_intacct_records\{target="CCTRANSACTION",state="POSTED",kind="reversal"\} 1/);
  });
});
