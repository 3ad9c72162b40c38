import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../events/envelope.js';
import {
  decideMapping,
  emptyMappingSet,
  exportMappingsJson,
  MappingCommandRejected,
  mappingSetFromEvents,
  parseMappingsJson,
  validateMappingSet,
  type MappingCommand,
  type MappingEvent,
} from './index.js';
import { DEMO_MAPPINGS_JSON } from '../../../test/posting/fixtures.js';

/** Records decided events the way a store would (stream `mappings`, consecutive revisions). */
function record(events: MappingEvent[], from: RecordedEvent[] = []): RecordedEvent[] {
  return [
    ...from,
    ...events.map((e, i) => ({ ...e, streamId: 'mappings', revision: from.length + i, position: BigInt(from.length + i), recordedAt: e.metadata.occurredAt })),
  ];
}

function given(history: RecordedEvent[], command: MappingCommand, at = '2026-07-01T10:00:00.000Z'): MappingEvent[] {
  return decideMapping(command, mappingSetFromEvents(history).set, at);
}

describe('mapping JSON validation', () => {
  it('accepts a full mapping set in the JSON form of docs/posting-rules.md and fills defaults', () => {
    const result = validateMappingSet(DEMO_MAPPINGS_JSON);
    expect(result.ok && result.value.options).toEqual({ mergeLines: true, batchDatePolicy: 'paymentProcessingDate', closedPeriodPolicy: 'reject' });
    expect(result.ok && result.value.counterparties.get('IBCP')).toEqual({ account: '2110', vendorId: 'AMEX' });
  });

  it('reports every problem with its path and what is wrong', () => {
    const result = validateMappingSet({
      journal: '',
      accounts: { '474230': 6400, X: ' 6500' },
      counterparties: { IBCP: { vendorId: 'AMEX' }, EMLP: { account: '2050' }, EMPL: { account: '2050', employeeDimension: 'yes' } },
      taxAccounts: { '*': { reclaim: '1410' } },
      dimensions: [
        { source: 'allocationCustom4Code', target: 'DEPT', values: {} },
        { source: 'employeeOrgUnit4Code', target: 'DEPARTMENT' },
        { source: 'entryOrgUnit2Code', target: 'LOCATION', passThrough: 1 },
        { source: 'entryOrgUnit2Code', target: 'LOCATION' },
      ],
      defaults: { LOCATON: '100' },
      options: { mergeLines: 'no', batchDatePolicy: 'postingDate' },
      extra: true,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      {
        path: '(root).extra',
        message:
          'is not a known field (expected one of journal, cashAdvanceAccount, accounts, counterparties, taxAccounts, dimensions, employees, defaults, options, targets, expenseTypes, cardAccounts, vendors)',
      },
      { path: 'journal', message: 'must not be empty' },
      { path: 'accounts.474230', message: 'must be a non-empty string, got a number' },
      { path: 'accounts.X', message: '" 6500" has leading or trailing spaces' },
      {
        path: 'defaults.LOCATON',
        message: 'is not a dimension (expected one of DEPARTMENT, LOCATION, PROJECTID, CUSTOMERID, CLASSID, ITEMID, VENDORID, EMPLOYEEID)',
      },
      { path: 'options.mergeLines', message: 'must be true or false, got the string "no"' },
      { path: 'options.batchDatePolicy', message: 'must be one of paymentProcessingDate, submitDate, userDefinedDate, got the string "postingDate"' },
      { path: 'counterparties.IBCP.account', message: 'is missing' },
      { path: 'counterparties.EMLP', message: 'is not a payment-type code (expected one of EMPL, COPD, IBIP, IBCP, CBCP, VENDOR)' },
      { path: 'counterparties.EMPL.employeeDimension', message: 'must be true or false, got the string "yes"' },
      { path: 'taxAccounts.*.nonDeductible', message: 'is missing' },
      {
        path: 'dimensions[0].target',
        message: 'must be one of DEPARTMENT, LOCATION, PROJECTID, CUSTOMERID, CLASSID, ITEMID, VENDORID, EMPLOYEEID, got the string "DEPT"',
      },
      { path: 'dimensions[1].source', message: '"employeeOrgUnit4Code" is an employee field; dimensions must come from the allocation, entry or report' },
      { path: 'dimensions[2].passThrough', message: 'must be true or false, got a number' },
      { path: 'dimensions[3]', message: 'repeats entryOrgUnit2Code->LOCATION already defined at dimensions[2]' },
    ]);
  });

  it('reports broken JSON text', () => {
    const result = parseMappingsJson('{"journal": "EXPJ",');
    expect(!result.ok && result.issues[0]!.path).toBe('(root)');
    expect(!result.ok && result.issues[0]!.message).toMatch(/^is not valid JSON: /);
  });

  it('export then import gives the same set (round trip), with sorted keys', () => {
    const first = validateMappingSet(DEMO_MAPPINGS_JSON);
    if (!first.ok) throw new Error('invalid demo');
    const text = exportMappingsJson(first.value);
    const again = parseMappingsJson(text);
    expect(again.ok && again.value).toEqual(first.value);
    expect(exportMappingsJson(again.ok ? again.value : emptyMappingSet())).toBe(text);
    // JS orders integer-like keys numerically whatever we do; the rest is sorted: the text is deterministic.
    expect(Object.keys(JSON.parse(text).accounts)).toEqual(['5', '11', '37', '56', '474210', '474230', 'TAXIX']);
  });
});

