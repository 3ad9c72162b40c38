/**
 * The sections of the posting targets: `targets` (fixed keys, like `options`, each with its own
 * choices of Intacct object) and the code sections `expenseTypes`, `cardAccounts` and `vendors`
 * (Maps, like `accounts`): validation, setMapping / removeMapping, imports and their diff, and the
 * check of their values against the reference cache.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../events/envelope.js';
import type { ReferenceTarget } from '../posting/types.js';
import {
  DEFAULT_TARGETS,
  decideMapping,
  describeUnchecked,
  emptyMappingSet,
  exportMappingsJson,
  MappingCommandRejected,
  mappingSetFromEvents,
  parseMappingsJson,
  planMapping,
  validateMappingSet,
  validateSectionValue,
  valuesOfEntry,
  type MappingCommand,
  type MappingEvent,
  type MappingReference,
  type MappingSet,
} from './index.js';

const actor = 'user:alice';
const at = '2026-07-01T10:00:00.000Z';

function record(events: MappingEvent[], from: RecordedEvent[] = []): RecordedEvent[] {
  return [
    ...from,
    ...events.map((e, i) => ({ ...e, streamId: 'mappings', revision: from.length + i, position: BigInt(from.length + i), recordedAt: e.metadata.occurredAt })),
  ];
}

const issues = (json: unknown) => {
  const r = validateMappingSet(json);
  return r.ok ? [] : r.issues;
};

const refusal = (fn: () => unknown): MappingCommandRejected => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MappingCommandRejected);
    return error as MappingCommandRejected;
  }
  throw new Error('expected a refusal');
};

/** Kinds listed are synced (id -> active?); the others hold nothing. Records every kind it is asked about. */
function reference(kinds: Partial<Record<ReferenceTarget, Record<string, boolean>>>, asked: string[] = []): MappingReference {
  const of = (target: ReferenceTarget) => (Object.hasOwn(kinds, target) ? new Map(Object.entries(kinds[target]!)) : null);
  return {
    status: (target, value) => {
      asked.push(target);
      const ids = of(target);
      if (ids === null) return 'unchecked';
      const active = ids.get(value);
      return active === undefined ? 'missing' : active ? 'ok' : 'inactive';
    },
    activeValues: (target) => [...(of(target) ?? new Map<string, boolean>())].filter(([, a]) => a).map(([id]) => id),
  };
}

