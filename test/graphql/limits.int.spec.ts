import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { seedDocument } from './support/documents.js';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';

let connector: TestConnector;
let server: RunningServer;
const gql = (q: string, v?: Record<string, unknown>) => server.gql(q, v, TOKENS.viewer);

beforeAll(async () => {
  connector = new TestConnector();
  await seedDocument(connector, { id: 'L1', employeeId: 'E1', amount: '1.00', reportName: 'x', outcome: 'posted' });
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
});

describe('query limits', () => {
  it('allows the full introspection query', async () => {
    const r = await gql(getIntrospectionQuery());
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as any).__schema.queryType.name).toBe('Query');
  });

  it('allows an ordinary detailed page of postings', async () => {
    const r = await gql(
      `{ postings(first: 50) { totalCount edges { node { id status amount timeline { type occurredAt } journalEntry { lines { accountNo amount dimensions { target value } } } } } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as any).postings.edges[0].node.timeline.length).toBe(5);
  });

  it('a spread of an undefined fragment named like a prototype member is a validation error, not INTERNAL', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const r = await gql(`{ mappings { ...${name} } }`);
      expect(r.status, name).toBe(400);
      expect(r.body.errors?.[0]?.extensions?.code, name).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.body.errors?.[0]?.message).toBe(`Unknown fragment "${name}".`);
    }
  });

  it('refuses a query nested deeper than the limit, before running it', async () => {
    // Fragments count at the depth where they are spread: 7 levels, within the default limit of 10.
    const query = `
      fragment Deep on Posting { mappingRevision journalEntry { lines { dimensions { target value } } } }
      query TooDeep { postings(first: 5) { edges { node { ...Deep } } } mappingGaps { code documents { id } } }`;
    const ok = await gql(query);
    expect(ok.body.errors).toBeUndefined();
    const server2 = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false, limits: { maxDepth: 5 } });
    try {
      const r = await server2.gql(
        `query TooDeep { postings { edges { node { journalEntry { lines { dimensions { target } } } } } } }`,
        undefined,
        TOKENS.viewer,
      );
      expect(r.status).toBe(400);
      expect(r.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_DEEP');
      expect(r.body.errors![0]!.message).toBe('Query "TooDeep" is nested 7 levels deep; the limit is 5. Ask for fewer nested fields or split the query.');
      expect(r.body.data).toBeUndefined();
    } finally {
      await server2.close();
    }
  });

  it('refuses the default depth limit being exceeded through a fragment cycle without hanging', async () => {
    const r = await gql(`fragment A on Posting { id ...B } fragment B on Posting { id ...A } { postings { edges { node { ...A } } } }`);
    expect(r.status).toBe(400);
    expect(r.body.errors!.map((e) => e.message).join(' ')).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('refuses a query whose estimated cost is too high (large pages of timelines, aliases)', async () => {
    const everything =
      'timeline { id type data } attemptLog { requestXml responseXml } journalEntry { total } concurConfirmation { status } mappingUsed { json }';
    const big = await gql(`query Heavy { postings(first: 100) { edges { node { ${everything} } } } }`);
    expect(big.status).toBe(400);
    expect(big.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
    expect(big.body.errors![0]!.message).toMatch(/^Query "Heavy" has an estimated cost of \d+; the limit is 10000\. Request fewer items/);

    const aliases = Array.from({ length: 20 }, (_, i) => `p${i}: postings(first: 50) { edges { node { id timeline { id } } } }`).join(' ');
    const r = await gql(`{ ${aliases} }`);
    expect(r.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');

    // A variable page size without a default counts as the largest page (100).
    const variable = await gql(`query V($n: Int) { postings(first: $n) { edges { node { ${everything} } } } }`, { n: 1 });
    expect(variable.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
    const withDefault = await gql(`query V($n: Int = 5) { postings(first: $n) { edges { node { ${everything} } } } }`);
    expect(withDefault.body.errors).toBeUndefined();
  });

  it('refuses 1,000 aliases of postings(first: 100) { totalCount } before any resolver reads a row, and fast', async () => {
    const list = vi.spyOn(connector, 'listPostings');
    const page = vi.spyOn(connector.queries, 'list');
    try {
      for (const first of [100, 1]) {
        const aliases = Array.from({ length: 1_000 }, (_, i) => `p${i}: postings(first: ${first}) { totalCount }`).join(' ');
        const started = performance.now();
        const r = await gql(`query Counts { ${aliases} }`);
        const ms = performance.now() - started;
        expect(r.status).toBe(400);
        expect(r.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
        expect(r.body.errors![0]!.extensions!.cost).toBe(1_000 * (5 + first + 100));
        expect(r.body.data).toBeUndefined();
        expect(ms).toBeLessThan(1_000);
        process.stdout.write(`1,000 aliases of postings(first: ${first}) { totalCount }: refused in ${Math.round(ms)} ms\n`);
      }
      expect(list).not.toHaveBeenCalled();
      expect(page).not.toHaveBeenCalled();
      // A single count still runs.
      const one = await gql('{ postings(first: 10) { totalCount } }');
      expect(one.body.errors).toBeUndefined();
      expect(list).toHaveBeenCalledTimes(1);
    } finally {
      list.mockRestore();
      page.mockRestore();
    }
  });

  it('survives a fragment "bomb" (each fragment spreading the next many times) quickly', async () => {
    const n = 30;
    const fragments = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on Posting { id }` : `fragment F${i} on Posting { id ...F${i + 1} ...F${i + 1} a${i}: journalEntry { total } }`,
    ).join('\n');
    const started = Date.now();
    const r = await gql(`${fragments}\n{ postings(first: 1) { edges { node { ...F0 } } } }`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe(200);
  });

  it('refuses a body above the size limit with 413', async () => {
    const body = JSON.stringify({ query: `{ postings { totalCount } }`, variables: { pad: 'x'.repeat(70 * 1024) } });
    const r = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.viewer}` }, body });
    expect(r.status).toBe(413);
    const json = (await r.json()) as any;
    expect(json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(json.errors[0].message).toContain('larger than 65536 bytes');
  });

  it('refuses methods other than GET and POST', async () => {
    const r = await fetch(server.url, { method: 'DELETE', headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST');
  });
});
