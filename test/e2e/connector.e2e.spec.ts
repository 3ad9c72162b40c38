import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { runSandboxDemo } from '../../src/app/sandbox-demo.js';
import { DEMO_UNMAPPED_ACCOUNT_CODE, DEMO_UNMAPPED_ACCOUNT_FIX, demoDocuments, demoExpectations, demoTargetExpectations } from '../../src/app/sandbox/index.js';
import { demoClosedPeriod } from '../../src/app/sandbox/demo-reference.js';
import { decimalToUnits, unitsToDecimal } from '../../src/domain/journal/balance.js';
import { startE2e, TOKENS, type E2e } from './harness.js';

/**
 * The whole service over real HTTP on loopback: signed Concur webhooks in, the pipeline, the Intacct
 * posting worker against the gateway simulator, confirmations back to the Concur simulator, GraphQL out.
 */
const POSTING_FIELDS = 'id status docType concurDocumentId reportId employeeId amount currency intacctRecordNo postingKey updatedAt';

interface PostingNode {
  id: string;
  status: string;
  concurDocumentId: string;
  intacctRecordNo: string | null;
  postingKey: string | null;
  amount: string | null;
}

describe('ml-connector end to end (sandbox systems, real HTTP)', () => {
  let e: E2e;
  const now = new Date();
  const expectations = demoExpectations;
  const ids = Object.keys(expectations);

  const statusOf = async (docId: string): Promise<string | null> => {
    const r = await e.graphql<{ posting: PostingNode | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id: docId });
    return r.data?.posting?.status ?? null;
  };
  const glbatchesFor = (postingKey: string) => e.systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === postingKey);
  const debits = (entries: Array<Record<string, string>>) =>
    unitsToDecimal(
      entries.filter((x) => x['TR_TYPE'] === '1').reduce((s, x) => s + decimalToUnits(x['TRX_AMOUNT']!, 2), 0n),
      2,
    );

  beforeAll(async () => {
    e = await startE2e();
    await runSandboxDemo(
      e.running,
      e.systems,
      {
        info() {},
        warn() {},
        error() {},
        debug() {},
        child() {
          return this;
        },
      },
      now,
    );
    // The cases below are about journals: the demo's second part switched targets on, so once its two
    // documents are evaluated, switch them off (the held-back invoice l then posts as a journal too).
    const targetIds = Object.keys(demoTargetExpectations);
    await e.settle(
      async () => targetIds.every((id) => !['RECEIVED', 'FETCHED', undefined].includes(e.running.service.queries.get(id)?.status)),
      'the target documents to be evaluated',
    );
    await e.running.service.importMappings(
      JSON.stringify({ targets: { expense: { outOfPocket: 'GLBATCH', companyCard: 'GLBATCH' }, invoice: 'GLBATCH' } }),
      'journals for the cases below',
      'system:test',
    );
    // The held-back document (invoice l) arrives by a signed ESS webhook, as in production.
    const held = demoDocuments(now).at(-1)!;
    await e.systems.concur.ess.deliver(e.systems.concur.ess.documentReady('invoice', held.id, e.systems.concur.url));
    await e.settle(async () => {
      for (const id of ids) {
        const s = await statusOf(id);
        const want = expectations[id]!.outcome;
        if (want === 'posted' && s !== 'CONFIRMED') return false;
        if (want === 'awaiting-mapping' && s !== 'AWAITING_MAPPING') return false;
        if (want === 'rejected-closed-period' && s !== 'REJECTED') return false;
      }
      for (const id of targetIds) if ((await statusOf(id)) !== 'CONFIRMED') return false;
      return true;
    }, 'every demo document to reach its expected state');
  }, 120_000);

  it('the demo documents of the targets post as an EEXPENSES and a CCTRANSACTION, and an APBILL, each record once', async () => {
    const shapes: string[][] = [];
    for (const id of Object.keys(demoTargetExpectations)) {
      const r = await e.graphql<{ posting: { status: string; records: Array<{ target: string; postingKey: string; state: string; recordNo: string }> } }>(
        `query($id: ID!) { posting(id: $id) { status records { target postingKey state recordNo } } }`,
        { id },
      );
      const posting = r.data!.posting;
      expect(posting.status).toBe('CONFIRMED');
      for (const rec of posting.records) {
        expect(rec.state).toBe('POSTED');
        expect(e.systems.intacct.state.records.filter((x) => x.controlId === rec.postingKey).map((x) => x.recordNo)).toEqual([rec.recordNo]);
      }
      shapes.push(posting.records.map((x) => x.target));
    }
    expect(shapes).toEqual([['EEXPENSES', 'CCTRANSACTION'], ['APBILL']]);
  });

  afterAll(async () => {
    await e?.close();
  });

  it('posts every postable document exactly once, balanced, with the RECORDNO confirmed to Concur', async () => {
    for (const id of ids.filter((i) => expectations[i]!.outcome === 'posted')) {
      const r = await e.graphql<{ posting: PostingNode }>(`query($id: ID!) { posting(id: $id) { ${POSTING_FIELDS} } }`, { id });
      const posting = r.data!.posting;
      expect(posting.status).toBe('CONFIRMED');
      const batches = glbatchesFor(posting.postingKey!);
      expect(batches, `GLBATCHes for ${id}`).toHaveLength(1);
      expect(batches[0]!.recordNo).toBe(posting.intacctRecordNo);
      const entries = batches[0]!.entries as Array<Record<string, string>>;
      const credits = unitsToDecimal(
        entries.filter((x) => x['TR_TYPE'] === '-1').reduce((s, x) => s + decimalToUnits(x['TRX_AMOUNT']!, 2), 0n),
        2,
      );
      expect(debits(entries)).toBe(credits);
      expect(debits(entries)).toBe(expectations[id]!.total);
      const confirmations = e.systems.concur.state.confirmations(id);
      expect(confirmations.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(confirmations[0])).toContain(posting.intacctRecordNo!);
    }
  });

  it('shows the complete timeline of a posted document', async () => {
    const id = ids.find((i) => expectations[i]!.outcome === 'posted')!;
    const r = await e.graphql<{ posting: { timeline: Array<{ type: string; actor: string; correlationId: string }> } }>(
      `query($id: ID!) { posting(id: $id) { timeline { type actor correlationId causationId occurredAt data } } }`,
      { id },
    );
    const types = r.data!.posting.timeline.map((t) => t.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'ConcurDocumentReceived',
        'ConcurDocumentFetched',
        'ConcurDocumentAcknowledged',
        'JournalEntryPrepared',
        'PostingRequested',
        'PostingSucceeded',
        'PostingConfirmedToConcur',
      ]),
    );
    expect(types.indexOf('PostingRequested')).toBeLessThan(types.indexOf('PostingSucceeded'));
    expect(types.indexOf('PostingSucceeded')).toBeLessThan(types.indexOf('PostingConfirmedToConcur'));
    for (const t of r.data!.posting.timeline) expect(t.actor).toMatch(/^(system|concur|user):/);
  });

  it('a duplicate webhook delivery changes nothing', async () => {
    const id = ids.find((i) => expectations[i]!.outcome === 'posted')!;
    const key = (await e.graphql<{ posting: PostingNode }>(`query($id: ID!) { posting(id: $id) { postingKey } }`, { id })).data!.posting.postingKey!;
    const before = (await e.running.store.readAll()).length;
    const notification = e.systems.concur.ess.documentReady('expense', id, e.systems.concur.url, 'redelivered-notification-1');
    for (let i = 0; i < 3; i++) expect((await e.systems.concur.ess.deliver(notification)).status).toBe(200);
    await e.settle(async () => true, 'read models');
    // One new ConcurDocumentReceived at most (a new notification id for a known document adds nothing).
    expect((await e.running.store.readAll()).length - before).toBeLessThanOrEqual(1);
    expect(glbatchesFor(key)).toHaveLength(1);
  });

  it('a mapping gap waits, and posts by itself once setMapping fills it', async () => {
    const id = ids.find((i) => expectations[i]!.outcome === 'awaiting-mapping')!;
    const gaps = await e.graphql<{ mappingGaps: Array<{ code: string; field: string }> }>(`{ mappingGaps { code field } }`);
    expect(gaps.data!.mappingGaps.map((g) => g.code)).toContain(DEMO_UNMAPPED_ACCOUNT_CODE);
    const set = await e.graphql(
      `mutation($v: JSON!) { setMapping(section: "accounts", key: "${DEMO_UNMAPPED_ACCOUNT_CODE}", value: $v, reason: "map the unmapped expense account") { revision } }`,
      { v: DEMO_UNMAPPED_ACCOUNT_FIX },
    );
    expect(set.errors).toBeUndefined();
    await e.settle(async () => (await statusOf(id)) === 'CONFIRMED', 'the gap document to post after setMapping');
    const key = (await e.graphql<{ posting: PostingNode }>(`query($id: ID!) { posting(id: $id) { postingKey } }`, { id })).data!.posting.postingKey!;
    expect(glbatchesFor(key)).toHaveLength(1);
    expect(debits(glbatchesFor(key)[0]!.entries as Array<Record<string, string>>)).toBe(expectations[id]!.total);
    const history = await e.graphql<{ mappingHistory: Array<{ key: string | null; actor: string; reason: string }> }>(
      `{ mappingHistory { key actor reason } }`,
    );
    expect(history.data!.mappingHistory.find((h) => h.key === DEMO_UNMAPPED_ACCOUNT_CODE)).toMatchObject({
      actor: 'user:sandbox',
      reason: 'map the unmapped expense account',
    });
  });

  it('a closed-period rejection says why, and posts on retry once the period is reopened', async () => {
    const id = ids.find((i) => expectations[i]!.outcome === 'rejected-closed-period')!;
    const r = await e.graphql<{ posting: PostingNode & { lastError: { category: string; message: string } } }>(
      `query($id: ID!) { posting(id: $id) { status postingKey lastError { category message } } }`,
      { id },
    );
    expect(r.data!.posting.lastError.category).toBe('closed-period');
    expect(glbatchesFor(r.data!.posting.postingKey!)).toHaveLength(0);
    // Concur was told, with the reason, so the audit trail there shows it too.
    expect(JSON.stringify(e.systems.concur.state.confirmations(id))).toContain('error');

    e.systems.intacct.state.closedPeriods.delete(demoClosedPeriod(now));
    const retry = await e.graphql(`mutation($id: ID!) { retryPosting(id: $id) { status } }`, { id });
    expect(retry.errors).toBeUndefined();
    await e.settle(async () => ['POSTED', 'CONFIRMED'].includes((await statusOf(id)) ?? ''), 'the retried document to post');
    expect(glbatchesFor(r.data!.posting.postingKey!)).toHaveLength(1);
  });

  it('a recalled and resubmitted report reverses the old entry and posts the new one, linked in the timeline', async () => {
    const reportId = 'RESUBMIT-0001';
    const first = generateExpenseDocument({ reportId, employeeId: 'E1021', accountCodes: ['476000'], entryCents: [12000] });
    await e.systems.concur.publishDocument(first);
    await e.settle(async () => (await statusOf(first.id)) === 'CONFIRMED', 'the first version to post');
    const second = generateExpenseDocument({ reportId, employeeId: 'E1021', accountCodes: ['476000'], entryCents: [13500] });
    await e.systems.concur.publishDocument(second);
    await e.settle(async () => (await statusOf(second.id)) === 'CONFIRMED' && (await statusOf(first.id)) === 'REVERSED', 'reversal and new posting');

    const old = await e.graphql<{ posting: { postingKey: string; timeline: Array<{ type: string; data: Record<string, unknown> }> } }>(
      `query($id: ID!) { posting(id: $id) { postingKey timeline { type data } } }`,
      { id: first.id },
    );
    const timeline = old.data!.posting.timeline;
    expect(timeline.find((t) => t.type === 'DocumentSuperseded')?.data).toMatchObject({ byConcurDocumentId: second.id });
    const reversalKey = `${old.data!.posting.postingKey}-REV`;
    const [original] = glbatchesFor(old.data!.posting.postingKey);
    const [reversal] = glbatchesFor(reversalKey);
    expect(reversal, 'a reversal GLBATCH').toBeDefined();
    // The mirror entry: same accounts and amounts, debit and credit swapped.
    const sides = (b: typeof original) =>
      (b!.entries as Array<Record<string, string>>).map((x) => `${x['ACCOUNTNO']}:${x['TRX_AMOUNT']}:${x['TR_TYPE']}`).sort();
    expect(sides(reversal)).toEqual(
      sides(original)
        .map((s) => s.replace(/:(-?1)$/, (_m, t: string) => `:${t === '1' ? '-1' : '1'}`))
        .sort(),
    );
    expect(timeline.some((t) => t.type === 'PostingRequested' && t.data['reverses'] === original!.recordNo)).toBe(true);
    const newKey = (await e.graphql<{ posting: PostingNode }>(`query($id: ID!) { posting(id: $id) { postingKey } }`, { id: second.id })).data!.posting
      .postingKey!;
    expect(debits(glbatchesFor(newKey)[0]!.entries as Array<Record<string, string>>)).toBe('135.00');
  });

  it('an employee unknown to Intacct is created (with its contact) and the document then posts', async () => {
    const doc = generateExpenseDocument({ employeeId: 'E5555', accountCodes: ['476000'], entryCents: [4200] });
    await e.systems.concur.publishDocument(doc);
    await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the new employee to be created and the document to post');
    const employees = e.systems.intacct.state.objects.get('EMPLOYEE')!;
    expect(employees.get('E5555')).toBeDefined();
    const timeline = await e.graphql<{ posting: { timeline: Array<{ type: string }> } }>(`query($id: ID!) { posting(id: $id) { timeline { type } } }`, {
      id: doc.id,
    });
    expect(timeline.data!.posting.timeline.map((t) => t.type)).toContain('MappingGapFound');
    const runs = await e.graphql<{ syncRuns: Array<{ kinds: string[] }> }>(`{ syncRuns { kinds } }`);
    expect(runs.data!.syncRuns.some((r) => r.kinds.includes('EMPLOYEE'))).toBe(true);
    const synced = await e.running.store.readStream('employee-E5555');
    expect(synced.map((x) => x.type)).toEqual(['EmployeeSynced']);
    expect(synced[0]!.data).toMatchObject({ concurEmployeeId: 'E5555', intacctEmployeeId: 'E5555', action: 'created' });
  });

  it('an employee whose email already belongs to another Intacct employee is reported, not duplicated', async () => {
    const contacts = e.systems.intacct.state.objects.get('CONTACT')!;
    const ana = [...e.systems.intacct.state.objects.get('EMPLOYEE')!.values()].find((r) => r['EMPLOYEEID'] === 'E1021')!;
    contacts.get(ana['PERSONALINFO.CONTACTNAME']!)!['EMAIL1'] = 'ana.lopez@example.com';
    const doc = generateExpenseDocument({ employeeId: 'AL-77', accountCodes: ['476000'], entryCents: [1500] });
    (doc.document['employee'] as Record<string, unknown>)['loginId'] = 'Ana.Lopez@example.com';
    await e.systems.concur.publishDocument(doc);
    await e.settle(async () => (await statusOf(doc.id)) === 'AWAITING_MAPPING', 'the document to wait for its employee');
    await e.settle(async () => {
      const runs = await e.graphql<{ syncRuns: Array<{ errors: string[] }> }>(`{ syncRuns { errors } }`);
      return runs.data!.syncRuns.some((r) => r.errors.some((x) => x.includes('AL-77') && x.includes('same email')));
    }, 'the conflict to be reported');
    expect(e.systems.intacct.state.objects.get('EMPLOYEE')!.has('AL-77')).toBe(false);
  });

  it('a notification for a document Concur does not know ends REJECTED with the reason, and posts on retry once it exists', async () => {
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [777] });
    await e.systems.concur.ess.deliver(e.systems.concur.ess.documentReady('expense', doc.id, e.systems.concur.url));
    await e.settle(async () => (await statusOf(doc.id)) === 'REJECTED', 'the unknown document to be rejected');
    const r = await e.graphql<{ posting: { rejectionReason: string } }>(`query($id: ID!) { posting(id: $id) { rejectionReason } }`, { id: doc.id });
    expect(r.data!.posting.rejectionReason).toMatch(/Concur does not know expense document/);
    e.systems.concur.addDocument(doc);
    expect((await e.graphql(`mutation($id: ID!) { retryPosting(id: $id) { status } }`, { id: doc.id })).errors).toBeUndefined();
    await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the document to post after the retry');
  });

  it('a cash advance issued in Concur posts: debit the cash advance account, credit the employee', async () => {
    const id = 'ca0000000000000000000000000000e2';
    e.systems.concur.addDocument({
      id,
      docType: 'cashadvance',
      companyId: '821599',
      entityId: null,
      companyUuid: null,
      erpSystemId: null,
      docStatus: 'READY',
      document: {
        employeeData: { employeeId: 'E1021', employeeFirstName: 'Ana', employeeLastName: 'Lopez' },
        cashAdvanceData: {
          cashAdvanceId: 'CA-E2E',
          cashAdvanceName: 'Trip to Lisbon',
          cashAdvanceAmount: 400,
          currencyCode: 'USD',
          issuedDate: now.toISOString(),
        },
        journalData: {},
      },
    });
    const href = `${e.systems.concur.url}/financialintegration/fi/v4/companies/transactiontypes/cashadvance/transactions?docId=${id}`;
    const delivery = await e.systems.concur.ess.deliver(
      e.systems.concur.ess.envelope({ eventType: 'cashadvance.readyForIntegration', facts: { documentId: id, href } }),
    );
    expect(delivery.status).toBe(200);
    await e.settle(async () => (await statusOf(id)) === 'CONFIRMED', 'the cash advance to post');
    const [batch] = glbatchesFor(`ML-CA-${id}-1`);
    const lines = (batch!.entries as Array<Record<string, string>>).map((x) => [x['ACCOUNTNO'], x['TR_TYPE'], x['TRX_AMOUNT'], x['EMPLOYEEID']]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['1450', '1', '400.00', 'E1021'],
        ['2100', '-1', '400.00', 'E1021'],
      ]),
    );
  });

  it('a replayed projection equals the original', async () => {
    const query = `{ postings(first: 100) { totalCount edges { node { ${POSTING_FIELDS} } } } }`;
    const before = await e.graphql(query);
    const replay = await e.graphql(`mutation { replayProjection(name: "posting-state") { name state } }`);
    expect(replay.errors).toBeUndefined();
    await e.settle(async () => {
      const p = await e.graphql<{ projections: Array<{ name: string; state: string }> }>(`{ projections { name state } }`);
      return p.data!.projections.every((x) => x.state === 'live');
    }, 'the rebuild to finish');
    const after = await e.graphql(query);
    expect(after.data).toEqual(before.data);
  });

  it('never writes a credential into the log or the event log', async () => {
    const { endpoints } = e.systems;
    const events = JSON.stringify(await e.running.store.readAll(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const text = `${e.lines.join('\n')}\n${events}`;
    for (const secret of [endpoints.concur.clientSecret, endpoints.intacct.senderPassword, endpoints.intacct.userPassword, endpoints.secretKey]) {
      expect(text.includes(secret), `secret found: ${secret.slice(0, 3)}…`).toBe(false);
    }
  });
});

