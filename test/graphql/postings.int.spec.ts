import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_STATUSES } from '../../src/domain/document/state.js';
import { documentStreamId } from '../../src/domain/document/events.js';
import { seedDocument, SENDER_PASSWORD, SESSION_ID, USER_PASSWORD, type DocSpec } from './support/documents.js';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';

const outcomes: DocSpec['outcome'][] = ['posted', 'posted', 'gap', 'rejected', 'failed', 'received'];
const specs: DocSpec[] = Array.from({ length: 30 }, (_, i) => ({
  id: `D${String(i + 1).padStart(3, '0')}`,
  employeeId: i % 3 === 0 ? 'E1' : 'E2',
  amount: `${(i + 1) * 10}.${String(i % 100).padStart(2, '0')}`,
  reportName: i === 7 ? 'Client visit Zurich' : `Trip ${i + 1}`,
  outcome: outcomes[i % outcomes.length]!,
  gapCode: i % 2 === 0 ? '01028' : '01999',
}));

let connector: TestConnector;
let server: RunningServer;
const gql = (q: string, v?: Record<string, unknown>) => server.gql(q, v, TOKENS.viewer);

beforeAll(async () => {
  connector = new TestConnector();
  for (const spec of specs) await seedDocument(connector, spec);
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
});

const PAGE = `query Page($filter: PostingFilter, $first: Int, $after: String) {
  postings(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id status docType concurDocumentId reportId employeeId amount currency intacctRecordNo postingKey updatedAt } }
  }
}`;

describe('postings', () => {
  it('pages through every posting newest first with Relay cursors and a stable totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r: any = await gql(PAGE, { first: 7, after });
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.postings;
      expect(c.totalCount).toBe(30);
      seen.push(...c.edges.map((e: any) => e.node.concurDocumentId));
      after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(5);
    expect(seen).toEqual(specs.map((s) => s.id).reverse());
  });

  it('filters by status, employee, amount range and text, counting only matches', async () => {
    const posted = await gql(PAGE, { filter: { status: ['POSTED'] }, first: 100 });
    const postedIds = specs.filter((s) => s.outcome === 'posted').map((s) => s.id);
    expect(posted.body.data!.postings.totalCount).toBe(postedIds.length);
    for (const e of posted.body.data!.postings.edges) {
      expect(e.node.status).toBe('POSTED');
      expect(e.node.intacctRecordNo).toBe(`RN${e.node.concurDocumentId}`);
      expect(e.node.postingKey).toBe(`ML-EXP-${e.node.concurDocumentId}-1`);
    }

    const combined = await gql(PAGE, { filter: { status: ['POSTED', 'REJECTED'], employeeId: 'E1', minAmount: '50', maxAmount: '200.00' }, first: 100 });
    const expected = specs.filter(
      (s) => ['posted', 'rejected'].includes(s.outcome) && s.employeeId === 'E1' && Number(s.amount) >= 50 && Number(s.amount) <= 200,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(combined.body.data!.postings.edges.map((e: any) => e.node.concurDocumentId).sort()).toEqual(expected.map((s) => s.id).sort());
    expect(combined.body.data!.postings.totalCount).toBe(expected.length);
    // Money stays a decimal string, exactly as it arrived.
    expect(combined.body.data!.postings.edges[0].node.amount).toMatch(/^\d+\.\d{2}$/);

    const text = await gql(PAGE, { filter: { text: 'zurich' }, first: 10 });
    expect(text.body.data!.postings.edges.map((e: any) => e.node.concurDocumentId)).toEqual(['D008']);

    const today = new Date().toISOString().slice(0, 10);
    const byDate = await gql(PAGE, { filter: { from: today, to: today, docType: ['expense'] }, first: 1 });
    expect(byDate.body.data!.postings.totalCount).toBe(30);
    const past = await gql(PAGE, { filter: { to: '2020-01-01' }, first: 1 });
    expect(past.body.data!.postings.totalCount).toBe(0);
  });

  it('refuses bad filter and page input with BAD_USER_INPUT and a message saying what to send', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ first: 1000 }, /"first" must be between 0 and 100/],
      [{ after: 'not-a-cursor' }, /"after" is not a cursor/],
      [{ filter: { minAmount: '12,50' } }, /minAmount must be a decimal amount/],
      [{ filter: { minAmount: '20', maxAmount: '10' } }, /minAmount \(20\) is greater than maxAmount \(10\)/],
      [{ filter: { docType: ['expenses'] } }, /Unknown document type "expenses"/],
      [{ filter: { from: '2026-02-30' } }, /calendar date/],
    ];
    for (const [variables, message] of cases) {
      const r = await gql(PAGE, variables);
      expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message).toMatch(message);
    }
  });

  it('exposes exactly the DocumentStatus values of docs/contract.md', async () => {
    const r = await gql(`{ __type(name: "DocumentStatus") { enumValues { name } } }`);
    expect(r.body.data!.__type.enumValues.map((v: any) => v.name)).toEqual([
      'RECEIVED',
      'FETCHED',
      'AWAITING_MAPPING',
      'READY',
      'POSTING',
      'POSTED',
      'FAILED',
      'REJECTED',
      'CONFIRMED',
      'SUPERSEDED',
      'REVERSED',
    ]);
    expect([...DOCUMENT_STATUSES]).toEqual(r.body.data!.__type.enumValues.map((v: any) => v.name));
  });
});

