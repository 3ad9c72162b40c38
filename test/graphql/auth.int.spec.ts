import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStreamId } from '../../src/domain/document/events.js';
import { seedDocument } from './support/documents.js';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';

let connector: TestConnector;
let server: RunningServer;
let sandbox: RunningServer;
const rejected = documentStreamId('expense', 'A2');

beforeAll(async () => {
  connector = new TestConnector();
  await seedDocument(connector, { id: 'A1', employeeId: 'E1', amount: '12.00', reportName: 'Lunch', outcome: 'posted' });
  await seedDocument(connector, { id: 'A2', employeeId: 'E1', amount: '99.90', reportName: 'Hotel', outcome: 'rejected' });
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false });
  sandbox = await startGraphqlServer({ api: connector, tokens: '', sandbox: true });
});
afterAll(async () => {
  await server?.close();
  await sandbox?.close();
  await connector?.close();
});

const RETRY = `mutation R($id: ID!) { retryPosting(id: $id) { id status } }`;
const SET = `mutation { setMapping(section: "accounts", key: "01028", value: "6500", reason: "new expense type") { revision actor reason } }`;

describe('authentication', () => {
  it('refuses unauthenticated requests outside sandbox with 401 UNAUTHENTICATED, even introspection', async () => {
    for (const query of ['{ postings { totalCount } }', '{ __schema { queryType { name } } }']) {
      const r = await server.gql(query, undefined, null);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(r.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(r.body.errors![0]!.message).toContain('Authorization: Bearer');
      expect(r.body.data).toBeUndefined();
    }
  });

  it('refuses an unknown token without echoing it', async () => {
    const wrong = 'wrong-token-but-long-enough-123';
    const r = await server.gql('{ postings { totalCount } }', undefined, wrong);
    expect(r.status).toBe(401);
    expect(r.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(r.text).not.toContain(wrong);
  });

  it('in sandbox mode serves requests without a token as the admin "sandbox"', async () => {
    const r = await sandbox.gql(SET, undefined, null);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.setMapping).toMatchObject({ actor: 'user:sandbox', reason: 'new expense type' });
    const history = await sandbox.gql('{ mappingHistory { actor section key value reason } }', undefined, null);
    expect(history.body.data!.mappingHistory.at(-1)).toEqual({
      actor: 'user:sandbox',
      section: 'accounts',
      key: '01028',
      value: '"6500"',
      reason: 'new expense type',
    });
  });

  it('answers GET queries (with the CSRF preflight header) and shows the explorer page only in sandbox', async () => {
    const query = encodeURIComponent('{ postings { totalCount } }');
    const get = await fetch(`${server.url}?query=${query}`, { headers: { authorization: `Bearer ${TOKENS.viewer}`, 'apollo-require-preflight': 'true' } });
    expect(((await get.json()) as any).data.postings.totalCount).toBe(2);
    const csrf = await fetch(`${server.url}?query=${query}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    expect(csrf.status).toBe(400);
    const page = await fetch(sandbox.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const noPage = await fetch(server.url, { headers: { accept: 'text/html', authorization: `Bearer ${TOKENS.viewer}` } });
    expect(noPage.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('refuses to start outside sandbox without tokens', async () => {
    await expect(startGraphqlServer({ api: connector, tokens: '', sandbox: false })).rejects.toThrow(/ML_API_TOKENS is required outside sandbox/);
  });
});

describe('roles', () => {
  it('lets a viewer read but not mutate (FORBIDDEN naming the role needed)', async () => {
    expect((await server.gql('{ postings { totalCount } }', undefined, TOKENS.viewer)).body.data!.postings.totalCount).toBe(2);
    const retry = await server.gql(RETRY, { id: rejected }, TOKENS.viewer);
    expect(retry.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(retry.body.errors![0]!.message).toBe(
      'Mutation.retryPosting needs the operator role; token "vera" has the viewer role. Ask an admin for a token with that role.',
    );
    const set = await server.gql(SET, undefined, TOKENS.viewer);
    expect(set.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    // Nothing happened: the document is unchanged and no mapping was recorded by vera.
    expect((await connector.timeline(rejected)).map((e) => e.type)).not.toContain('PostingRetryRequested');
    expect((await connector.mappingHistory()).some((h) => h.actor === 'user:vera')).toBe(false);
  });

  it('lets an operator retry but not change mappings; an admin may do both', async () => {
    const set = await server.gql(SET, undefined, TOKENS.operator);
    expect(set.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(set.body.errors![0]!.message).toContain('needs the admin role');

    const retry = await server.gql(RETRY, { id: rejected }, TOKENS.operator);
    expect(retry.body.errors).toBeUndefined();
    expect(retry.body.data!.retryPosting.id).toBe(rejected);
    const last = (await connector.timeline(rejected)).at(-1)!;
    expect(last.type).toBe('PostingRetryRequested');
    expect(last.metadata.actor).toBe('user:otto');

    const admin = await server.gql(SET, undefined, TOKENS.admin);
    expect(admin.body.data!.setMapping.actor).toBe('user:ada');
  });
});

describe('error codes', () => {
  it('retryPosting of an unknown id is NOT_FOUND; of a posted document CONFLICT', async () => {
    const unknown = await server.gql(RETRY, { id: 'document-expense-NOPE' }, TOKENS.operator);
    expect(unknown.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(unknown.body.errors![0]!.message).toContain('No posting with id "document-expense-NOPE"');
    const posted = await server.gql(RETRY, { id: 'A1' }, TOKENS.operator);
    expect(posted.body.errors![0]!.extensions!.code).toBe('CONFLICT');
    expect(posted.body.errors![0]!.message).toContain('is POSTED (Intacct RECORDNO RNA1)');
  });

  it('hides unexpected failures behind INTERNAL with a reference, with no stack and no secret', async () => {
    connector.failNext = { method: 'listPostings', error: new Error(`sqlite exploded; INTACCT_USER_PASSWORD=hunter2hunter2 token ${TOKENS.admin}`) };
    const r = await server.gql('{ postings { totalCount } }', undefined, TOKENS.viewer);
    const error = r.body.errors![0]!;
    expect(error.extensions!.code).toBe('INTERNAL');
    expect(error.extensions!.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain(String(error.extensions!.reference));
    expect(error.extensions!.stacktrace).toBeUndefined();
    expect(r.text).not.toMatch(/hunter2|sqlite exploded|at .*\.ts:\d+/);
    expect(r.text).not.toContain(TOKENS.admin);
    // The operator finds the cause under the reference, with the credentials still masked.
    const logged = server.logs.find((l) => l.fields?.reference === error.extensions!.reference)!;
    expect(String(logged.fields!.error)).toContain('sqlite exploded');
    expect(JSON.stringify(logged)).not.toMatch(/hunter2|admin-token/);
  });

  it('passes application errors with a code through, scrubbing configured secrets', async () => {
    connector.failNext = {
      method: 'retryPosting',
      error: Object.assign(new Error(`Stream changed concurrently (seen with ${TOKENS.operator})`), { code: 'CONFLICT' }),
    };
    const r = await server.gql(RETRY, { id: rejected }, TOKENS.operator);
    expect(r.body.errors![0]!.extensions!.code).toBe('CONFLICT');
    expect(r.body.errors![0]!.message).toBe('Stream changed concurrently (seen with [REDACTED])');
  });

  it('gives schema errors GRAPHQL_VALIDATION_FAILED and bad JSON bodies BAD_REQUEST', async () => {
    const invalid = await server.gql('{ postings { nope } }', undefined, TOKENS.viewer);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const bad = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.viewer}` },
      body: '{"query": ',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