describe('mapping decider and history', () => {
  const actor = 'user:alice';

  it('setMapping -> MappingChanged with actor and reason; no event when nothing changes', () => {
    const events = given([], { type: 'setMapping', section: 'accounts', key: '474230', value: '6400', reason: 'new chart', actor });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'MappingChanged',
      data: { section: 'accounts', key: '474230', value: '6400', reason: 'new chart' },
      metadata: { actor, occurredAt: '2026-07-01T10:00:00.000Z' },
    });
    const history = record(events);
    expect(given(history, { type: 'setMapping', section: 'accounts', key: '474230', value: '6400', reason: 'again', actor })).toEqual([]);
  });

  it('refuses invalid changes with precise issues, and a change without a reason', () => {
    const attempt = (command: MappingCommand) => {
      try {
        given([], command);
      } catch (error) {
        expect(error).toBeInstanceOf(MappingCommandRejected);
        return (error as MappingCommandRejected).issues;
      }
      throw new Error('expected a rejection');
    };
    expect(attempt({ type: 'setMapping', section: 'counterparties', key: 'IBCP', value: { account: '' }, reason: 'x', actor })).toEqual([
      { path: 'counterparties.IBCP.account', message: 'must not be empty' },
    ]);
    expect(attempt({ type: 'setMapping', section: 'accounts', key: '1', value: '6400', reason: ' ', actor })).toEqual([
      { path: 'reason', message: 'is required: say why the mapping changes (it is kept in the audit trail)' },
    ]);
    expect(attempt({ type: 'removeMapping', section: 'accounts', key: 'nope', reason: 'cleanup', actor })).toEqual([
      { path: 'accounts.nope', message: 'has no mapping to remove' },
    ]);
    expect(attempt({ type: 'setMapping', section: 'dimensions', key: 'a->LOCATION', value: { source: 'b', target: 'LOCATION' }, reason: 'x', actor })).toEqual([
      { path: 'dimensions.a->LOCATION', message: 'key must be "b->LOCATION" (source->target of the rule)' },
    ]);
    expect(attempt({ type: 'importMappings', json: { accounts: [] }, reason: 'x', actor })).toEqual([
      { path: 'accounts', message: 'must be an object of code -> value, got an array' },
    ]);
  });

  it('reads the set as of any time and knows its revision', () => {
    let history = record(
      given([], { type: 'importMappings', json: JSON.stringify(DEMO_MAPPINGS_JSON), reason: 'initial load', actor }, '2026-07-01T08:00:00.000Z'),
    );
    history = record(
      given(history, { type: 'setMapping', section: 'accounts', key: '474230', value: '6401', reason: 'split travel', actor }, '2026-07-02T08:00:00.000Z'),
      history,
    );
    history = record(
      given(history, { type: 'removeMapping', section: 'defaults', key: 'LOCATION', reason: 'single entity', actor }, '2026-07-03T08:00:00.000Z'),
      history,
    );
    history = record(
      given(
        history,
        {
          type: 'setMapping',
          section: 'dimensions',
          key: 'entryOrgUnit2Code->LOCATION',
          value: { source: 'entryOrgUnit2Code', target: 'LOCATION', values: {}, passThrough: true },
          reason: 'by org unit',
          actor,
        },
        '2026-07-04T08:00:00.000Z',
      ),
      history,
    );
    history = record(
      given(
        history,
        { type: 'setMapping', section: 'options', key: 'mergeLines', value: false, reason: 'audit wants detail', actor },
        '2026-07-05T08:00:00.000Z',
      ),
      history,
    );

    expect(mappingSetFromEvents(history, '2026-06-30T00:00:00Z')).toMatchObject({ revision: -1, set: { accounts: new Map() } });
    const day1 = mappingSetFromEvents(history, '2026-07-01T23:59:59Z');
    expect(day1.revision).toBe(0);
    expect(day1.set.accounts.get('474230')).toBe('6400');
    const day2 = mappingSetFromEvents(history, new Date('2026-07-02T08:00:00.000Z'));
    expect([day2.revision, day2.set.accounts.get('474230'), day2.set.defaults.get('LOCATION')]).toEqual([1, '6401', '100']);
    const now = mappingSetFromEvents(history);
    expect(now.revision).toBe(4);
    expect(now.set.defaults).toEqual(new Map());
    expect(now.set.dimensions.map((d) => `${d.source}->${d.target}`)).toEqual(['allocationCustom4Code->DEPARTMENT', 'entryOrgUnit2Code->LOCATION']);
    expect(now.set.options.mergeLines).toBe(false);
    // Earlier reads are not affected by later changes (the import event's data is not shared).
    expect(mappingSetFromEvents(history, '2026-07-01T23:59:59Z').set.defaults).toEqual(new Map([['LOCATION', '100']]));
  });

  it('folds events recorded in the JSON object form (before the set held Maps) to the same set and export', () => {
    // As recorded so far: the import carries the whole set as plain objects (keys in file order), changes carry JSON values.
    const events = [
      {
        type: 'MappingsImported',
        data: {
          mappings: {
            journal: 'EXPJ',
            accounts: { '474230': '6400', '11': '6440', TAXIX: '6499' },
            counterparties: { IBCP: { account: '2110', vendorId: 'AMEX' }, EMPL: { account: '2050', employeeDimension: true } },
            taxAccounts: { '*': { reclaim: '1415', nonDeductible: '6995' } },
            cashAdvanceAccount: '1310',
            dimensions: [{ source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '21-KING': 'D210', '11-KING': 'D110' }, passThrough: false }],
            employees: {},
            defaults: { LOCATION: '100' },
            options: { mergeLines: true, batchDatePolicy: 'paymentProcessingDate' },
          },
          reason: 'initial load',
        },
      },
      {
        type: 'MappingChanged',
        data: {
          section: 'dimensions',
          key: 'entryOrgUnit2Code->LOCATION',
          value: { source: 'entryOrgUnit2Code', target: 'LOCATION', values: { B: '200' }, passThrough: true },
          reason: 'x',
        },
      },
      { type: 'MappingChanged', data: { section: 'employees', key: '49038128', value: 'E1017', reason: 'x' } },
      { type: 'MappingChanged', data: { section: 'accounts', key: '11', value: null, reason: 'x' } },
    ].map((e, i) => ({
      ...e,
      streamId: 'mappings',
      revision: i,
      position: BigInt(i),
      recordedAt: '2026-07-01T10:00:00.000Z',
      metadata: { actor, occurredAt: '2026-07-01T10:00:00.000Z', correlationId: 'c', causationId: null, schemaVersion: 1 },
      id: `e${i}`,
    })) as unknown as RecordedEvent[];
    const state = mappingSetFromEvents(events);
    expect(state.revision).toBe(3);
    expect(exportMappingsJson(state.set)).toBe(
      `${JSON.stringify(
        {
          journal: 'EXPJ',
          accounts: { '474230': '6400', TAXIX: '6499' },
          counterparties: { EMPL: { account: '2050', employeeDimension: true }, IBCP: { account: '2110', vendorId: 'AMEX' } },
          taxAccounts: { '*': { reclaim: '1415', nonDeductible: '6995' } },
          cashAdvanceAccount: '1310',
          dimensions: [
            { source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '11-KING': 'D110', '21-KING': 'D210' }, passThrough: false },
            { source: 'entryOrgUnit2Code', target: 'LOCATION', values: { B: '200' }, passThrough: true },
          ],
          employees: { '49038128': 'E1017' },
          defaults: { LOCATION: '100' },
          options: { mergeLines: true, batchDatePolicy: 'paymentProcessingDate', closedPeriodPolicy: 'reject' },
          // Sections added later fold to their defaults.
          targets: {
            expense: { outOfPocket: 'GLBATCH', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' },
            invoice: 'GLBATCH',
            paymentRequest: 'GLBATCH',
            cashAdvance: 'GLBATCH',
          },
          expenseTypes: {},
          cardAccounts: {},
          vendors: {},
        },
        null,
        2,
      )}\n`,
    );
  });
});
