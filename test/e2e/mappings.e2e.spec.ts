import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { startE2e, type E2e } from './harness.js';

/**
 * Mappings through the running service over real HTTP (sandbox simulators, SQLite): codes named like
 * Object.prototype members are stored, shown and used like any code; values are checked against
 * the reference cache; imports merge by default and dry runs change nothing.
 */
const CHANGE =
  'revision changed dryRun message diff { change section key oldValue newValue } unchecked { path target value message } forced { path target value message }';

interface Change {
  revision: number;
  changed: boolean;
  dryRun: boolean;
  message: string;
  diff: Array<{ change: string; section: string; key: string | null; oldValue: unknown; newValue: unknown }>;
  unchecked: Array<{ path: string; target: string; value: string; message: string }>;
  forced: Array<{ path: string; target: string; value: string; message: string }>;
}

describe('mappings through the service (GraphQL over HTTP)', () => {
  let e: E2e;
  const set = (section: string, key: string, value: unknown, extra: { reason?: string; force?: boolean } = {}) =>
    e.graphql<{ setMapping: Change }>(
      `mutation($s: String!, $k: String!, $v: JSON!, $r: String, $f: Boolean) { setMapping(section: $s, key: $k, value: $v, reason: $r, force: $f) { ${CHANGE} } }`,
      {
        s: section,
        k: key,
        v: value,
        r: extra.reason ?? 'e2e',
        f: extra.force ?? false,
      },
    );
  const importSet = (json: unknown, extra: { mode?: 'MERGE' | 'REPLACE'; dryRun?: boolean } = {}) =>
    e.graphql<{ importMappings: Change }>(
      `mutation($j: String!, $m: MappingImportMode, $d: Boolean) { importMappings(json: $j, mode: $m, dryRun: $d, reason: "e2e import") { ${CHANGE} } }`,
      {
        j: JSON.stringify(json),
        m: extra.mode,
        d: extra.dryRun,
      },
    );
  const current = async () =>
    (
      await e.graphql<{ mappings: { document: Record<string, Record<string, unknown>>; json: string; revision: number } }>(
        '{ mappings { document json revision } }',
      )
    ).data!.mappings;
  const history = async () =>
    (
      await e.graphql<{ mappingHistory: Array<{ revision: number; key: string | null; diff: Change['diff']; forced: Change['forced'] }> }>(
        '{ mappingHistory { revision key diff { change section key oldValue newValue } forced { path value } } }',
      )
    ).data!.mappingHistory;
  const statusOf = async (id: string) =>
    (await e.graphql<{ posting: { status: string } | null }>('query($id: ID!) { posting(id: $id) { status } }', { id })).data?.posting?.status ?? null;

  beforeAll(async () => {
    e = await startE2e();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('setMapping(section: "accounts", key: "__proto__") stores the value, and mappings shows it', async () => {
    const r = await set('accounts', '__proto__', '6500');
    expect(r.errors).toBeUndefined();
    expect(r.data!.setMapping).toMatchObject({
      changed: true,
      dryRun: false,
      diff: [{ change: 'ADDED', section: 'accounts', key: '__proto__', oldValue: null, newValue: '6500' }],
    });
    // Nothing synced yet: the value is accepted, and said to be unchecked.
    expect(r.data!.setMapping.unchecked).toEqual([expect.objectContaining({ path: 'accounts.__proto__', target: 'GLACCOUNT', value: '6500' })]);
    const m = await current();
    expect(m.revision).toBe(r.data!.setMapping.revision);
    expect(Object.hasOwn(m.document['accounts']!, '__proto__') && m.document['accounts']!['__proto__']).toBe('6500');
    expect(JSON.parse(m.json).accounts).toEqual(m.document['accounts']);
    expect((await history())[0]).toMatchObject({ key: '__proto__', diff: [{ change: 'ADDED', key: '__proto__', newValue: '6500' }] });

    const removed = await e.graphql<{ removeMapping: Change }>(
      `mutation { removeMapping(section: "accounts", key: "__proto__", reason: "e2e") { ${CHANGE} } }`,
    );
    expect(removed.data!.removeMapping.diff).toEqual([{ change: 'REMOVED', section: 'accounts', key: '__proto__', oldValue: '6500', newValue: null }]);
    expect((await current()).document['accounts']).toEqual({});
  });

  it('a report with account codes and an employee id named like prototype members posts; an unmapped one waits for its gap', async () => {
    const mapped = await importSet({
      journal: 'EXPJ',
      accounts: { constructor: '6200', toString: '6200' },
      counterparties: { EMPL: { account: '2100', employeeDimension: true } },
      // JSON text: in an object literal `__proto__:` would set the prototype instead of a key.
      employees: JSON.parse('{"__proto__": "E1017"}'),
    });
    expect(mapped.errors).toBeUndefined();
    expect((await current()).document['employees']).toEqual(JSON.parse('{"__proto__": "E1017"}'));
    const posts = generateExpenseDocument({ accountCodes: ['constructor', 'toString'], employeeId: '__proto__', reportName: 'Prototype names' });
    const waits = generateExpenseDocument({ accountCodes: ['valueOf'], employeeId: '__proto__', entryCents: [700], reportName: 'Unmapped valueOf' });
    await e.systems.concur.publishDocument(posts);
    await e.systems.concur.publishDocument(waits);
    await e.settle(async () => (await statusOf(posts.id)) === 'CONFIRMED' && (await statusOf(waits.id)) === 'AWAITING_MAPPING', 'one posted, one waiting');
    const gaps = await e.graphql<{ mappingGaps: Array<{ kind: string; code: string; field: string }> }>('{ mappingGaps { kind code field } }');
    expect(gaps.data!.mappingGaps).toEqual([{ kind: 'account', code: 'valueOf', field: 'accounts' }]);
    expect((await set('accounts', 'valueOf', '6200')).errors).toBeUndefined();
    await e.settle(async () => (await statusOf(waits.id)) === 'CONFIRMED', 'the valueOf report to post once mapped');
  });

  it('checks values against the reference cache: refused with the closest active ones, forced with a reason, unchecked while a kind holds nothing', async () => {
    await e.running.referenceSync.run(['dimensions'], 'test:e2e');
    await e.running.service.caughtUp();
    const before = (await history()).length;

    const unknown = await set('accounts', '474230', '6510');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(
      /^Mapping change refused: accounts\.474230 names GL account 6510, which does not exist in Intacct \(closest active: 6500, 6100, /,
    );
    const inactive = await set('accounts', '474230', '9999');
    expect(inactive.errors?.[0]?.message).toMatch(/names GL account 9999, which is inactive in Intacct/);
    const noReason = await e.graphql(`mutation { setMapping(section: "accounts", key: "474230", value: "6510", force: true) { revision } }`);
    expect(noReason.errors?.[0]?.message).toMatch(/^force: true needs a reason/);
    expect((await history()).length).toBe(before);

    const forced = await set('accounts', '474230', '6510', { reason: 'created in Intacct this morning, sync runs tonight', force: true });
    expect(forced.errors).toBeUndefined();
    expect(forced.data!.setMapping.forced).toEqual([expect.objectContaining({ path: 'accounts.474230', target: 'GLACCOUNT', value: '6510' })]);
    expect((await history())[0]!.forced).toEqual([{ path: 'accounts.474230', value: '6510' }]);

    // Object values go in as JSON variables; employees were not synced: unchecked, not refused.
    const counterparty = await set('counterparties', 'IBCP', { account: '2150', vendorId: 'AMEX' });
    expect(counterparty.errors).toBeUndefined();
    const rule = await set('dimensions', 'allocationCustom1Code->DEPARTMENT', {
      source: 'allocationCustom1Code',
      target: 'DEPARTMENT',
      values: { D100: 'D100', constructor: 'D200' },
      passThrough: false,
    });
    expect(rule.data!.setMapping.diff).toEqual([expect.objectContaining({ change: 'ADDED', section: 'dimensions', key: 'allocationCustom1Code->DEPARTMENT' })]);
    const badRule = await set('dimensions', 'allocationCustom1Code->DEPARTMENT', {
      source: 'allocationCustom1Code',
      target: 'DEPARTMENT',
      values: { D100: 'D100', constructor: 'D900' },
    });
    expect(badRule.errors?.[0]?.message).toMatch(/dimensions\.allocationCustom1Code->DEPARTMENT\.values\.constructor names department D900, which is inactive/);
    const employee = await set('employees', 'E-NEW', 'E2001');
    expect(employee.data!.setMapping.unchecked).toEqual([expect.objectContaining({ path: 'employees.E-NEW', target: 'EMPLOYEEID' })]);
  });

  it('importMappings merges by default, REPLACE replaces, dryRun changes nothing, and an unchanged import records nothing', async () => {
    const accounts = (await current()).document['accounts'];
    expect(Object.keys(accounts!).length).toBeGreaterThan(2);
    const head = await current();
    const historyBefore = (await history()).length;

    const dry = await importSet({ journal: 'GJ' }, { dryRun: true });
    expect(dry.data!.importMappings).toMatchObject({
      changed: false,
      dryRun: true,
      revision: head.revision,
      diff: [{ change: 'CHANGED', section: 'journal', key: null, oldValue: 'EXPJ', newValue: 'GJ' }],
    });
    expect(dry.data!.importMappings.message).toMatch(/^Dry run: 1 change\(s\): 0 added, 1 changed, 0 removed would be recorded; nothing was changed\.$/);
    expect((await current()).revision).toBe(head.revision);

    const merged = await importSet({ journal: 'GJ' });
    expect(merged.data!.importMappings).toMatchObject({ changed: true, revision: head.revision + 1 });
    expect((await current()).document['accounts']).toEqual(accounts); // a file without accounts keeps them

    const again = await importSet({ journal: 'GJ' });
    expect(again.data!.importMappings).toMatchObject({ changed: false, revision: head.revision + 1, diff: [] });
    expect(again.data!.importMappings.message).toMatch(/^No changes/);
    expect((await history()).length).toBe(historyBefore + 1);

    const replacedDry = await importSet({ journal: 'GJ', accounts: { constructor: '6200' } }, { mode: 'REPLACE', dryRun: true });
    expect(replacedDry.data!.importMappings.diff.filter((d) => d.change === 'REMOVED').length).toBeGreaterThan(3);
    const replaced = await importSet({ journal: 'GJ', accounts: { constructor: '6200' } }, { mode: 'REPLACE' });
    expect(replaced.errors).toBeUndefined();
    expect((await current()).document).toMatchObject({ journal: 'GJ', accounts: { constructor: '6200' }, counterparties: {}, employees: {} });
  });
});
