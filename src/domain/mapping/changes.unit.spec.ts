/**
 * Mappings are safe to change: imports merge by default, REPLACE replaces, the diff says what a
 * change does, and Intacct values are checked against the reference cache (refused with the closest
 * active values, forced with a reason, or accepted unchecked while the cache holds nothing).
 */
import { describe, expect, it } from 'vitest';
import type { ReferenceTarget } from '../posting/types.js';
import { DEMO_MAPPINGS_JSON } from '../../../test/posting/fixtures.js';
import {
  closestValues,
  decideMapping,
  diffMappingSets,
  editDistance,
  emptyMappingSet,
  exportMappingsJson,
  MappingCommandRejected,
  mappingSetFromEvents,
  planMapping,
  validateMappingSet,
  type MappingReference,
  type MappingSet,
} from './index.js';

const actor = 'user:alice';
const at = '2026-07-01T10:00:00.000Z';

function demo(): MappingSet {
  const r = validateMappingSet(DEMO_MAPPINGS_JSON);
  if (!r.ok) throw new Error('invalid demo');
  return r.value;
}

/** A reference cache: kinds listed are synced (id -> active?); kinds not listed hold nothing yet. */
function reference(kinds: Partial<Record<ReferenceTarget, Record<string, boolean>>>): MappingReference {
  const of = (target: ReferenceTarget) => (Object.hasOwn(kinds, target) ? new Map(Object.entries(kinds[target]!)) : null);
  return {
    status: (target, value) => {
      const ids = of(target);
      if (ids === null) return 'unchecked';
      const active = ids.get(value);
      return active === undefined ? 'missing' : active ? 'ok' : 'inactive';
    },
    activeValues: (target) => [...(of(target) ?? new Map<string, boolean>())].filter(([, a]) => a).map(([id]) => id),
  };
}

const refused = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MappingCommandRejected);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('importMappings: merge by default, REPLACE on request', () => {
  it('a file without an accounts section keeps every account mapping (merge)', () => {
    const current = demo();
    const plan = planMapping(
      { type: 'importMappings', json: JSON.stringify({ journal: 'GJ', accounts: { '474230': '6401', NEW: '6500' } }), reason: 'q3', actor },
      current,
      { now: at },
    );
    expect(plan.next.accounts.get('474210')).toBe('6410'); // absent key kept
    expect(plan.next.accounts.get('474230')).toBe('6401'); // present key overrides
    expect(plan.next.counterparties).toEqual(current.counterparties); // absent section kept
    expect(plan.next.journal).toBe('GJ');
    expect(plan.diff).toEqual([
      { change: 'changed', section: 'journal', key: null, oldValue: 'EXPJ', newValue: 'GJ' },
      { change: 'changed', section: 'accounts', key: '474230', oldValue: '6400', newValue: '6401' },
      { change: 'added', section: 'accounts', key: 'NEW', oldValue: null, newValue: '6500' },
    ]);
    // The event carries the merged result, so the fold needs no mode.
    expect(plan.events[0]).toMatchObject({ type: 'MappingsImported', data: { mode: 'merge', reason: 'q3' } });
    const folded = mappingSetFromEvents([{ ...plan.events[0]!, revision: 0 }]).set;
    expect(exportMappingsJson(folded)).toBe(exportMappingsJson(plan.next));
  });

  it('merges dimension rules by source->target in place and options by name', () => {
    const current = demo();
    const file = {
      dimensions: [
        { source: 'entryOrgUnit2Code', target: 'LOCATION', values: {}, passThrough: true },
        { source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { X: 'D1' }, passThrough: false },
      ],
      options: { mergeLines: false },
    };
    const next = planMapping({ type: 'importMappings', json: file, reason: 'r', actor }, current).next;
    expect(next.dimensions.map((d) => `${d.source}->${d.target}`)).toEqual(['allocationCustom4Code->DEPARTMENT', 'entryOrgUnit2Code->LOCATION']);
    expect(next.dimensions[0]!.values).toEqual(new Map([['X', 'D1']]));
    expect(next.options).toEqual({ mergeLines: false, batchDatePolicy: 'paymentProcessingDate', closedPeriodPolicy: 'reject' });
  });

  it('REPLACE makes the file the whole set, and the diff lists what goes', () => {
    const plan = planMapping(
      { type: 'importMappings', json: JSON.stringify({ journal: 'EXPJ', accounts: { '474230': '6400' } }), reason: 'r', actor, mode: 'replace' },
      demo(),
    );
    expect([...plan.next.accounts]).toEqual([['474230', '6400']]);
    expect(plan.next.counterparties.size).toBe(0);
    expect(plan.diff.filter((d) => d.change === 'removed').map((d) => `${d.section}.${d.key ?? ''}`)).toContain('accounts.474210');
    expect(plan.diff.some((d) => d.change !== 'removed')).toBe(false);
  });

  it('an import that changes nothing decides no event and an empty diff', () => {
    const plan = planMapping({ type: 'importMappings', json: exportMappingsJson(demo()), reason: 'again', actor }, demo());
    expect([plan.events, plan.diff]).toEqual([[], []]);
    expect(planMapping({ type: 'importMappings', json: { accounts: { '474230': '6400' } }, reason: 'again', actor }, demo()).events).toEqual([]);
  });
});

