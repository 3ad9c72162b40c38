/**
 * What a mapping change does, entry by entry: added, changed or removed, per section and key, with
 * the old and new values in their JSON form. Shown by dry-run imports, mutation answers and the
 * mapping history, and used to decide that a change changes nothing (no diff: no event).
 */
import { DEFAULT_TARGETS, dimensionKey, TARGET_CHOICES, targetAt, type MappingSection, type MappingSet, type MappingSetJson } from './model.js';
import { mappingSetToJson } from './json.js';

export type MappingDiffChange = 'added' | 'changed' | 'removed';

export interface MappingDiffEntry {
  change: MappingDiffChange;
  section: MappingSection;
  /** Null for `journal` and `cashAdvanceAccount`, and for the order of the dimension rules. */
  key: string | null;
  /** JSON form; null when added. */
  oldValue: unknown;
  /** JSON form; null when removed. */
  newValue: unknown;
}

/** JSON text with object keys sorted: equal values give equal text whatever order their keys came in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

function keyed(section: MappingSection, before: Record<string, unknown>, after: Record<string, unknown>, out: MappingDiffEntry[]): void {
  // Entries, never `before[key]`: a code such as `constructor` must not find Object.prototype.constructor.
  const old = new Map(Object.entries(before));
  const now = new Map(Object.entries(after));
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const o = old.get(key);
    const n = now.get(key);
    if (o === undefined) out.push({ change: 'added', section, key, oldValue: null, newValue: n });
    else if (n === undefined) out.push({ change: 'removed', section, key, oldValue: o, newValue: null });
    else if (!same(o, n)) out.push({ change: 'changed', section, key, oldValue: o, newValue: n });
  }
}

function scalar(section: 'journal' | 'cashAdvanceAccount', before: string | null, after: string | null, out: MappingDiffEntry[]): void {
  if (before === after) return;
  out.push({ change: before === null ? 'added' : after === null ? 'removed' : 'changed', section, key: null, oldValue: before, newValue: after });
}

/** `targets` by the keys setMapping addresses (`expense.outOfPocket`, `invoice`…); JSON without the section (older callers) has the defaults. */
function flatTargets(targets: MappingSetJson['targets'] | undefined): Record<string, unknown> {
  const t = { ...DEFAULT_TARGETS, ...targets, expense: { ...DEFAULT_TARGETS.expense, ...targets?.expense } };
  return Object.fromEntries([...TARGET_CHOICES.keys()].map((key) => [key, targetAt(t, key)]));
}

/** The diff of two sets, in the order of the JSON document (journal, accounts, …, options, targets, expenseTypes, cardAccounts, vendors), keys sorted. */
export function diffMappingJson(before: MappingSetJson, after: MappingSetJson): MappingDiffEntry[] {
  const out: MappingDiffEntry[] = [];
  scalar('journal', before.journal, after.journal, out);
  keyed('accounts', before.accounts, after.accounts, out);
  keyed('counterparties', before.counterparties, after.counterparties, out);
  keyed('taxAccounts', before.taxAccounts, after.taxAccounts, out);
  scalar('cashAdvanceAccount', before.cashAdvanceAccount, after.cashAdvanceAccount, out);
  const rules = (list: MappingSetJson['dimensions']) => Object.fromEntries(list.map((r) => [dimensionKey(r), r]));
  keyed('dimensions', rules(before.dimensions), rules(after.dimensions), out);
  // Rule order decides which source wins for a target: a reordering is a change of its own.
  const oldKeys = before.dimensions.map(dimensionKey);
  const newKeys = after.dimensions.map(dimensionKey);
  const kept = (keys: string[], other: string[]) => keys.filter((k) => other.includes(k));
  if (!same(kept(oldKeys, newKeys), kept(newKeys, oldKeys)))
    out.push({ change: 'changed', section: 'dimensions', key: null, oldValue: oldKeys, newValue: newKeys });
  keyed('employees', before.employees, after.employees, out);
  keyed('defaults', before.defaults, after.defaults, out);
  keyed('options', before.options as unknown as Record<string, unknown>, after.options as unknown as Record<string, unknown>, out);
  keyed('targets', flatTargets(before.targets), flatTargets(after.targets), out);
  keyed('expenseTypes', before.expenseTypes ?? {}, after.expenseTypes ?? {}, out);
  keyed('cardAccounts', before.cardAccounts ?? {}, after.cardAccounts ?? {}, out);
  keyed('vendors', before.vendors ?? {}, after.vendors ?? {}, out);
  return out;
}

export function diffMappingSets(before: MappingSet, after: MappingSet): MappingDiffEntry[] {
  return diffMappingJson(mappingSetToJson(before), mappingSetToJson(after));
}

/** "accounts.474230", "journal", "dimensions (rule order)": how messages name an entry. */
export function diffEntryPath(entry: Pick<MappingDiffEntry, 'section' | 'key'>): string {
  if (entry.key !== null) return `${entry.section}.${entry.key}`;
  return entry.section === 'dimensions' ? 'dimensions (rule order)' : entry.section;
}

/** One line per entry, e.g. `changed accounts.474230: "6400" -> "6401"`. */
export function describeDiffEntry(entry: MappingDiffEntry): string {
  const path = diffEntryPath(entry);
  if (entry.change === 'added') return `added ${path}: ${JSON.stringify(entry.newValue)}`;
  if (entry.change === 'removed') return `removed ${path} (was ${JSON.stringify(entry.oldValue)})`;
  return `changed ${path}: ${JSON.stringify(entry.oldValue)} -> ${JSON.stringify(entry.newValue)}`;
}
