import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { demoClosedPeriod, demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startE2e, TOKENS, type E2e } from './harness.js';

/**
 * The operator log of the real service (bearer tokens, signed webhooks, simulators on loopback): the
 * JSON lines its logger wrote. Every operator action names its actor (and the document and report
 * where there is one); every refused posting or webhook is a warning naming the document.
 */
type Line = Record<string, unknown> & { level: string; msg: string };

describe('operator log', () => {
  let e: E2e;
  const parsed = (): Line[] => e.lines.map((l) => JSON.parse(l) as Line);
  const find = (predicate: (l: Line) => boolean): Line[] => parsed().filter(predicate);
  const waitForLine = async (what: string, predicate: (l: Line) => boolean): Promise<Line> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = find(predicate);
      if (found.length) return found[0]!;
      if (Date.now() > deadline) throw new Error(`no log line for ${what}; last lines:\n${e.lines.slice(-15).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const statusOf = async (id: string) =>
    (await e.graphql<{ posting: { status: string } | null }>('query($id: ID!) { posting(id: $id) { status } }', { id })).data?.posting?.status ?? null;
  const operator = (query: string, variables?: Record<string, unknown>) => e.graphql(query, variables, TOKENS.operator);

  beforeAll(async () => {
    e = await startE2e({ auth: true });
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('mapping import and setMapping: actor, reason, what changed; a refused change too', async () => {
    const first = await e.graphql(`mutation($j: String!) { importMappings(json: $j, reason: "go-live set") { revision } }`, { j: demoMappingsJson() });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const imported = await waitForLine('the import', (l) => l['action'] === 'importMappings' && l.level === 'info');
    expect(imported).toMatchObject({ actor: 'user:admin', mode: 'merge', dryRun: false, reason: 'go-live set', changed: true, component: 'operator' });

    expect(
      (
        await e.graphql(`mutation($j: String!) { importMappings(json: $j, dryRun: true, reason: "preview") { revision } }`, {
          j: '{"accounts": {"479999": "6800"}}',
        })
      ).errors,
    ).toBeUndefined();
    expect(find((l) => l['action'] === 'importMappings' && l['dryRun'] === true)[0]).toMatchObject({
      actor: 'user:admin',
      changed: false,
      msg: expect.stringContaining('dry run'),
    });

    // An operator may not change mappings: the refusal is logged with who tried.
    const forbidden = await operator(`mutation { setMapping(section: "accounts", key: "479100", value: "6800", reason: "conference fees") { revision } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await waitForLine('the forbidden change', (l) => l['action'] === 'setMapping' && l['actor'] === 'user:ops')).toMatchObject({
      level: 'warn',
      code: 'FORBIDDEN',
      key: '479100',
      value: '6800',
    });

    expect(
      (await e.graphql(`mutation { setMapping(section: "accounts", key: "479100", value: "6800", reason: "conference fees") { revision } }`)).errors,
    ).toBeUndefined();
    const set = await waitForLine('setMapping', (l) => l['action'] === 'setMapping' && l['key'] === '479100' && l.level === 'info');
    expect(set).toMatchObject({ actor: 'user:admin', section: 'accounts', value: '6800', reason: 'conference fees', changed: true, component: 'operator' });
    expect(set.msg).toMatch(/^mapping accounts\.479100 set by user:admin: /);

    // A misspelt section: refused, and the refusal is logged with its actor and what was asked.
    const refused = await e.graphql(`mutation { setMapping(section: "acounts", key: "479101", value: "6800", reason: "typo") { revision } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const line = await waitForLine('the refused change', (l) => l['action'] === 'setMapping' && l['key'] === '479101');
    expect(line).toMatchObject({ level: 'warn', actor: 'user:admin', section: 'acounts', value: '6800', code: 'BAD_USER_INPUT' });
    expect(line.msg).toMatch(/^setMapping by user:admin refused: Unknown mapping section "acounts"/);
  });

  it('a document waiting for a mapping: the line names the document and its report', async () => {
    const reportName = 'Gap report Q4 "Oslo"';
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['479555'], entryCents: [1200], reportName });
    await e.systems.concur.publishDocument(doc);
    const line = await waitForLine('waits for mappings', (l) => l['documentId'] === doc.id && String(l.msg).includes('waits for mappings'));
    expect(line).toMatchObject({ level: 'warn', actor: 'system:document-pipeline', documentId: doc.id, docType: 'expense', reportName });
    expect(line.msg).toContain(`"${reportName}"`);
    expect(line['gaps']).toEqual(['accounts:479555']);
  });

  it('a posting Intacct refuses (closed period) and its retry: document id, report name, actor', async () => {
    const [year, month] = demoClosedPeriod(new Date()).split('-').map(Number) as [number, number];
    const submitDate = new Date(Date.UTC(year, month - 1, 15)).toISOString();
    const reportName = 'Closed period trip';
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [3300], reportName, submitDate });
    await e.systems.concur.publishDocument(doc);
    const refused = await waitForLine('the Intacct refusal', (l) => l['documentId'] === doc.id && l['rejected'] === 'intacct');
    expect(refused).toMatchObject({ level: 'warn', actor: 'system:document-pipeline', reportName, category: 'closed-period' });
    await e.settle(async () => (await statusOf(doc.id)) === 'REJECTED', 'the document to be rejected');

    const retry = await operator(`mutation($id: ID!) { retryPosting(id: $id, batchDate: "2099-01-15", reason: "period closed, post in January") { status } }`, {
      id: doc.id,
    });
    expect(retry.errors).toBeUndefined();
    const line = await waitForLine('the retry', (l) => l['action'] === 'retryPosting' && l['documentId'] === doc.id && l.level === 'info');
    expect(line).toMatchObject({ actor: 'user:ops', reportName, batchDate: '2099-01-15', reason: 'period closed, post in January' });

    const unknown = await operator(`mutation { retryPosting(id: "no-such-doc") { status } }`);
    expect(unknown.errors).toBeDefined();
    expect(await waitForLine('the refused retry', (l) => l['action'] === 'retryPosting' && l['documentId'] === 'no-such-doc')).toMatchObject({
      level: 'warn',
      actor: 'user:ops',
      code: 'NOT_FOUND',
    });
    // Retrying a document that is not retryable is refused too, naming its report.
    const again = await operator(`mutation($id: ID!) { retryPosting(id: $id) { status } }`, { id: doc.id });
    if (again.errors) {
      expect(
        await waitForLine('the refused second retry', (l) => l['action'] === 'retryPosting' && l['documentId'] === doc.id && l.level === 'warn'),
      ).toMatchObject({ actor: 'user:ops', reportName });
    }
  });

  it('replay, backfill and sync: started and finished, each with its actor', async () => {
    const replay = await e.graphql(`mutation { replayProjection(name: "posting-state") { name } }`);
    expect(replay.errors, JSON.stringify(replay.errors)).toBeUndefined();
    await waitForLine('replay finished', (l) => l['action'] === 'replayProjection' && String(l.msg).includes('finished'));
    expect(find((l) => l['action'] === 'replayProjection')[0]).toMatchObject({
      actor: 'user:admin',
      projection: 'posting-state',
      msg: expect.stringContaining('started by user:admin'),
    });

    const today = new Date().toISOString().slice(0, 10);
    expect((await operator(`mutation($d: Date!) { backfill(from: $d, to: $d, dryRun: true) { id } }`, { d: today })).errors).toBeUndefined();
    const backfill = await waitForLine('backfill finished', (l) => l['action'] === 'backfill' && String(l.msg).includes('finished'));
    expect(backfill).toMatchObject({ actor: 'user:ops', from: today, to: today, dryRun: true, state: 'succeeded' });

    const synced = await operator(`mutation { syncReferenceData(kinds: [DIMENSIONS]) { id } }`);
    expect(synced.errors, JSON.stringify(synced.errors)).toBeUndefined();
    const sync = await waitForLine('sync finished', (l) => l['action'] === 'syncReferenceData' && String(l.msg).includes('finished'));
    expect(sync).toMatchObject({ actor: 'user:ops', kinds: ['dimensions'] });
    // The sync itself says who started it (the scheduler's runs say system:scheduler).
    expect(find((l) => l['action'] === 'reference-sync' && l['actor'] === 'user:ops')[0]?.msg).toBe('reference sync finished (started by user:ops)');
  });

  it('refused webhooks: one warning each, with the reason and the document when the notification names one', async () => {
    const url = `${e.running.url}/webhooks/concur`;
    const body = JSON.stringify(e.systems.concur.ess.documentReady('expense', 'doc-forged-1', e.systems.concur.url));
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'concur-signature': 'bm90IGEgc2lnbmF0dXJl' }, body });
    expect(forged.status).toBe(401);
    const line = await waitForLine('the refused signature', (l) => l['error'] === 'invalid_signature');
    expect(line).toMatchObject({ level: 'warn', actor: 'concur-webhook', status: 401 });
    // Nothing of an unverified body is trusted, not even the id it claims.
    expect(line['documentId']).toBeUndefined();

    // Signed, but not a valid ESS envelope (no timeStamp): refused, naming the document it claims.
    const invalid = e.systems.concur.ess.envelope({ eventType: 'expense.readyForIntegration', facts: { documentId: 'doc-invalid-7' } });
    delete invalid['timeStamp'];
    const delivery = await e.systems.concur.ess.deliver(invalid, { maxAttempts: 1 }, url);
    expect(delivery.status).toBe(400);
    expect(await waitForLine('the invalid notification', (l) => l['error'] === 'invalid_notification')).toMatchObject({
      level: 'warn',
      actor: 'concur-webhook',
      status: 400,
      documentId: 'doc-invalid-7',
    });

    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(await waitForLine('the GET', (l) => l['error'] === 'method_not_allowed')).toMatchObject({ level: 'warn', actor: 'concur-webhook', method: 'GET' });
  });

  it('the Concur credential: its first use and its rotations are logged, never its value', async () => {
    const line = await waitForLine('the credential line', (l) => l['action'] === 'credential-change');
    expect(line).toMatchObject({ level: 'info', system: 'concur' });
    expect(['config', 'system:concur-oauth']).toContain(line['actor']);
    const refreshToken = e.systems.endpoints.concur.refreshToken!;
    for (const l of e.lines) expect(l.includes(refreshToken)).toBe(false);
  });
});
