/**
 * The mapping decider: commands -> `MappingChanged` / `MappingsImported` events, after validation.
 * Every change carries an actor (metadata) and a reason; a change that changes nothing yields no
 * event. Values are checked against the Intacct reference cache (value-check.ts) before anything is
 * recorded; the answer of a command (its diff, what was forced or left unchecked) is part of the plan.
 */
import { newEvent, type Actor, type NewEvent } from '../events/envelope.js';
import { diffMappingSets, type MappingDiffEntry } from './diff.js';
import { applyChange } from './evolve.js';
import type { MappingChanged, MappingsImported, MappingValueChecks } from './events.js';
import { mappingSetToJson, parseMappingsJson } from './json.js';
import {
  dimensionKey,
  SCALAR_SECTIONS,
  TARGET_CHOICES,
  isCodeSection,
  withTarget,
  type DimensionRule,
  type MappingSection,
  type MappingSet,
  type PostingTargets,
} from './model.js';
import type { IntacctTarget } from '../journal/journal-entry.js';
import { validateMappingSet, validateSectionValue, type MappingIssue } from './validate.js';
import {
  checkMappingValues,
  describeProblem,
  introducedValues,
  NO_REFERENCE,
  type MappingReference,
  type MappingValueProblem,
  type MappingValueRef,
} from './value-check.js';

/** `merge`: sections and keys in the file override, the rest is kept. `replace`: the file is the whole set. */
export type MappingImportMode = 'merge' | 'replace';

export type MappingCommand =
  | { type: 'setMapping'; section: MappingSection; key: string | null; value: unknown; reason: string; actor: Actor; force?: boolean }
  | { type: 'removeMapping'; section: MappingSection; key: string | null; reason: string; actor: Actor }
  | { type: 'importMappings'; json: string | object; reason: string; actor: Actor; mode?: MappingImportMode; force?: boolean };

/** Issues listed in the error message; the rest are counted (an import can refuse hundreds of values). */
const LISTED_ISSUES = 10;

export class MappingCommandRejected extends Error {
  override readonly name = 'MappingCommandRejected';
  constructor(readonly issues: MappingIssue[]) {
    const listed = issues.slice(0, LISTED_ISSUES).map((i) => `${i.path} ${i.message}`);
    const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : '';
    super(`Mapping change refused: ${listed.join('; ')}${more}`);
  }
}

export type MappingEvent = NewEvent<'MappingChanged', MappingChanged> | NewEvent<'MappingsImported', MappingsImported>;

export interface MappingDecision {
  /** What to append; empty when the command changes nothing. */
  events: MappingEvent[];
  /** The set the events make current (the current set when nothing changes). */
  next: MappingSet;
  diff: MappingDiffEntry[];
  /** Values accepted without a check: the cache held nothing for their kind. */
  unchecked: MappingValueRef[];
  /** Values the cache refused, recorded because the command was forced. */
  forced: MappingValueProblem[];
}

export interface MappingDecideOptions {
  now?: string | Date;
  /** The reference cache; without it every value is unchecked. */
  reference?: MappingReference;
}

/** The events of a command (see `planMapping` for the whole decision). */
export function decideMapping(
  command: MappingCommand,
  current: MappingSet,
  now: string | Date = new Date(),
  reference: MappingReference = NO_REFERENCE,
): MappingEvent[] {
  return planMapping(command, current, { now, reference }).events;
}

/** Decides a command against the current set: validation, the resulting set and diff, the value check. */
export function planMapping(command: MappingCommand, current: MappingSet, options: MappingDecideOptions = {}): MappingDecision {
  const reason = command.reason?.trim() ?? '';
  const opts = { actor: command.actor, occurredAt: options.now ?? new Date() };
  if (reason === '')
    throw new MappingCommandRejected([{ path: 'reason', message: 'is required: say why the mapping changes (it is kept in the audit trail)' }]);
  if (!command.actor) throw new MappingCommandRejected([{ path: 'actor', message: 'is required' }]);

  let next: MappingSet;
  let value: unknown = null;
  const key = command.type === 'importMappings' ? null : SCALAR_SECTIONS.includes(command.section) ? null : command.key;
  if (command.type === 'importMappings') {
    next = importedSet(command.json, command.mode ?? 'merge', current);
  } else if (command.type === 'removeMapping') {
    const check = validateSectionValue(command.section, key, 'x');
    const keyIssues = check.ok ? [] : check.issues.filter((i) => /key|section/.test(i.message));
    if (keyIssues.length > 0) throw new MappingCommandRejected(keyIssues);
    if (!exists(current, command.section, key)) {
      throw new MappingCommandRejected([{ path: key === null ? command.section : `${command.section}.${key}`, message: 'has no mapping to remove' }]);
    }
    next = applyChange(current, { section: command.section, key, value: null });
  } else {
    const check = validateSectionValue(command.section, key, command.value);
    if (!check.ok) throw new MappingCommandRejected(check.issues);
    value = check.value;
    next = applyChange(current, { section: command.section, key, value });
  }

  const diff = diffMappingSets(current, next);
  if (diff.length === 0) return { events: [], next: current, diff, unchecked: [], forced: [] };
  const { problems, unchecked } = checkMappingValues(introducedValues(diff), options.reference ?? NO_REFERENCE);
  const force = command.type !== 'removeMapping' && command.force === true;
  if (problems.length > 0 && !force) throw new MappingCommandRejected(problems.map((p) => ({ path: p.path, message: describeProblem(p) })));
  const checks: MappingValueChecks = {};
  if (problems.length > 0) checks.forced = problems.map(({ closest: _closest, ...p }) => p);
  if (unchecked.length > 0) checks.unchecked = unchecked;

  const events: MappingEvent[] =
    command.type === 'importMappings'
      ? [newEvent('MappingsImported', { mappings: mappingSetToJson(next), reason, mode: command.mode ?? 'merge', ...checks }, opts)]
      : [newEvent('MappingChanged', { section: command.section, key, value, reason, ...checks }, opts)];
  return { events, next, diff, unchecked, forced: problems };
}