describe('diff of two sets', () => {
  it('lists added, changed and removed entries per section and key, and a change of rule order', () => {
    const before = demo();
    const after: MappingSet = {
      ...before,
      cashAdvanceAccount: null,
      taxAccounts: new Map([...before.taxAccounts, ['DEVAT', { reclaim: '1411', nonDeductible: '6990' }]]),
      dimensions: [...before.dimensions, { source: 'b', target: 'LOCATION' as const, values: new Map<string, string>(), passThrough: true }].reverse(),
    };
    expect(diffMappingSets(before, after)).toEqual([
      {
        change: 'changed',
        section: 'taxAccounts',
        key: 'DEVAT',
        oldValue: { reclaim: '1410', nonDeductible: '6990' },
        newValue: { reclaim: '1411', nonDeductible: '6990' },
      },
      { change: 'removed', section: 'cashAdvanceAccount', key: null, oldValue: '1310', newValue: null },
      {
        change: 'added',
        section: 'dimensions',
        key: 'b->LOCATION',
        oldValue: null,
        newValue: { source: 'b', target: 'LOCATION', values: {}, passThrough: true },
      },
    ]);
    const reordered: MappingSet = {
      ...before,
      dimensions: [{ source: 'b', target: 'LOCATION', values: new Map<string, string>(), passThrough: true }, ...before.dimensions],
    };
    const swapped: MappingSet = { ...reordered, dimensions: [...reordered.dimensions].reverse() };
    expect(diffMappingSets(reordered, swapped)).toEqual([
      {
        change: 'changed',
        section: 'dimensions',
        key: null,
        oldValue: ['b->LOCATION', 'allocationCustom4Code->DEPARTMENT'],
        newValue: ['allocationCustom4Code->DEPARTMENT', 'b->LOCATION'],
      },
    ]);
    expect(diffMappingSets(emptyMappingSet(), emptyMappingSet())).toEqual([]);
  });
});

