/**
 * Mapping commands over codes named like Object.prototype members (seeded random sequences of
 * setMapping / removeMapping / importMappings), checked against a model built with Maps, through
 * what a user sees: the exported JSON. Before the set held Maps, `setMapping(accounts, "__proto__")`
 * decided no event (the assignment set the prototype of a plain object) and answered as if it had
 * stored the value.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../events/envelope.js';
import { CODE_NAMES, pick } from '../../../test/support/code-names.js';
import { mulberry32 } from '../../../test/posting/random-documents.js';
import {
  DEFAULT_TARGETS,
  decideMapping,
  exportMappingsJson,
  MappingCommandRejected,
  mappingSetFromEvents,
  parseMappingsJson,
  type MappingCommand,
  type MappingEvent,
} from './index.js';

const actor = 'user:alice';
const RULE = 'allocationCustom4Code->DEPARTMENT';

function record(events: MappingEvent[], from: RecordedEvent[]): RecordedEvent[] {
  return [
    ...from,
    ...events.map((e, i) => ({ ...e, streamId: 'mappings', revision: from.length + i, position: BigInt(from.length + i), recordedAt: e.metadata.occurredAt })),
  ];
}

const sortedEntries = (o: unknown): [string, unknown][] =>
  Object.entries((o ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const sortedModel = (m: Map<string, unknown>): [string, unknown][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('mapping commands with codes named like Object.prototype members (seeded random)', () => {
  it('store, export and remove every key; refuse keys a section cannot take, with a reason', () => {
    const rand = mulberry32(4242);
    let history: RecordedEvent[] = [];
    const model = {
      accounts: new Map<string, unknown>(),
      employees: new Map<string, unknown>(),
      taxAccounts: new Map<string, unknown>(),
      expenseTypes: new Map<string, unknown>(),
      cardAccounts: new Map<string, unknown>(),
      vendors: new Map<string, unknown>(),
      values: new Map<string, unknown>(),
    };
    let refused = 0;
    for (let step = 0; step < 400; step++) {
      const key = pick(rand, CODE_NAMES);
      const value = pick(rand, CODE_NAMES);
      const section = pick(rand, [
        'accounts',
        'employees',
        'taxAccounts',
        'expenseTypes',
        'cardAccounts',
        'vendors',
        'dimensions',
        'counterparties',
        'defaults',
        'options',
        'targets',
      ] as const);
      const op = rand();
      let command: MappingCommand;
      let expectRefusal = false;
      let apply = (): void => undefined;
      if (section === 'counterparties' || section === 'defaults' || section === 'options' || section === 'targets') {
        // Keys of these sections are payment types, dimensions, option names and target keys: none of ours.
        command = { type: 'setMapping', section, key, value: section === 'counterparties' ? { account: value } : value, reason: 'try', actor };
        expectRefusal = true;
      } else if (section === 'dimensions') {
        const values = new Map(model.values);
        if (op < 0.7) values.set(key, value);
        else values.delete(key);
        command = {
          type: 'setMapping',
          section,
          key: RULE,
          value: { source: 'allocationCustom4Code', target: 'DEPARTMENT', values: Object.fromEntries(values), passThrough: false },
          reason: 'rule',
          actor,
        };
        apply = () => void (model.values = values);
      } else {
        const target = model[section];
        const entry = section === 'taxAccounts' ? { reclaim: value, nonDeductible: value } : value;
        if (op < 0.55) {
          command = { type: 'setMapping', section, key, value: entry, reason: 'map', actor };
          apply = () => void target.set(key, entry);
        } else if (op < 0.8) {
          command = { type: 'removeMapping', section, key, reason: 'unmap', actor };
          expectRefusal = !target.has(key);
          apply = () => void target.delete(key);
        } else {
          // A merge import of one key: the key is set, everything else is kept.
          command = { type: 'importMappings', json: JSON.stringify({ [section]: Object.fromEntries([[key, entry]]) }), reason: 'import', actor };
          apply = () => void target.set(key, entry);
        }
      }
      const what = `step ${step}: ${JSON.stringify(command)}`;
      const current = mappingSetFromEvents(history).set;
      try {
        history = record(decideMapping(command, current, '2026-07-01T10:00:00.000Z'), history);
        expect(expectRefusal, `${what} was accepted`).toBe(false);
        apply();
      } catch (error) {
        if (!(error instanceof MappingCommandRejected)) throw error;
        expect(expectRefusal, `${what} was refused: ${error.message}`).toBe(true);
        expect(error.issues.length).toBeGreaterThan(0);
        refused++;
      }
      const text = exportMappingsJson(mappingSetFromEvents(history).set);
      const exported = JSON.parse(text) as Record<'accounts' | 'employees' | 'taxAccounts' | 'expenseTypes' | 'cardAccounts' | 'vendors', object> & {
        dimensions: { values: object }[];
        targets: object;
      };
      for (const s of ['accounts', 'employees', 'taxAccounts', 'expenseTypes', 'cardAccounts', 'vendors'] as const)
        expect(sortedEntries(exported[s]), `${what} (${s})`).toEqual(sortedModel(model[s]));
      // No refused key ever reaches the targets.
      expect(exported.targets, what).toEqual(DEFAULT_TARGETS);
      expect(sortedEntries(exported.dimensions[0]?.values), what).toEqual(sortedModel(model.values));
      // The export imports back to the same set.
      const again = parseMappingsJson(text);
      expect(again.ok && exportMappingsJson(again.value), what).toBe(text);
    }
    expect(refused).toBeGreaterThan(20);
    expect(model.accounts.size + model.employees.size).toBeGreaterThan(3);
    expect(model.expenseTypes.size + model.cardAccounts.size + model.vendors.size).toBeGreaterThan(3);
  });

  it('setMapping accounts "__proto__" records the value, exports it as an own key, and removeMapping removes it', () => {
    const set = (history: RecordedEvent[], command: MappingCommand) =>
      record(decideMapping(command, mappingSetFromEvents(history).set, '2026-07-01T10:00:00.000Z'), history);
    let history = set([], { type: 'setMapping', section: 'accounts', key: '__proto__', value: '6400', reason: 'odd code', actor });
    expect(history).toHaveLength(1);
    const exported = JSON.parse(exportMappingsJson(mappingSetFromEvents(history).set)) as { accounts: Record<string, string> };
    expect(Object.hasOwn(exported.accounts, '__proto__') && exported.accounts['__proto__']).toBe('6400');
    history = set(history, { type: 'setMapping', section: 'employees', key: 'constructor', value: 'E1', reason: 'odd id', actor });
    expect(mappingSetFromEvents(history).set.employees.get('constructor')).toBe('E1');
    history = set(history, { type: 'removeMapping', section: 'accounts', key: '__proto__', reason: 'cleanup', actor });
    expect(JSON.parse(exportMappingsJson(mappingSetFromEvents(history).set)).accounts).toEqual({});
    // A key never set is not "there" because Object.prototype has it.
    expect(() => set(history, { type: 'removeMapping', section: 'accounts', key: 'toString', reason: 'cleanup', actor })).toThrow(
      'accounts.toString has no mapping to remove',
    );
  });
});
