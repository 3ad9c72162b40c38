import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDocument, type DocSpec } from './support/documents.js';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';

let connector: TestConnector;
let server: RunningServer;
const admin = (q: string, v?: Record<string, unknown>) => server.gql(q, v, TOKENS.admin);
const operator = (q: string, v?: Record<string, unknown>) => server.gql(q, v, TOKENS.operator);

beforeAll(async () => {
  connector = new TestConnector();
  const outcomes: DocSpec['outcome'][] = ['posted', 'gap', 'rejected', 'failed'];
  for (let i = 0; i < 12; i++)
    await seedDocument(connector, { id: `O${i}`, employeeId: 'E1', amount: `${i}.5`, reportName: `R${i}`, outcome: outcomes[i % 4]! });
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mappings', () => {
  it('records changes with actor and reason, and reads the set as of a past time', async () => {
    const imported = await admin(`mutation I($json: String!) { importMappings(json: $json, reason: "initial load") { revision actor } }`, {
      json: JSON.stringify({ journal: 'EXPJ', accounts: { '01028': '6500' } }),
    });
    expect(imported.body.data!.importMappings).toEqual({ revision: 0, actor: 'user:ada' });
    await sleep(5);
    const between = new Date().toISOString();
    await sleep(5);
    const set = await admin(`mutation { setMapping(section: "accounts", key: "01999", value: "6510", reason: "meals") { revision } }`);
    expect(set.body.data!.setMapping.revision).toBe(1);
    const removed = await admin(`mutation { removeMapping(section: "accounts", key: "01028", reason: "retired code") { revision reason } }`);
    expect(removed.body.data!.removeMapping).toEqual({ revision: 2, reason: 'retired code' });

    const now = await server.gql(`{ mappings { revision document json } }`, undefined, TOKENS.viewer);
    expect(now.body.data!.mappings.document).toMatchObject({ journal: 'EXPJ', accounts: { '01999': '6510' } });
    expect(JSON.parse(now.body.data!.mappings.json)).toEqual(now.body.data!.mappings.document);
    const then = await server.gql(`query M($t: DateTime) { mappings(asOf: $t) { revision document asOf } }`, { t: between }, TOKENS.viewer);
    expect(then.body.data!.mappings).toMatchObject({ revision: 0, document: { journal: 'EXPJ', accounts: { '01028': '6500' } }, asOf: between });

    const history = await server.gql(`{ mappingHistory { revision type section key value reason actor occurredAt } }`, undefined, TOKENS.viewer);
    // Newest first, as the service answers; sorted here to read in order.
    expect(history.body.data!.mappingHistory.map((h: any) => [h.revision, h.type, h.key, h.reason, h.actor]).sort((a: any, b: any) => a[0] - b[0])).toEqual([
      [0, 'MappingsImported', null, 'initial load', 'user:ada'],
      [1, 'MappingChanged', '01999', 'meals', 'user:ada'],
      // A removal is a MappingChanged to null: the domain has no other event for it.
      [2, 'MappingChanged', '01028', 'retired code', 'user:ada'],
    ]);
  });

  it('refuses malformed mapping input with BAD_USER_INPUT before anything is recorded', async () => {
    const before = (await connector.mappingHistory()).length;
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [`mutation I($j: String!) { importMappings(json: $j) { revision } }`, { j: '{"accounts": ' }, /json is not valid JSON/],
      [`mutation I($j: String!) { importMappings(json: $j) { revision } }`, { j: '[1]' }, /must be a JSON object/],
      [`mutation { setMapping(section: "acounts", key: "x", value: "1") { revision } }`, {}, /Unknown mapping section "acounts": use one of journal, /],
      [`mutation { setMapping(section: "accounts", key: "x", value: null) { revision } }`, {}, /Expected value of type "JSON!"/],
      [`query { mappings(asOf: "yesterday") { revision } }`, {}, /DateTime must be an ISO-8601 date-time/],
    ];
    for (const [query, variables, message] of cases) {
      const r = await admin(query, variables);
      expect(r.body.errors?.[0]?.extensions?.code, query).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
      expect(r.body.errors?.[0]?.message).toMatch(message);
    }
    expect((await connector.mappingHistory()).length).toBe(before);
  });

  it('passes a NOT_FOUND from the application through', async () => {
    connector.failNext = { method: 'removeMapping', error: Object.assign(new Error('No mapping accounts.nope to remove'), { code: 'NOT_FOUND' }) };
    const r = await admin(`mutation { removeMapping(section: "accounts", key: "nope") { revision } }`);
    expect(r.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(r.body.errors![0]!.message).toBe('No mapping accounts.nope to remove');
  });
});