describe('targets and the code sections in mapping JSON', () => {
  it('accepts targets and the code sections; absent target keys keep GLBATCH', () => {
    const r = validateMappingSet({
      targets: { expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION' }, invoice: 'APBILL' },
      expenseTypes: { AIRFR: 'Airfare', constructor: 'Meals' },
      cardAccounts: { CBCP: 'AMEX-CORP' },
      vendors: { 'ACME-01': 'V100', toString: 'V200' },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.targets).toEqual({
      expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
      invoice: 'APBILL',
      paymentRequest: 'GLBATCH',
      cashAdvance: 'GLBATCH',
    });
    expect(r.value.expenseTypes).toEqual(
      new Map([
        ['AIRFR', 'Airfare'],
        ['constructor', 'Meals'],
      ]),
    );
    expect(r.value.vendors.get('toString')).toBe('V200');
    expect(validateMappingSet({}).ok && (validateMappingSet({}) as { value: MappingSet }).value.targets).toEqual(DEFAULT_TARGETS);
  });

  it('a `__proto__` code read from JSON text is an own key of its section', () => {
    const r = parseMappingsJson('{"cardAccounts": {"__proto__": "VISA"}, "expenseTypes": {"__proto__": "Meals"}, "vendors": {"__proto__": "V1"}}');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect([r.value.cardAccounts.get('__proto__'), r.value.expenseTypes.get('__proto__'), r.value.vendors.get('__proto__')]).toEqual(['VISA', 'Meals', 'V1']);
    const exported = JSON.parse(exportMappingsJson(r.value)) as Record<string, Record<string, string>>;
    for (const section of ['cardAccounts', 'expenseTypes', 'vendors']) expect(Object.hasOwn(exported[section]!, '__proto__'), section).toBe(true);
  });

  it('refuses a target its key cannot choose, naming the choices', () => {
    expect(
      issues({
        targets: {
          expense: { outOfPocket: 'CCTRANSACTION', companyCard: 'APBILL', companyPaid: 'EEXPENSES' },
          invoice: 'EEXPENSES',
          paymentRequest: 7,
          cashAdvance: 'APBILL',
        },
      }),
    ).toEqual([
      { path: 'targets.expense.outOfPocket', message: 'must be one of GLBATCH, EEXPENSES, APBILL, got "CCTRANSACTION"' },
      { path: 'targets.expense.companyCard', message: 'must be one of GLBATCH, CCTRANSACTION, got "APBILL"' },
      { path: 'targets.expense.companyPaid', message: 'must be one of GLBATCH, got "EEXPENSES"' },
      { path: 'targets.invoice', message: 'must be one of GLBATCH, APBILL, got "EEXPENSES"' },
      { path: 'targets.paymentRequest', message: 'must be one of GLBATCH, APBILL, got a number' },
      { path: 'targets.cashAdvance', message: 'must be one of GLBATCH, got "APBILL"' },
    ]);
    // As the refusal of an import reads.
    const error = refusal(() =>
      decideMapping({ type: 'importMappings', json: { targets: { expense: { companyCard: 'APBILL' } } }, reason: 'r', actor }, emptyMappingSet(), at),
    );
    expect(error.message).toBe('Mapping change refused: targets.expense.companyCard must be one of GLBATCH, CCTRANSACTION, got "APBILL"');
  });

  it('refuses unknown target keys with the allowed ones, `__proto__` included, and non-objects', () => {
    expect(issues(JSON.parse('{"targets": {"expenses": "GLBATCH", "__proto__": {"invoice": "APBILL"}, "expense": {"card": "GLBATCH"}}}'))).toEqual([
      { path: 'targets.expenses', message: 'is not a known field (expected one of expense, invoice, paymentRequest, cashAdvance)' },
      { path: 'targets.__proto__', message: 'is not a known field (expected one of expense, invoice, paymentRequest, cashAdvance)' },
      { path: 'targets.expense.card', message: 'is not a known field (expected one of outOfPocket, companyCard, companyPaid)' },
    ]);
    expect(issues({ targets: 'GLBATCH', expenseTypes: [], cardAccounts: { CBCP: '' }, vendors: { V: 1 } })).toEqual([
      { path: 'targets', message: 'must be an object like {"expense": {"outOfPocket": "EEXPENSES"}, "invoice": "APBILL"}, got the string "GLBATCH"' },
      { path: 'expenseTypes', message: 'must be an object of code -> value, got an array' },
      { path: 'cardAccounts.CBCP', message: 'must not be empty' },
      { path: 'vendors.V', message: 'must be a non-empty string, got a number' },
    ]);
    expect(issues({ targets: { expense: 'EEXPENSES' } })).toEqual([
      { path: 'targets.expense', message: 'must be an object like {"outOfPocket": "EEXPENSES"}, got the string "EEXPENSES"' },
    ]);
  });

  it('export then import gives the same set with the new sections', () => {
    const r = validateMappingSet({
      targets: { paymentRequest: 'APBILL' },
      expenseTypes: { B: '2', A: '1' },
      cardAccounts: { CBCP: 'C1' },
      vendors: { V: 'V1' },
    });
    if (!r.ok) throw new Error('invalid');
    const text = exportMappingsJson(r.value);
    const again = parseMappingsJson(text);
    expect(again.ok && again.value).toEqual(r.value);
    expect(Object.keys(JSON.parse(text).expenseTypes)).toEqual(['A', 'B']);
  });
});

describe('validateSectionValue for the new sections', () => {
  it('targets: the key is one of the targets keys, the value one of its choices', () => {
    expect(validateSectionValue('targets', 'expense.outOfPocket', 'EEXPENSES')).toEqual({ ok: true, value: 'EEXPENSES' });
    expect(validateSectionValue('targets', 'cashAdvance', 'GLBATCH')).toEqual({ ok: true, value: 'GLBATCH' });
    expect(validateSectionValue('targets', 'expense.companyCard', 'APBILL')).toEqual({
      ok: false,
      issues: [{ path: 'targets.expense.companyCard', message: 'must be one of GLBATCH, CCTRANSACTION, got "APBILL"' }],
    });
    for (const key of ['expense', 'outOfPocket', 'constructor', '__proto__', 'expense.__proto__'])
      expect(validateSectionValue('targets', key, 'GLBATCH'), key).toEqual({
        ok: false,
        issues: [
          {
            path: `targets.${key}`,
            message:
              'is not a targets key (expected one of expense.outOfPocket, expense.companyCard, expense.companyPaid, invoice, paymentRequest, cashAdvance)',
          },
        ],
      });
    expect(validateSectionValue('targets', 'invoice', { target: 'APBILL' })).toMatchObject({
      ok: false,
      issues: [{ path: 'targets.invoice', message: 'must be one of GLBATCH, APBILL, got a object' }],
    });
  });

  it('expenseTypes, cardAccounts and vendors: any code as key, a non-empty value', () => {
    for (const section of ['expenseTypes', 'cardAccounts', 'vendors'] as const) {
      expect(validateSectionValue(section, 'constructor', 'X1'), section).toEqual({ ok: true, value: 'X1' });
      expect(validateSectionValue(section, 'A', ' X1'), section).toEqual({
        ok: false,
        issues: [{ path: `${section}.A`, message: '" X1" has leading or trailing spaces' }],
      });
      expect(validateSectionValue(section, ' ', 'X1'), section).toEqual({ ok: false, issues: [{ path: section, message: 'needs a key (which code to map)' }] });
    }
  });
});

describe('setMapping and removeMapping on the new sections', () => {
  const given = (history: RecordedEvent[], command: MappingCommand) => decideMapping(command, mappingSetFromEvents(history).set, at);

  it('sets a target, records nothing when it is already that, and removing it puts GLBATCH back', () => {
    const set: MappingCommand = {
      type: 'setMapping',
      section: 'targets',
      key: 'expense.outOfPocket',
      value: 'EEXPENSES',
      reason: 'reimburse in Intacct',
      actor,
    };
    const events = given([], set);
    expect(events.map((e) => e.data)).toEqual([{ section: 'targets', key: 'expense.outOfPocket', value: 'EEXPENSES', reason: 'reimburse in Intacct' }]);
    let history = record(events);
    expect(mappingSetFromEvents(history).set.targets.expense).toEqual({ outOfPocket: 'EEXPENSES', companyCard: 'GLBATCH', companyPaid: 'GLBATCH' });
    expect(given(history, { ...set, reason: 'again' })).toEqual([]);

    const plan = planMapping(
      { type: 'removeMapping', section: 'targets', key: 'expense.outOfPocket', reason: 'back to journal entries', actor },
      mappingSetFromEvents(history).set,
    );
    expect(plan.diff).toEqual([{ change: 'changed', section: 'targets', key: 'expense.outOfPocket', oldValue: 'EEXPENSES', newValue: 'GLBATCH' }]);
    expect(plan.events.map((e) => e.data)).toEqual([{ section: 'targets', key: 'expense.outOfPocket', value: null, reason: 'back to journal entries' }]);
    history = record(plan.events, history);
    expect(mappingSetFromEvents(history).set.targets).toEqual(DEFAULT_TARGETS);
    // Already the default: nothing to record.
    expect(given(history, { type: 'removeMapping', section: 'targets', key: 'expense.outOfPocket', reason: 'again', actor })).toEqual([]);
  });

  it('refuses an unknown targets key and a value its key cannot choose', () => {
    expect(refusal(() => given([], { type: 'removeMapping', section: 'targets', key: 'expense', reason: 'r', actor })).issues).toEqual([
      {
        path: 'targets.expense',
        message: 'is not a targets key (expected one of expense.outOfPocket, expense.companyCard, expense.companyPaid, invoice, paymentRequest, cashAdvance)',
      },
    ]);
    expect(refusal(() => given([], { type: 'setMapping', section: 'targets', key: 'expense.companyCard', value: 'APBILL', reason: 'r', actor })).message).toBe(
      'Mapping change refused: targets.expense.companyCard must be one of GLBATCH, CCTRANSACTION, got "APBILL"',
    );
  });

  it('code sections hold any code, `__proto__` and `constructor` included, and remove only what is there', () => {
    let history: RecordedEvent[] = [];
    for (const section of ['expenseTypes', 'cardAccounts', 'vendors'] as const) {
      history = record(given(history, { type: 'setMapping', section, key: '__proto__', value: `${section}-1`, reason: 'odd code', actor }), history);
      history = record(given(history, { type: 'setMapping', section, key: 'constructor', value: `${section}-2`, reason: 'odd code', actor }), history);
      expect([...mappingSetFromEvents(history).set[section]], section).toEqual([
        ['__proto__', `${section}-1`],
        ['constructor', `${section}-2`],
      ]);
      expect(refusal(() => given(history, { type: 'removeMapping', section, key: 'toString', reason: 'r', actor })).issues).toEqual([
        { path: `${section}.toString`, message: 'has no mapping to remove' },
      ]);
      history = record(given(history, { type: 'removeMapping', section, key: '__proto__', reason: 'cleanup', actor }), history);
      expect([...mappingSetFromEvents(history).set[section].keys()], section).toEqual(['constructor']);
    }
    expect(history).toHaveLength(9);
  });
});

describe('imports show target and code-section changes in their diff', () => {
  const current = (): MappingSet => {
    const r = validateMappingSet({ targets: { invoice: 'APBILL' }, vendors: { ACME: 'V100' }, cardAccounts: { CBCP: 'AMEX' } });
    if (!r.ok) throw new Error('invalid');
    return r.value;
  };

  it('merge: only the target keys and codes in the file change', () => {
    const plan = planMapping(
      {
        type: 'importMappings',
        json: JSON.stringify({
          targets: { expense: { companyCard: 'CCTRANSACTION' } },
          vendors: { ACME: 'V101', NEW: 'V200' },
          expenseTypes: { AIRFR: 'Airfare' },
        }),
        reason: 'cards',
        actor,
      },
      current(),
    );
    expect(plan.next.targets).toEqual({ ...DEFAULT_TARGETS, expense: { ...DEFAULT_TARGETS.expense, companyCard: 'CCTRANSACTION' }, invoice: 'APBILL' });
    expect(plan.diff).toEqual([
      { change: 'changed', section: 'targets', key: 'expense.companyCard', oldValue: 'GLBATCH', newValue: 'CCTRANSACTION' },
      { change: 'added', section: 'expenseTypes', key: 'AIRFR', oldValue: null, newValue: 'Airfare' },
      { change: 'changed', section: 'vendors', key: 'ACME', oldValue: 'V100', newValue: 'V101' },
      { change: 'added', section: 'vendors', key: 'NEW', oldValue: null, newValue: 'V200' },
    ]);
  });

  it('replace: targets absent from the file go back to GLBATCH, codes absent are removed', () => {
    const plan = planMapping({ type: 'importMappings', json: { journal: 'EXPJ' }, reason: 'r', actor, mode: 'replace' }, current());
    expect(plan.diff).toEqual([
      { change: 'added', section: 'journal', key: null, oldValue: null, newValue: 'EXPJ' },
      { change: 'changed', section: 'targets', key: 'invoice', oldValue: 'APBILL', newValue: 'GLBATCH' },
      { change: 'removed', section: 'cardAccounts', key: 'CBCP', oldValue: 'AMEX', newValue: null },
      { change: 'removed', section: 'vendors', key: 'ACME', oldValue: 'V100', newValue: null },
    ]);
  });
});

describe('values of the new sections and the reference cache', () => {
  it('vendors are VENDORID values: refused when Intacct has no such vendor, unchecked while the cache holds none', () => {
    const ref = reference({ VENDORID: { V100: true, V101: true, V999: false } });
    const error = refusal(() =>
      decideMapping({ type: 'setMapping', section: 'vendors', key: 'ACME', value: 'V10', reason: 'r', actor }, emptyMappingSet(), at, ref),
    );
    expect(error.message).toMatch(/^Mapping change refused: vendors\.ACME names vendor V10, which does not exist in Intacct \(closest active: V100, V101\)/);
    expect(
      refusal(() => decideMapping({ type: 'setMapping', section: 'vendors', key: 'ACME', value: 'V999', reason: 'r', actor }, emptyMappingSet(), at, ref))
        .message,
    ).toMatch(/vendors\.ACME names vendor V999, which is inactive in Intacct/);
    const forced = planMapping(
      { type: 'setMapping', section: 'vendors', key: 'ACME', value: 'V10', reason: 'created today', actor, force: true },
      emptyMappingSet(),
      { reference: ref },
    );
    expect(forced.events[0]!.data).toMatchObject({ forced: [{ path: 'vendors.ACME', target: 'VENDORID', value: 'V10', status: 'missing' }] });
    const unchecked = planMapping({ type: 'setMapping', section: 'vendors', key: 'ACME', value: 'V10', reason: 'r', actor }, emptyMappingSet(), {
      reference: reference({}),
    });
    expect(unchecked.unchecked).toEqual([{ path: 'vendors.ACME', target: 'VENDORID', value: 'V10' }]);
  });

  it('expense types and card accounts are never in the cache: accepted and reported unchecked, the cache is not asked', () => {
    const asked: string[] = [];
    const ref = reference({ VENDORID: {}, GLACCOUNT: {} }, asked);
    const plan = planMapping(
      { type: 'importMappings', json: { expenseTypes: { AIRFR: 'Airfare' }, cardAccounts: { CBCP: 'AMEX-CORP' } }, reason: 'r', actor },
      emptyMappingSet(),
      { reference: ref },
    );
    expect(plan.unchecked).toEqual([
      { path: 'expenseTypes.AIRFR', target: 'EXPENSETYPE', value: 'Airfare' },
      { path: 'cardAccounts.CBCP', target: 'CARDACCOUNT', value: 'AMEX-CORP' },
    ]);
    expect(plan.events[0]!.data).toMatchObject({ unchecked: plan.unchecked });
    expect(asked).toEqual([]);
    expect(plan.unchecked.map(describeUnchecked)).toEqual([
      'expenseTypes.AIRFR: expense type Airfare is not checked (expense types are not synced from Intacct)',
      'cardAccounts.CBCP: credit-card account AMEX-CORP is not checked (credit-card accounts are not synced from Intacct)',
    ]);
  });

  it('targets name Intacct objects, not reference data', () => {
    expect(valuesOfEntry('targets', 'invoice', 'APBILL')).toEqual([]);
    const plan = planMapping({ type: 'setMapping', section: 'targets', key: 'invoice', value: 'APBILL', reason: 'r', actor }, emptyMappingSet(), {
      reference: reference({}),
    });
    expect([plan.events.length, plan.unchecked, plan.forced]).toEqual([1, [], []]);
  });
});