function importedSet(json: string | object, mode: MappingImportMode, current: MappingSet): MappingSet {
  let raw: unknown = json;
  if (typeof json === 'string') {
    const parsed = parseMappingsJson(json);
    if (!parsed.ok) throw new MappingCommandRejected(parsed.issues);
    raw = JSON.parse(json);
    return mode === 'replace' ? parsed.value : mergeMappingSets(current, parsed.value, raw as Record<string, unknown>);
  }
  const result = validateMappingSet(raw);
  if (!result.ok) throw new MappingCommandRejected(result.issues);
  return mode === 'replace' ? result.value : mergeMappingSets(current, result.value, raw as Record<string, unknown>);
}

/**
 * A merge import: every section present in the file overrides, key by key for keyed sections (a key
 * absent from the file keeps its current value); absent sections are kept whole. Dimension rules
 * merge by source->target (a rule replaces the rule with its key, in place; new rules go last);
 * options merge by name. A merge never removes a key: use removeMapping, or import with REPLACE.
 */
export function mergeMappingSets(current: MappingSet, incoming: MappingSet, file: Record<string, unknown>): MappingSet {
  const has = (section: string): boolean => Object.hasOwn(file, section);
  const merged = <K, T>(a: ReadonlyMap<K, T>, b: ReadonlyMap<K, T>): Map<K, T> => new Map([...a, ...b]);
  const rules = (): DimensionRule[] => {
    const out = [...current.dimensions];
    for (const rule of incoming.dimensions) {
      const at = out.findIndex((r) => dimensionKey(r) === dimensionKey(rule));
      if (at < 0) out.push(rule);
      else out[at] = rule;
    }
    return out;
  };
  const fileOptions = file['options'];
  const optionKeys = fileOptions !== null && typeof fileOptions === 'object' ? Object.keys(fileOptions) : [];
  const options = { ...current.options };
  for (const k of optionKeys)
    if (Object.hasOwn(incoming.options, k)) (options as Record<string, unknown>)[k] = (incoming.options as unknown as Record<string, unknown>)[k];
  return {
    journal: has('journal') ? incoming.journal : current.journal,
    accounts: has('accounts') ? merged(current.accounts, incoming.accounts) : current.accounts,
    counterparties: has('counterparties') ? merged(current.counterparties, incoming.counterparties) : current.counterparties,
    taxAccounts: has('taxAccounts') ? merged(current.taxAccounts, incoming.taxAccounts) : current.taxAccounts,
    cashAdvanceAccount: has('cashAdvanceAccount') ? incoming.cashAdvanceAccount : current.cashAdvanceAccount,
    dimensions: has('dimensions') ? rules() : current.dimensions,
    employees: has('employees') ? merged(current.employees, incoming.employees) : current.employees,
    defaults: has('defaults') ? merged(current.defaults, incoming.defaults) : current.defaults,
    options,
    targets: has('targets') ? mergedTargets(current.targets, file['targets']) : current.targets,
    expenseTypes: has('expenseTypes') ? merged(current.expenseTypes, incoming.expenseTypes) : current.expenseTypes,
    cardAccounts: has('cardAccounts') ? merged(current.cardAccounts, incoming.cardAccounts) : current.cardAccounts,
    vendors: has('vendors') ? merged(current.vendors, incoming.vendors) : current.vendors,
  };
}

/** Targets merge key by key (`expense.outOfPocket`…): only the keys the file names change. The file was validated. */
function mergedTargets(current: PostingTargets, file: unknown): PostingTargets {
  let out = current;
  for (const key of TARGET_CHOICES.keys()) {
    const [head, tail] = key.split('.') as [string, string | undefined];
    const section = file !== null && typeof file === 'object' ? (file as Record<string, unknown>)[head] : undefined;
    const value = tail === undefined ? section : section !== null && typeof section === 'object' ? (section as Record<string, unknown>)[tail] : undefined;
    if (typeof value === 'string') out = withTarget(out, key, value as IntacctTarget);
  }
  return out;
}

function exists(set: MappingSet, section: MappingSection, key: string | null): boolean {
  if (section === 'journal') return set.journal !== null;
  if (section === 'cashAdvanceAccount') return set.cashAdvanceAccount !== null;
  if (section === 'dimensions') return set.dimensions.some((d) => dimensionKey(d) === key);
  if (section === 'options') return key !== null && Object.hasOwn(set.options, key);
  if (section === 'targets') return key !== null && TARGET_CHOICES.has(key);
  return isCodeSection(section) && key !== null && (set[section] as ReadonlyMap<string, unknown>).has(key);
}
