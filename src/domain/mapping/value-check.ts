/**
 * Mapping values are Intacct values: a change is checked against the cached Intacct reference data
 * before it is recorded (docs/posting-rules.md, Mapping set). Pure: the cache is asked through `MappingReference`, which
 * the application implements over the dimension cache, as the posting rules get their `DimensionCheck`.
 *
 * - A value the cache does not have, or has as inactive, is refused with the closest active values.
 * - `force` (with a reason) records it anyway; the event lists it as forced, for the audit trail.
 * - A kind the cache holds nothing for yet (first start, sync still running) cannot be judged: its
 *   values are accepted and reported as unchecked; the posting rules check them when documents arrive.
 * - Intacct expense types (`expenseTypes`) and credit-card accounts (`cardAccounts`) are never synced:
 *   their values are always accepted as unchecked, like items.
 */
import type { ReferenceTarget } from '../posting/types.js';
import type { MappingDiffEntry } from './diff.js';
import type { MappingSection } from './model.js';

export type MappingReferenceStatus = 'ok' | 'missing' | 'inactive' | 'unchecked';

export interface MappingReference {
  /** 'unchecked' when the cache holds nothing for the target's kind (or the kind is never synced). */
  status(target: ReferenceTarget, value: string): MappingReferenceStatus;
  /** The active values of the target's kind, for suggestions. */
  activeValues(target: ReferenceTarget): readonly string[];
}

/**
 * What a mapping value must be in Intacct: reference data the cache may hold, or a kind it never
 * holds (`EXPENSETYPE`: an expense type, EEXPENSES lines; `CARDACCOUNT`: a credit-card account, CCTRANSACTION).
 */
export type MappingValueTarget = ReferenceTarget | 'EXPENSETYPE' | 'CARDACCOUNT';

/** Kinds the reference cache never holds: their values are always unchecked, the cache is not asked. */
const UNSYNCED_TARGETS: ReadonlySet<MappingValueTarget> = new Set<MappingValueTarget>(['EXPENSETYPE', 'CARDACCOUNT']);
const isReferenceTarget = (target: MappingValueTarget): target is ReferenceTarget => !UNSYNCED_TARGETS.has(target);

/** No cache at all: everything is unchecked (tests, and callers that have no reference data). */
export const NO_REFERENCE: MappingReference = { status: () => 'unchecked', activeValues: () => [] };

/** One Intacct value named by a mapping entry, e.g. `counterparties.IBCP.vendorId` = `AMEX` (VENDORID). */
export interface MappingValueRef {
  path: string;
  target: MappingValueTarget;
  value: string;
}

