/**
 * The JSON form of a mapping set (docs/posting-rules.md, Mapping set) and the only conversions between it and the domain
 * form (model.ts). Both directions go through `Object.entries` / `Object.fromEntries`, which treat
 * every key, `__proto__` included, as an ordinary own property. Exports sort keys so diffs stay small.
 */
import type { DimensionTarget } from '../journal/journal-entry.js';
import {
  DEFAULT_MAPPING_OPTIONS,
  DEFAULT_TARGETS,
  type CounterpartyMapping,
  type DimensionRule,
  type DimensionRuleJson,
  type MappingSet,
  type MappingSetJson,
  type TaxAccountMapping,
} from './model.js';
import { validateMappingSet, type MappingValidation } from './validate.js';

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/** A Map as a plain object with sorted keys (JS still puts integer-like keys first, in numeric order). */
export function sortedObject<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  return Object.fromEntries([...map].sort(byKey));
}

/** A JSON object as a Map, own keys only; anything that is not an object gives an empty Map. */
export function mapOf<T>(object: unknown, copy: (value: T) => T = (v) => v): Map<string, T> {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return new Map();
  return new Map(Object.entries(object as Record<string, T>).map(([k, v]) => [k, copy(v)]));
}

const copyCounterparty = (c: CounterpartyMapping): CounterpartyMapping => ({ ...c });
const copyTaxAccount = (t: TaxAccountMapping): TaxAccountMapping => ({ ...t });

export function dimensionRuleToJson(rule: DimensionRule): DimensionRuleJson {
  return { source: rule.source, target: rule.target, values: sortedObject(rule.values), passThrough: rule.passThrough };
}

export function dimensionRuleFromJson(rule: DimensionRuleJson): DimensionRule {
  return { source: rule.source, target: rule.target, values: mapOf<string>(rule.values), passThrough: rule.passThrough === true };
}

export function mappingSetToJson(set: MappingSet): MappingSetJson {
  return {
    journal: set.journal,
    accounts: sortedObject(set.accounts),
    counterparties: Object.fromEntries([...set.counterparties].sort(byKey).map(([k, v]) => [k, copyCounterparty(v)])),
    taxAccounts: Object.fromEntries([...set.taxAccounts].sort(byKey).map(([k, v]) => [k, copyTaxAccount(v)])),
    cashAdvanceAccount: set.cashAdvanceAccount,
    dimensions: set.dimensions.map(dimensionRuleToJson),
    employees: sortedObject(set.employees),
    defaults: sortedObject(set.defaults) as Partial<Record<DimensionTarget, string>>,
    options: { ...set.options },
    targets: { ...set.targets, expense: { ...set.targets.expense } },
    expenseTypes: sortedObject(set.expenseTypes),
    cardAccounts: sortedObject(set.cardAccounts),
    vendors: sortedObject(set.vendors),
  };
}

/**
 * The domain form of JSON that was validated when it was recorded (event data, the read model's
 * row). Absent sections are empty, so events written before a section existed still fold.
 */
export function mappingSetFromJson(json: Partial<MappingSetJson>): MappingSet {
  return {
    journal: json.journal ?? null,
    accounts: mapOf<string>(json.accounts),
    counterparties: mapOf<CounterpartyMapping>(json.counterparties, copyCounterparty),
    taxAccounts: mapOf<TaxAccountMapping>(json.taxAccounts, copyTaxAccount),
    cashAdvanceAccount: json.cashAdvanceAccount ?? null,
    dimensions: Array.isArray(json.dimensions) ? json.dimensions.map(dimensionRuleFromJson) : [],
    employees: mapOf<string>(json.employees),
    defaults: mapOf<string>(json.defaults) as Map<DimensionTarget, string>,
    options: { ...DEFAULT_MAPPING_OPTIONS, ...json.options },
    targets: { ...DEFAULT_TARGETS, ...json.targets, expense: { ...DEFAULT_TARGETS.expense, ...json.targets?.expense } },
    expenseTypes: mapOf<string>(json.expenseTypes),
    cardAccounts: mapOf<string>(json.cardAccounts),
    vendors: mapOf<string>(json.vendors),
  };
}

export function exportMappingsJson(set: MappingSet): string {
  return `${JSON.stringify(mappingSetToJson(set), null, 2)}\n`;
}

export function parseMappingsJson(text: string): MappingValidation<MappingSet> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: '(root)', message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  return validateMappingSet(json);
}