describe('values are checked against the reference cache', () => {
  const ref = reference({ GLACCOUNT: { '6400': true, '6410': true, '6500': true, '9999': false, '2050': true }, VENDORID: { AMEX: true } });

  it('refuses an unknown account with the closest active ones, and an inactive one', () => {
    const unknown = refused(() =>
      decideMapping({ type: 'setMapping', section: 'accounts', key: '474230', value: '6401', reason: 'r', actor }, emptyMappingSet(), at, ref),
    );
    expect(unknown).toBe(
      'Mapping change refused: accounts.474230 names GL account 6401, which does not exist in Intacct (closest active: 6400, 6410, 6500): use an active GL account, sync reference data if it was just created in Intacct, or pass force: true with a reason (CLI: --force --reason TEXT) to record it anyway',
    );
    const inactive = refused(() =>
      decideMapping({ type: 'setMapping', section: 'accounts', key: '474230', value: '9999', reason: 'r', actor }, emptyMappingSet(), at, ref),
    );
    expect(inactive).toMatch(
      /accounts\.474230 names GL account 9999, which is inactive in Intacct: use an active GL account, sync reference data if it was just reactivated/,
    );
    // Nested values name their path.
    const vendor = refused(() =>
      decideMapping(
        { type: 'setMapping', section: 'counterparties', key: 'IBCP', value: { account: '2050', vendorId: 'AMEXX' }, reason: 'r', actor },
        emptyMappingSet(),
        at,
        ref,
      ),
    );
    expect(vendor).toMatch(
      /^Mapping change refused: counterparties\.IBCP\.vendorId names vendor AMEXX, which does not exist in Intacct \(closest active: AMEX\)/,
    );
  });

  it('force: true records the refused value and lists it as forced in the event', () => {
    const plan = planMapping(
      { type: 'setMapping', section: 'accounts', key: '474230', value: '99999', reason: 'account created in Intacct today', actor, force: true },
      emptyMappingSet(),
      { reference: ref },
    );
    expect(plan.events[0]!.data).toEqual({
      section: 'accounts',
      key: '474230',
      value: '99999',
      reason: 'account created in Intacct today',
      forced: [{ path: 'accounts.474230', target: 'GLACCOUNT', value: '99999', status: 'missing' }],
    });
    expect(plan.forced.map((f) => f.value)).toEqual(['99999']);
  });

  it('accepts values of a kind the cache holds nothing for, reported as unchecked', () => {
    const plan = planMapping(
      {
        type: 'setMapping',
        section: 'dimensions',
        key: 'a->DEPARTMENT',
        value: { source: 'a', target: 'DEPARTMENT', values: { X: 'D999' } },
        reason: 'r',
        actor,
      },
      emptyMappingSet(),
      { reference: ref },
    );
    expect(plan.unchecked).toEqual([{ path: 'dimensions.a->DEPARTMENT.values.X', target: 'DEPARTMENT', value: 'D999' }]);
    expect(plan.events[0]!.data).toMatchObject({ unchecked: plan.unchecked });
  });

  it('checks only what a change brings in: an earlier forced value does not block an unrelated edit', () => {
    const forced = planMapping(
      { type: 'setMapping', section: 'taxAccounts', key: 'DEVAT', value: { reclaim: '1999', nonDeductible: '6400' }, reason: 'forced', actor, force: true },
      emptyMappingSet(),
      { reference: ref },
    ).next;
    const edit = planMapping(
      { type: 'setMapping', section: 'taxAccounts', key: 'DEVAT', value: { reclaim: '1999', nonDeductible: '6500' }, reason: 'edit', actor },
      forced,
      { reference: ref },
    );
    expect(edit.events).toHaveLength(1);
    expect(edit.forced).toEqual([]);
    // An import checks every value it adds or changes, and lists them all.
    const message = refused(() =>
      planMapping({ type: 'importMappings', json: { accounts: { A: '1', B: '6400', C: '2' } }, reason: 'r', actor }, emptyMappingSet(), { reference: ref }),
    );
    expect(message).toMatch(/accounts\.A names GL account 1, .*; accounts\.C names GL account 2, /);
  });
});

describe('closest values', () => {
  it('ranks by edit distance, then common prefix, active candidates only, at most three', () => {
    expect(closestValues('6401', ['6400', '6410', '6500', '1000', '6400.10'])).toEqual(['6400', '6410', '6500']);
    expect(closestValues('99999', ['1000', '2000', 'D100'])).toEqual([]);
    expect(closestValues('6000', ['6000.10', '7000'])).toEqual(['7000', '6000.10']);
    expect(closestValues('d100', ['D100', 'D200'])).toEqual(['D100', 'D200']);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
  });
});