/** A value the cache does not accept: refused unless forced. */
export interface MappingValueProblem extends MappingValueRef {
  target: ReferenceTarget;
  status: 'missing' | 'inactive';
  /** Up to three active values close to it, closest first. */
  closest: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The Intacct values one entry (JSON form) names. Journal symbols, options and targets (Intacct object names) are not reference data. */
export function valuesOfEntry(section: MappingSection, key: string | null, value: unknown): MappingValueRef[] {
  const out: MappingValueRef[] = [];
  const add = (path: string, target: MappingValueTarget, v: unknown): void => {
    const s = str(v);
    if (s !== null) out.push({ path, target, value: s });
  };
  const path = key === null ? section : `${section}.${key}`;
  switch (section) {
    case 'accounts':
    case 'cashAdvanceAccount':
      add(path, 'GLACCOUNT', value);
      break;
    case 'employees':
      add(path, 'EMPLOYEEID', value);
      break;
    case 'vendors':
      add(path, 'VENDORID', value);
      break;
    case 'expenseTypes':
      add(path, 'EXPENSETYPE', value);
      break;
    case 'cardAccounts':
      add(path, 'CARDACCOUNT', value);
      break;
    case 'defaults':
      if (key !== null) add(path, key as ReferenceTarget, value);
      break;
    case 'counterparties':
      if (isObject(value)) {
        add(`${path}.account`, 'GLACCOUNT', value['account']);
        add(`${path}.vendorId`, 'VENDORID', value['vendorId']);
      }
      break;
    case 'taxAccounts':
      if (isObject(value)) {
        add(`${path}.reclaim`, 'GLACCOUNT', value['reclaim']);
        add(`${path}.nonDeductible`, 'GLACCOUNT', value['nonDeductible']);
      }
      break;
    case 'dimensions':
      if (key !== null && isObject(value) && typeof value['target'] === 'string' && isObject(value['values'])) {
        for (const [code, v] of Object.entries(value['values'])) add(`${path}.values.${code}`, value['target'] as ReferenceTarget, v);
      }
      break;
    case 'journal':
    case 'options':
    case 'targets':
      break;
  }
  return out;
}

/**
 * The values a diff brings in: new entries' values, and of a changed entry only what differs from
 * before (a value forced earlier does not block an unrelated edit of the same rule).
 */
export function introducedValues(diff: readonly MappingDiffEntry[]): MappingValueRef[] {
  const out: MappingValueRef[] = [];
  for (const entry of diff) {
    if (entry.change === 'removed' || (entry.section === 'dimensions' && entry.key === null)) continue;
    const before = new Set(valuesOfEntry(entry.section, entry.key, entry.oldValue).map((r) => `${r.path}\u0000${r.target}\u0000${r.value}`));
    for (const ref of valuesOfEntry(entry.section, entry.key, entry.newValue))
      if (!before.has(`${ref.path}\u0000${ref.target}\u0000${ref.value}`)) out.push(ref);
  }
  return out;
}

/** Suggestions cost an edit-distance scan over the kind's values: only this many problems get them. */
const SUGGESTED_PROBLEMS = 20;

export function checkMappingValues(
  refs: readonly MappingValueRef[],
  reference: MappingReference,
): { problems: MappingValueProblem[]; unchecked: MappingValueRef[] } {
  const problems: MappingValueProblem[] = [];
  const unchecked: MappingValueRef[] = [];
  for (const ref of refs) {
    const target = ref.target;
    if (!isReferenceTarget(target)) {
      unchecked.push(ref);
      continue;
    }
    const status = reference.status(target, ref.value);
    if (status === 'ok') continue;
    if (status === 'unchecked') unchecked.push(ref);
    else
      problems.push({ ...ref, target, status, closest: problems.length < SUGGESTED_PROBLEMS ? closestValues(ref.value, reference.activeValues(target)) : [] });
  }
  return { problems, unchecked };
}

const LABEL: ReadonlyMap<MappingValueTarget, string> = new Map<MappingValueTarget, string>([
  ['GLACCOUNT', 'GL account'],
  ['DEPARTMENT', 'department'],
  ['LOCATION', 'location'],
  ['PROJECTID', 'project'],
  ['CUSTOMERID', 'customer'],
  ['CLASSID', 'class'],
  ['ITEMID', 'item'],
  ['VENDORID', 'vendor'],
  ['EMPLOYEEID', 'employee'],
  ['EXPENSETYPE', 'expense type'],
  ['CARDACCOUNT', 'credit-card account'],
]);

export const referenceLabel = (target: MappingValueTarget): string => LABEL.get(target) ?? target;

/**
 * Follows the entry's path in refusals ("accounts.474230 names GL account 99999, which does not
 * exist in Intacct (closest active: 9998): use …"): what is wrong and what to do.
 */
export function describeProblem(p: MappingValueProblem): string {
  const what = `names ${referenceLabel(p.target)} ${p.value}, which ${p.status === 'missing' ? 'does not exist in Intacct' : 'is inactive in Intacct'}`;
  const closest = p.closest.length > 0 ? ` (closest active: ${p.closest.join(', ')})` : '';
  return `${what}${closest}: use an active ${referenceLabel(p.target)}, sync reference data if it was just ${p.status === 'missing' ? 'created' : 'reactivated'} in Intacct, or pass force: true with a reason (CLI: --force --reason TEXT) to record it anyway`;
}

export function describeUnchecked(ref: MappingValueRef): string {
  if (ref.target === 'ITEMID') return `${ref.path}: item ${ref.value} is not checked (items are not synced from Intacct)`;
  if (!isReferenceTarget(ref.target))
    return `${ref.path}: ${referenceLabel(ref.target)} ${ref.value} is not checked (${referenceLabel(ref.target)}s are not synced from Intacct)`;
  return `${ref.path}: ${referenceLabel(ref.target)} ${ref.value} was not checked: no ${ref.target} reference data is cached yet (it is checked when documents arrive, and a sync fills the cache)`;
}

/** Levenshtein distance, case-insensitive, with an early exit once every path exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x.charCodeAt(i - 1) === y.charCodeAt(j - 1) ? 0 : 1;
      const d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    previous = row;
  }
  return previous[y.length]!;
}

function commonPrefix(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let n = 0;
  while (n < x.length && n < y.length && x.charCodeAt(n) === y.charCodeAt(n)) n++;
  return n;
}

/**
 * Up to `limit` candidates closest to `value`: by edit distance, then the longer common prefix
 * (account numbers share their leading digits), then alphabetically. A candidate counts as close when
 * it is within about half the value's length in edits, or shares a prefix of three characters, or one
 * contains the other (`6400` and `6400.10`); when none is close, nothing is suggested rather than noise.
 */
export function closestValues(value: string, candidates: readonly string[], limit = 3): string[] {
  const max = Math.max(2, Math.ceil(value.length / 2));
  const scored: { id: string; distance: number; prefix: number }[] = [];
  const lower = value.toLowerCase();
  for (const id of candidates) {
    if (id === value) continue;
    const prefix = commonPrefix(value, id);
    const contains = id.toLowerCase().includes(lower) || lower.includes(id.toLowerCase());
    const distance = editDistance(value, id, contains || prefix >= 3 ? Infinity : max);
    if (distance <= max || prefix >= 3 || contains) scored.push({ id, distance, prefix });
  }
  scored.sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.id);
}