describe('operations', () => {
  it('starts a dry-run backfill and reports its job', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await operator(`mutation B($d: Date!) { backfill(from: $d, to: $d, dryRun: true) { id kind state dryRun processed total progress items } }`, {
      d: today,
    });
    expect(r.body.errors).toBeUndefined();
    const job = r.body.data!.backfill;
    expect(job).toMatchObject({ kind: 'backfill', state: 'succeeded', dryRun: true, processed: 12, total: 12, progress: 1 });
    expect(job.items[0]).toMatch(/^would post O\d+$/);
    const again = await server.gql(`query J($id: ID!) { job(id: $id) { id processed } }`, { id: job.id }, TOKENS.viewer);
    expect(again.body.data!.job).toEqual({ id: job.id, processed: 12 });
    expect((await server.gql(`{ job(id: "nope") { id } }`, undefined, TOKENS.viewer)).body.data!.job).toBeNull();

    const reversed = await operator(`mutation { backfill(from: "2026-02-01", to: "2026-01-01") { id } }`);
    expect(reversed.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const huge = await operator(`mutation { backfill(from: "2020-01-01", to: "2026-01-01") { id } }`);
    expect(huge.body.errors![0]!.message).toMatch(/spans 2193 days; backfill at most 366 days/);
    const viewer = await server.gql(`mutation { backfill(from: "2026-01-01", to: "2026-01-02") { id } }`, undefined, TOKENS.viewer);
    expect(viewer.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('syncs reference data by kind, then shows the dimensions and the run', async () => {
    const r = await operator(`mutation { syncReferenceData(kinds: [DEPARTMENT, EMPLOYEE]) { kind state items } }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.syncReferenceData.items.sort()).toEqual(['department D100', 'department D200', 'employees E1']);
    const dims = await server.gql(
      `{ dimensions(kind: DEPARTMENT) { kind id name status } all: dimensions { id } syncRuns { kinds state counts } }`,
      undefined,
      TOKENS.viewer,
    );
    expect(dims.body.data!.dimensions).toEqual([
      { kind: 'department', id: 'D100', name: 'Sales', status: 'active' },
      { kind: 'department', id: 'D200', name: 'Old', status: 'inactive' },
    ]);
    expect(dims.body.data!.all).toHaveLength(3);
    expect(dims.body.data!.syncRuns[0]).toEqual({ kinds: ['department', 'employees'], state: 'succeeded', counts: { upserted: 3 } });
    const kinds = await server.gql(`{ __type(name: "ReferenceKind") { enumValues { name } } }`, undefined, TOKENS.viewer);
    expect(kinds.body.data!.__type.enumValues.map((v: any) => v.name)).toEqual([
      'GLACCOUNT',
      'DEPARTMENT',
      'LOCATION',
      'PROJECT',
      'CUSTOMER',
      'CLASS',
      'EMPLOYEE',
      'VENDOR',
      'DIMENSIONS',
    ]);
  });

  it('replays a projection into a read model equal to the original', async () => {
    const snapshot = async () =>
      (
        await server.gql(
          `{ postings(first: 100) { totalCount edges { node { id status amount intacctRecordNo attempts gaps { code } lastError { category } } } } }`,
          undefined,
          TOKENS.viewer,
        )
      ).body.data;
    const before = await snapshot();
    const status = await server.gql(`{ projections { name version position headPosition lag state } }`, undefined, TOKENS.viewer);
    expect(status.body.data!.projections.map((p: { name: string }) => p.name)).toEqual(['posting-state', 'mapping-read-model', 'dimension-cache']);
    expect(status.body.data!.projections[0]).toEqual({
      name: 'posting-state',
      version: postingStateProjection.version,
      position: expect.any(String),
      headPosition: expect.any(String),
      lag: 0,
      state: 'live',
    });
    const replayed = await operator(`mutation { replayProjection(name: "posting-state") { name position lag state } }`);
    expect(replayed.body.errors).toBeUndefined();
    expect(replayed.body.data!.replayProjection).toMatchObject({ name: 'posting-state', lag: 0, state: 'live' });
    expect(await snapshot()).toEqual(before);
    const unknown = await operator(`mutation { replayProjection(name: "nope") { name } }`);
    expect(unknown.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(unknown.body.errors![0]!.message).toBe('No projection named "nope": known projections are posting-state, mapping-read-model, dimension-cache');
  });
});