describe('ml-connector API security outside sandbox', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ auth: true });
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  it('refuses unauthenticated requests', async () => {
    const r = await e.graphql(`{ postings(first: 1) { totalCount } }`, undefined, null);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.data ?? null).toBeNull();
  });

  it('lets a viewer read but not mutate; an admin may change mappings', async () => {
    expect((await e.graphql(`{ postings(first: 1) { totalCount } }`, undefined, TOKENS.viewer)).errors).toBeUndefined();
    const denied = await e.graphql(`mutation { setMapping(section: "journal", key: "", value: "GJ", reason: "x") { revision } }`, undefined, TOKENS.viewer);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const retry = await e.graphql(`mutation { replayProjection(name: "posting-state") { name } }`, undefined, TOKENS.viewer);
    expect(retry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await e.graphql(
      `mutation { setMapping(section: "journal", key: "", value: "GJ", reason: "switch journal") { revision } }`,
      undefined,
      TOKENS.admin,
    );
    expect(allowed.errors).toBeUndefined();
  });

  it('reports readiness of every part, and not ready when Intacct refuses the login', async () => {
    // /readyz answers from the background checks; run a round now rather than wait for the interval.
    await e.running.health.refresh();
    const ready = await fetch(`${e.running.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Array<{ name: string; ok: boolean; checkedAt: string; ageMs: number }> };
    expect(body.checks.map((c) => c.name)).toEqual(['event-store', 'posting-worker', 'projections', 'concur', 'intacct']);
    for (const c of body.checks) expect(c).toMatchObject({ ok: true, checkedAt: expect.any(String), ageMs: expect.any(Number) });
    const company = e.systems.intacct.state;
    const user = [...company.users.keys()][0]!;
    const password = company.users.get(user)!;
    company.users.set(user, 'rotated-by-an-admin');
    // The session in hand ends (as at its timeout): the next check must log in again, and fails.
    e.running.intacct.sessions.invalidate((await e.running.intacct.sessions.get()).sessionId);
    try {
      await e.running.health.refresh();
      const down = await fetch(`${e.running.url}/readyz`);
      expect(down.status).toBe(503);
      const text = await down.text();
      expect(JSON.parse(text).checks.find((c: { name: string }) => c.name === 'intacct')).toMatchObject({ ok: false });
      expect(text).not.toContain(password);
    } finally {
      company.users.set(user, password);
    }
  });

  it('refuses unsigned webhooks with 401 and stores nothing', async () => {
    const before = await e.running.store.headPosition();
    const res = await fetch(`${e.running.url}/webhooks/concur`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'concur-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: JSON.stringify({
        id: 'x1',
        topic: 'public.concur.financialintegration',
        eventType: 'expense.readyForIntegration',
        timeStamp: new Date().toISOString(),
        facts: { documentId: 'abc' },
      }),
    });
    expect(res.status).toBe(401);
    expect(await e.running.store.headPosition()).toBe(before);
  });
});
