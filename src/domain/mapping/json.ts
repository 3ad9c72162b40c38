/** JSON export / import of a mapping set in the format of docs/posting-rules.md, Mapping set (keys sorted: diffs stay small). */
import type { MappingSet } from './model.js';
import { validateMappingSet, type MappingValidation } from './validate.js';

export function mappingSetToJson(set: MappingSet): Record<string, unknown> {
  const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    journal: set.journal,
    accounts: sorted(set.accounts),
    counterparties: sorted(set.counterparties),
    taxAccounts: sorted(set.taxAccounts),
    cashAdvanceAccount: set.cashAdvanceAccount,
    dimensions: set.dimensions.map((d) => ({ source: d.source, target: d.target, values: sorted(d.values), passThrough: d.passThrough })),
    employees: sorted(set.employees),
    defaults: sorted(set.defaults),
    options: { ...set.options },
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