describe('posting', () => {
  const DETAIL = `query One($id: ID!) {
    posting(id: $id) {
      id status intacctRecordNo attempts
      timeline { id type position revision occurredAt recordedAt actor correlationId causationId data }
      journalEntry { postingKey journal batchDate total currency lines { accountNo trType amount kind dimensions { target value } } }
      attemptLog { number outcome recordNo result requestXml responseXml error { category message } exchanges { requestXml responseXml noResponseReason sentAt durationMs } }
      mappingRevision
      lastError { category errorNo correction message }
    }
  }`;

  it('shows the full timeline, the journal entry and each attempt with redacted XML', async () => {
    const id = documentStreamId('expense', 'D001');
    const r = await gql(DETAIL, { id });
    expect(r.body.errors).toBeUndefined();
    const p = r.body.data!.posting;
    expect(p.status).toBe('POSTED');
    expect(p.timeline.map((e: any) => e.type)).toEqual([
      'ConcurDocumentReceived',
      'ConcurDocumentFetched',
      'JournalEntryPrepared',
      'PostingRequested',
      'PostingSucceeded',
    ]);
    expect(p.timeline.map((e: any) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(p.timeline[0].data.notificationId).toBe('n-D001');
    expect(p.timeline[4].actor).toBe('system:intacct');
    expect(p.journalEntry).toMatchObject({ postingKey: 'ML-EXP-D001-1', journal: 'EXPJ', batchDate: '2026-11-20', total: '10.00', currency: 'USD' });
    expect(p.journalEntry.lines[0]).toEqual({
      accountNo: '6500',
      trType: 1,
      amount: '10.00',
      kind: 'expense',
      dimensions: [
        { target: 'DEPARTMENT', value: 'D100' },
        { target: 'LOCATION', value: '100' },
      ],
    });
    expect(p.attemptLog).toHaveLength(1);
    expect(p.attemptLog[0]).toMatchObject({ number: 1, outcome: 'SUCCEEDED', recordNo: 'RND001', result: 'created' });
    expect(p.attemptLog[0].requestXml).toContain('<controlid>ML-EXP-D001-1</controlid>');
    expect(p.attemptLog[0].requestXml).toContain('<password>[REDACTED]</password>');
    expect(p.attemptLog[0].responseXml).toContain('<sessionid>[REDACTED]</sessionid>');
    expect(p.attemptLog[0].exchanges).toHaveLength(2);
    expect(p.attemptLog[0].exchanges[0]).toMatchObject({
      responseXml: null,
      noResponseReason: 'HTTP 524 from the gateway',
      sentAt: '2026-11-20T10:00:00.000Z',
      durationMs: 4012,
    });
    expect(p.attemptLog[0].exchanges[0].requestXml).toContain('<password>[REDACTED]</password>');
    expect(p.attemptLog[0].exchanges[1]).toMatchObject({
      requestXml: p.attemptLog[0].requestXml,
      responseXml: p.attemptLog[0].responseXml,
      noResponseReason: null,
      durationMs: 87,
    });
    expect(p.mappingRevision).toBe(0);
    for (const secret of [SENDER_PASSWORD, USER_PASSWORD, SESSION_ID]) expect(r.text).not.toContain(secret);
  });

  it('shows why a rejected posting needs a person, without the secret quoted in the message', async () => {
    const r = await gql(DETAIL, { id: 'D004' });
    const p = r.body.data!.posting;
    expect(p.status).toBe('REJECTED');
    expect(p.lastError).toMatchObject({ category: 'closed-period', errorNo: 'BL03000054', correction: 'Open the period or change the batch date' });
    expect(p.attemptLog[0].outcome).toBe('REJECTED');
    expect(r.text).not.toContain(USER_PASSWORD);
    expect(r.text).not.toContain(SENDER_PASSWORD);
  });

  it('returns null for an unknown id', async () => {
    const r = await gql(DETAIL, { id: 'document-expense-NOPE' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.posting).toBeNull();
  });
});

describe('mappingGaps and statistics', () => {
  it('groups waiting documents by code and field', async () => {
    const r = await gql(`{ mappingGaps { kind code field message documentCount documents { concurDocumentId status } } }`);
    expect(r.body.errors).toBeUndefined();
    const waiting = specs.filter((s) => s.outcome === 'gap');
    const byCode = (code: string) =>
      waiting
        .filter((s) => s.gapCode === code)
        .map((s) => s.id)
        .sort();
    const groups = r.body.data!.mappingGaps;
    expect(groups.map((g: any) => g.code).sort()).toEqual([...new Set(waiting.map((s) => s.gapCode))].sort());
    for (const g of groups) {
      expect(g.field).toBe('accounts');
      expect(g.documentCount).toBe(byCode(g.code).length);
      expect(g.documents.map((d: any) => d.concurDocumentId).sort()).toEqual(byCode(g.code));
      expect(g.documents.every((d: any) => d.status === 'AWAITING_MAPPING')).toBe(true);
    }
  });

  it('sums amounts exactly per day and status', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await gql(`query S($d: Date) { statistics(from: $d, to: $d) { day status currency count amount } }`, { d: today });
    const posted = r.body.data!.statistics.find((s: any) => s.status === 'POSTED');
    const postedSpecs = specs.filter((s) => s.outcome === 'posted');
    const cents = postedSpecs.reduce((sum, s) => sum + BigInt(s.amount.replace('.', '')), 0n);
    expect(posted).toEqual({
      day: today,
      status: 'POSTED',
      currency: 'USD',
      count: postedSpecs.length,
      amount: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`,
    });
  });
});
