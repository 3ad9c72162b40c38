/**
 * The posting-target sections through the API, like the other sections: `targets` (fixed keys such
 * as `expense.outOfPocket`, each with its own Intacct objects) and the code sections `expenseTypes`,
 * `cardAccounts` and `vendors`, set and removed by `setMapping` / `removeMapping`, shown by
 * `mappings`, diffed by imports, and their values checked (vendors) or noted unchecked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';

let connector: TestConnector;
let server: RunningServer;
const admin = (q: string, v?: Record<string, unknown>) => server.gql(q, v, TOKENS.admin);
const CHANGE = 'revision changed message diff { change section key oldValue newValue } unchecked { path target value message }';

beforeAll(async () => {
  connector = new TestConnector();
  // Intacct vendors in the reference cache: vendors values are checked against them.
  await connector.append('reference-VENDOR', [
    {
      type: 'ReferenceDataSynced',
      data: {
        kind: 'VENDOR',
        records: [
          { id: 'V100', name: 'Acme', status: 'active' },
          { id: 'V200', name: 'Old', status: 'inactive' },
        ],
        complete: true,
      },
    },
  ]);
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
});

const current = async () => (await server.gql(`{ mappings { revision document } }`, undefined, TOKENS.viewer)).body.data!.mappings;

describe('targets through setMapping / removeMapping', () => {
  it('the set starts with GLBATCH everywhere and empty code sections', async () => {
    const { document } = await current();
    expect(document).toMatchObject({
      targets: {
        expense: { outOfPocket: 'GLBATCH', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' },
        invoice: 'GLBATCH',
        paymentRequest: 'GLBATCH',
        cashAdvance: 'GLBATCH',
      },
      expenseTypes: {},
      cardAccounts: {},
      vendors: {},
    });
  });

  it('sets one target key, answers with the diff, and removing it puts GLBATCH back', async () => {
    const set = await admin(
      `mutation { setMapping(section: "targets", key: "expense.outOfPocket", value: "EEXPENSES", reason: "reimburse through Intacct") { ${CHANGE} } }`,
    );
    expect(set.body.errors).toBeUndefined();
    expect(set.body.data!.setMapping).toMatchObject({
      changed: true,
      diff: [{ change: 'CHANGED', section: 'targets', key: 'expense.outOfPocket', oldValue: 'GLBATCH', newValue: 'EEXPENSES' }],
      unchecked: [],
    });
    expect((await current()).document.targets.expense).toEqual({ outOfPocket: 'EEXPENSES', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' });

    const again = await admin(`mutation { setMapping(section: "targets", key: "expense.outOfPocket", value: "EEXPENSES") { changed } }`);
    expect(again.body.data!.setMapping.changed).toBe(false);

    const removed = await admin(`mutation { removeMapping(section: "targets", key: "expense.outOfPocket", reason: "journal entries again") { ${CHANGE} } }`);
    expect(removed.body.data!.removeMapping.diff).toEqual([
      { change: 'CHANGED', section: 'targets', key: 'expense.outOfPocket', oldValue: 'EEXPENSES', newValue: 'GLBATCH' },
    ]);
    expect((await current()).document.targets.expense.outOfPocket).toBe('GLBATCH');

    const history = await server.gql(`{ mappingHistory { section key value reason } }`, undefined, TOKENS.viewer);
    expect(history.body.data!.mappingHistory.slice(0, 2)).toEqual([
      { section: 'targets', key: 'expense.outOfPocket', value: null, reason: 'journal entries again' },
      { section: 'targets', key: 'expense.outOfPocket', value: '"EEXPENSES"', reason: 'reimburse through Intacct' },
    ]);
  });

  it('refuses a target its key cannot choose and an unknown key with BAD_USER_INPUT, recording nothing', async () => {
    const before = (await current()).revision;
    const cases: Array<[string, string]> = [
      [
        `mutation { setMapping(section: "targets", key: "expense.companyCard", value: "APBILL") { revision } }`,
        'Mapping change refused: targets.expense.companyCard must be one of GLBATCH, CCTRANSACTION, got "APBILL"',
      ],
      [
        `mutation { setMapping(section: "targets", key: "expense", value: "GLBATCH") { revision } }`,
        'Mapping change refused: targets.expense is not a targets key (expected one of expense.outOfPocket, expense.companyCard, expense.companyPaid, invoice, paymentRequest, cashAdvance)',
      ],
      [
        `mutation { removeMapping(section: "targets", key: "__proto__") { revision } }`,
        'Mapping change refused: targets.__proto__ is not a targets key (expected one of expense.outOfPocket, expense.companyCard, expense.companyPaid, invoice, paymentRequest, cashAdvance)',
      ],
    ];
    for (const [query, message] of cases) {
      const r = await admin(query);
      expect(r.body.errors?.[0]?.message, query).toBe(message);
      expect(r.body.errors?.[0]?.extensions?.['code'], query).toBe('BAD_USER_INPUT');
    }
    expect((await current()).revision).toBe(before);
  });
});

describe('expenseTypes, cardAccounts and vendors', () => {
  it('take any code as key, `__proto__` included; vendors are checked as Intacct vendors, the others noted unchecked', async () => {
    const expenseType = await admin(`mutation { setMapping(section: "expenseTypes", key: "__proto__", value: "Meals", reason: "odd code") { ${CHANGE} } }`);
    expect(expenseType.body.data!.setMapping).toMatchObject({
      changed: true,
      diff: [{ change: 'ADDED', section: 'expenseTypes', key: '__proto__', oldValue: null, newValue: 'Meals' }],
      unchecked: [
        {
          path: 'expenseTypes.__proto__',
          target: 'EXPENSETYPE',
          value: 'Meals',
          message: 'expenseTypes.__proto__: expense type Meals is not checked (expense types are not synced from Intacct)',
        },
      ],
    });
    const card = await admin(`mutation { setMapping(section: "cardAccounts", key: "CBCP", value: "AMEX-CORP", reason: "corporate card") { ${CHANGE} } }`);
    expect(card.body.data!.setMapping.unchecked).toMatchObject([{ path: 'cardAccounts.CBCP', target: 'CARDACCOUNT' }]);

    const vendor = await admin(`mutation { setMapping(section: "vendors", key: "constructor", value: "V100", reason: "vendor code") { ${CHANGE} } }`);
    expect(vendor.body.data!.setMapping).toMatchObject({ changed: true, unchecked: [] });
    const unknown = await admin(`mutation { setMapping(section: "vendors", key: "ACME", value: "V10", reason: "typo") { revision } }`);
    expect(unknown.body.errors?.[0]?.message).toMatch(
      /^Mapping change refused: vendors\.ACME names vendor V10, which does not exist in Intacct \(closest active: V100\)/,
    );
    const inactive = await admin(`mutation { setMapping(section: "vendors", key: "ACME", value: "V200", reason: "old") { revision } }`);
    expect(inactive.body.errors?.[0]?.message).toMatch(/vendors\.ACME names vendor V200, which is inactive in Intacct/);
    const forced = await admin(
      `mutation { setMapping(section: "vendors", key: "ACME", value: "V10", reason: "created in Intacct today", force: true) { changed forced { path target value } } }`,
    );
    expect(forced.body.data!.setMapping).toEqual({ changed: true, forced: [{ path: 'vendors.ACME', target: 'VENDORID', value: 'V10' }] });

    const { document } = await current();
    expect(Object.hasOwn(document.expenseTypes, '__proto__') && document.expenseTypes['__proto__']).toBe('Meals');
    expect(document.cardAccounts).toEqual({ CBCP: 'AMEX-CORP' });
    expect(Object.entries(document.vendors)).toEqual([
      ['ACME', 'V10'],
      ['constructor', 'V100'],
    ]);

    const removed = await admin(`mutation { removeMapping(section: "expenseTypes", key: "__proto__", reason: "cleanup") { diff { change section key } } }`);
    expect(removed.body.data!.removeMapping.diff).toEqual([{ change: 'REMOVED', section: 'expenseTypes', key: '__proto__' }]);
    const missing = await admin(`mutation { removeMapping(section: "cardAccounts", key: "toString") { revision } }`);
    expect(missing.body.errors?.[0]?.message).toBe('Mapping change refused: cardAccounts.toString has no mapping to remove');
  });

  it('an import dry run shows target and code-section changes and records nothing', async () => {
    const before = (await current()).revision;
    const json = JSON.stringify({
      targets: { expense: { companyCard: 'CCTRANSACTION' }, invoice: 'APBILL' },
      cardAccounts: { CBCP: 'AMEX-NEW' },
      vendors: { NEW: 'V100' },
    });
    const dry = await admin(`mutation I($j: String!) { importMappings(json: $j, dryRun: true) { ${CHANGE} dryRun } }`, { j: json });
    expect(dry.body.errors).toBeUndefined();
    expect(dry.body.data!.importMappings).toMatchObject({ changed: false, dryRun: true, revision: before });
    expect(dry.body.data!.importMappings.diff).toEqual([
      { change: 'CHANGED', section: 'targets', key: 'expense.companyCard', oldValue: 'GLBATCH', newValue: 'CCTRANSACTION' },
      { change: 'CHANGED', section: 'targets', key: 'invoice', oldValue: 'GLBATCH', newValue: 'APBILL' },
      { change: 'CHANGED', section: 'cardAccounts', key: 'CBCP', oldValue: 'AMEX-CORP', newValue: 'AMEX-NEW' },
      { change: 'ADDED', section: 'vendors', key: 'NEW', oldValue: null, newValue: 'V100' },
    ]);
    expect((await current()).revision).toBe(before);

    const bad = await admin(`mutation I($j: String!) { importMappings(json: $j, dryRun: true) { revision } }`, {
      j: JSON.stringify({ targets: { expense: { companyPaid: 'APBILL' }, bill: 'APBILL' } }),
    });
    expect(bad.body.errors?.[0]?.message).toBe(
      'Mapping change refused: targets.bill is not a known field (expected one of expense, invoice, paymentRequest, cashAdvance); targets.expense.companyPaid must be one of GLBATCH, got "APBILL"',
    );
  });
});
