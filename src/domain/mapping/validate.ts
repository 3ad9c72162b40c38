/**
 * Validation of mapping JSON (import) and of single mapping changes, with precise errors: the path
 * of the offending value (`counterparties.IBCP.account`, `dimensions[2].target`) and what is wrong.
 */
import { DIMENSION_TARGETS, type DimensionTarget, type IntacctTarget } from '../journal/journal-entry.js';
import {
  BATCH_DATE_POLICIES,
  CLOSED_PERIOD_POLICIES,
  DEFAULT_MAPPING_OPTIONS,
  DEFAULT_TARGETS,
  MAPPING_OPTION_KEYS,
  PAYMENT_CLASSES,
  TARGET_CHOICES,
  dimensionKey,
  emptyMappingSet,
  MAPPING_SECTIONS,
  SCALAR_SECTIONS,
  withTarget,
  type BatchDatePolicy,
  type ClosedPeriodPolicy,
  type CounterpartyMapping,
  type DimensionRule,
  type MappingOptions,
  type MappingSection,
  type MappingSet,
  type PostingTargets,
  type TaxAccountMapping,
} from './model.js';

export interface MappingIssue {
  path: string;
  message: string;
}

export type MappingValidation<T> = { ok: true; value: T } | { ok: false; issues: MappingIssue[] };

/** Payment-type codes a counterparty may be keyed by (§6), plus `VENDOR` for invoice AP. */
export const COUNTERPARTY_CODES = ['EMPL', 'COPD', 'IBIP', 'IBCP', 'CBCP', 'VENDOR'] as const;

type Issues = MappingIssue[];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string "${v}"` : `a ${typeof v}`;
}

function code(v: unknown, path: string, issues: Issues): string {
  if (v === undefined) {
    issues.push({ path, message: 'is missing' });
    return '';
  }
  if (typeof v !== 'string') {
    issues.push({ path, message: `must be a non-empty string, got ${kind(v)}` });
    return '';
  }
  if (v.trim() === '') issues.push({ path, message: 'must not be empty' });
  else if (v !== v.trim()) issues.push({ path, message: `"${v}" has leading or trailing spaces` });
  return v;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], path: string, issues: Issues): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) issues.push({ path: `${path}.${k}`, message: `is not a known field (expected one of ${allowed.join(', ')})` });
  }
}

/** Codes are keys of a Map, never of an object: `constructor` or `__proto__` is stored like any code. */
function stringMap(v: unknown, path: string, issues: Issues): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object of code -> value, got ${kind(v)}` });
    return out;
  }
  for (const [k, val] of Object.entries(v)) {
    if (k.trim() === '') issues.push({ path, message: 'has an empty key' });
    out.set(k, code(val, `${path}.${k}`, issues));
  }
  return out;
}

function counterparty(v: unknown, path: string, issues: Issues): CounterpartyMapping {
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object like {"account": "2050"}, got ${kind(v)}` });
    return { account: '' };
  }
  onlyKeys(v, ['account', 'employeeDimension', 'vendorId'], path, issues);
  const out: CounterpartyMapping = { account: code(v['account'], `${path}.account`, issues) };
  if (v['employeeDimension'] !== undefined) {
    if (typeof v['employeeDimension'] !== 'boolean')
      issues.push({ path: `${path}.employeeDimension`, message: `must be true or false, got ${kind(v['employeeDimension'])}` });
    else out.employeeDimension = v['employeeDimension'];
  }
  if (v['vendorId'] !== undefined) out.vendorId = code(v['vendorId'], `${path}.vendorId`, issues);
  if (out.employeeDimension && out.vendorId !== undefined) issues.push({ path, message: 'cannot carry both employeeDimension and vendorId' });
  return out;
}

function taxAccount(v: unknown, path: string, issues: Issues): TaxAccountMapping {
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object like {"reclaim": "1410", "nonDeductible": "6990"}, got ${kind(v)}` });
    return { reclaim: '', nonDeductible: '' };
  }
  onlyKeys(v, ['reclaim', 'nonDeductible'], path, issues);
  return { reclaim: code(v['reclaim'], `${path}.reclaim`, issues), nonDeductible: code(v['nonDeductible'], `${path}.nonDeductible`, issues) };
}

function dimensionRule(v: unknown, path: string, issues: Issues): DimensionRule {
  const rule: { -readonly [K in keyof DimensionRule]: DimensionRule[K] } = { source: '', target: 'DEPARTMENT', values: new Map(), passThrough: false };
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object {source, target, values, passThrough}, got ${kind(v)}` });
    return rule;
  }
  onlyKeys(v, ['source', 'target', 'values', 'passThrough'], path, issues);
  rule.source = code(v['source'], `${path}.source`, issues);
  // docs/posting-rules.md, Dimensions: cost dimensions never come from the employee section (it describes the person, not the spend).
  if (/^employee/i.test(rule.source))
    issues.push({ path: `${path}.source`, message: `"${rule.source}" is an employee field; dimensions must come from the allocation, entry or report` });
  const target = v['target'];
  if (typeof target !== 'string' || !DIMENSION_TARGETS.includes(target as DimensionTarget)) {
    issues.push({ path: `${path}.target`, message: `must be one of ${DIMENSION_TARGETS.join(', ')}, got ${kind(target)}` });
  } else rule.target = target as DimensionTarget;
  if (v['values'] !== undefined) rule.values = stringMap(v['values'], `${path}.values`, issues);
  if (v['passThrough'] !== undefined) {
    if (typeof v['passThrough'] !== 'boolean') issues.push({ path: `${path}.passThrough`, message: `must be true or false, got ${kind(v['passThrough'])}` });
    else rule.passThrough = v['passThrough'];
  }
  return rule;
}

function defaults(v: unknown, path: string, issues: Issues): Map<DimensionTarget, string> {
  const map = stringMap(v, path, issues);
  for (const k of map.keys()) {
    if (!DIMENSION_TARGETS.includes(k as DimensionTarget))
      issues.push({ path: `${path}.${k}`, message: `is not a dimension (expected one of ${DIMENSION_TARGETS.join(', ')})` });
  }
  return map as Map<DimensionTarget, string>;
}

function optionValue(key: string, v: unknown, path: string, issues: Issues): unknown {
  if (key === 'mergeLines') {
    if (typeof v !== 'boolean') issues.push({ path, message: `must be true or false, got ${kind(v)}` });
    return v;
  }
  if (key === 'batchDatePolicy') {
    if (!BATCH_DATE_POLICIES.includes(v as BatchDatePolicy)) issues.push({ path, message: `must be one of ${BATCH_DATE_POLICIES.join(', ')}, got ${kind(v)}` });
    return v;
  }
  if (key === 'closedPeriodPolicy') {
    if (!CLOSED_PERIOD_POLICIES.includes(v as ClosedPeriodPolicy))
      issues.push({ path, message: `must be one of ${CLOSED_PERIOD_POLICIES.join(', ')}, got ${kind(v)}` });
    return v;
  }
  issues.push({ path, message: `is not a known option (expected one of ${MAPPING_OPTION_KEYS.join(', ')})` });
  return v;
}

function options(v: unknown, path: string, issues: Issues): MappingOptions {
  const out = { ...DEFAULT_MAPPING_OPTIONS };
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object, got ${kind(v)}` });
    return out;
  }
  for (const [k, val] of Object.entries(v)) {
    const checked = optionValue(k, val, `${path}.${k}`, issues);
    // Only known options are written: an unknown key (`__proto__` too) was reported above and must not touch `out`.
    if (Object.hasOwn(DEFAULT_MAPPING_OPTIONS, k)) (out as Record<string, unknown>)[k] = checked;
  }
  return out;
}

/** The keys of `targets` as `setMapping` addresses them (`expense.outOfPocket`, `invoice`…). */
const TARGET_KEYS: readonly string[] = [...TARGET_CHOICES.keys()];
/** The fields of the `targets` object and of its `expense` object. */
const TARGET_FIELDS: readonly string[] = [...new Set(TARGET_KEYS.map((k) => k.split('.')[0]!))];

/** One `targets` value: one of the Intacct objects its key may choose (the key is one of TARGET_KEYS). */
function targetValue(key: string, v: unknown, path: string, issues: Issues): IntacctTarget | null {
  const choices = TARGET_CHOICES.get(key) ?? [];
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as IntacctTarget;
  issues.push({ path, message: `must be one of ${choices.join(', ')}, got ${typeof v === 'string' ? JSON.stringify(v) : kind(v)}` });
  return null;
}

/** `{ expense: { outOfPocket, companyCard, companyPaid }, invoice, paymentRequest, cashAdvance }`; absent keys keep GLBATCH. */
function targets(v: unknown, path: string, issues: Issues): PostingTargets {
  let out: PostingTargets = { ...DEFAULT_TARGETS, expense: { ...DEFAULT_TARGETS.expense } };
  if (!isObject(v)) {
    issues.push({ path, message: `must be an object like {"expense": {"outOfPocket": "EEXPENSES"}, "invoice": "APBILL"}, got ${kind(v)}` });
    return out;
  }
  onlyKeys(v, TARGET_FIELDS, path, issues);
  // Known keys only, read as own properties: an unknown key (`__proto__` too) was reported above and never touches `out`.
  const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
  const expense = own(v, 'expense');
  if (expense !== undefined) {
    if (!isObject(expense)) issues.push({ path: `${path}.expense`, message: `must be an object like {"outOfPocket": "EEXPENSES"}, got ${kind(expense)}` });
    else onlyKeys(expense, PAYMENT_CLASSES, `${path}.expense`, issues);
  }
  for (const key of TARGET_KEYS) {
    const [head, tail] = key.split('.') as [string, string | undefined];
    const raw = tail === undefined ? own(v, head) : isObject(expense) ? own(expense, tail) : undefined;
    if (raw === undefined) continue;
    const value = targetValue(key, raw, `${path}.${key}`, issues);
    if (value !== null) out = withTarget(out, key, value);
  }
  return out;
}

function nullableCode(v: unknown, path: string, issues: Issues): string | null {
  return v === null || v === undefined ? null : code(v, path, issues);
}

/** Validates a whole mapping set (the JSON of docs/posting-rules.md, Mapping set). Absent sections are empty. */
export function validateMappingSet(json: unknown): MappingValidation<MappingSet> {
  const issues: Issues = [];
  const set: Mutable<MappingSet> = { ...emptyMappingSet(), counterparties: new Map(), taxAccounts: new Map(), dimensions: [] };
  const counterparties = set.counterparties as Map<string, CounterpartyMapping>;
  const taxAccounts = set.taxAccounts as Map<string, TaxAccountMapping>;
  const dimensions: DimensionRule[] = [];
  set.dimensions = dimensions;
  if (!isObject(json)) return { ok: false, issues: [{ path: '(root)', message: `must be a JSON object, got ${kind(json)}` }] };
  onlyKeys(json, MAPPING_SECTIONS, '(root)', issues);
  set.journal = nullableCode(json['journal'], 'journal', issues);
  set.cashAdvanceAccount = nullableCode(json['cashAdvanceAccount'], 'cashAdvanceAccount', issues);
  if (json['accounts'] !== undefined) set.accounts = stringMap(json['accounts'], 'accounts', issues);
  if (json['employees'] !== undefined) set.employees = stringMap(json['employees'], 'employees', issues);
  if (json['defaults'] !== undefined) set.defaults = defaults(json['defaults'], 'defaults', issues);
  if (json['options'] !== undefined) set.options = options(json['options'], 'options', issues);
  if (json['targets'] !== undefined) set.targets = targets(json['targets'], 'targets', issues);
  if (json['expenseTypes'] !== undefined) set.expenseTypes = stringMap(json['expenseTypes'], 'expenseTypes', issues);
  if (json['cardAccounts'] !== undefined) set.cardAccounts = stringMap(json['cardAccounts'], 'cardAccounts', issues);
  if (json['vendors'] !== undefined) set.vendors = stringMap(json['vendors'], 'vendors', issues);
  if (json['counterparties'] !== undefined) {
    if (!isObject(json['counterparties'])) issues.push({ path: 'counterparties', message: `must be an object, got ${kind(json['counterparties'])}` });
    else {
      for (const [k, v] of Object.entries(json['counterparties'])) {
        if (!(COUNTERPARTY_CODES as readonly string[]).includes(k))
          issues.push({ path: `counterparties.${k}`, message: `is not a payment-type code (expected one of ${COUNTERPARTY_CODES.join(', ')})` });
        counterparties.set(k, counterparty(v, `counterparties.${k}`, issues));
      }
    }
  }
  if (json['taxAccounts'] !== undefined) {
    if (!isObject(json['taxAccounts'])) issues.push({ path: 'taxAccounts', message: `must be an object, got ${kind(json['taxAccounts'])}` });
    else for (const [k, v] of Object.entries(json['taxAccounts'])) taxAccounts.set(k, taxAccount(v, `taxAccounts.${k}`, issues));
  }
  if (json['dimensions'] !== undefined) {
    if (!Array.isArray(json['dimensions'])) issues.push({ path: 'dimensions', message: `must be an array of rules, got ${kind(json['dimensions'])}` });
    else {
      const seen = new Map<string, number>();
      json['dimensions'].forEach((raw, i) => {
        const rule = dimensionRule(raw, `dimensions[${i}]`, issues);
        const key = dimensionKey(rule);
        const first = seen.get(key);
        if (first !== undefined) issues.push({ path: `dimensions[${i}]`, message: `repeats ${key} already defined at dimensions[${first}]` });
        else seen.set(key, i);
        dimensions.push(rule);
      });
    }
  }
  return issues.length === 0 ? { ok: true, value: set } : { ok: false, issues };
}

/** Validates the value of one `setMapping` change (`value` null = removal, checked elsewhere); the value returned is its JSON form. */
export function validateSectionValue(section: MappingSection, key: string | null, value: unknown): MappingValidation<unknown> {
  const issues: Issues = [];
  if (!MAPPING_SECTIONS.includes(section))
    return { ok: false, issues: [{ path: String(section), message: `is not a mapping section (expected one of ${MAPPING_SECTIONS.join(', ')})` }] };
  const scalar = SCALAR_SECTIONS.includes(section);
  if (scalar && key !== null) issues.push({ path: section, message: 'takes no key' });
  if (!scalar && (key === null || key.trim() === '')) return { ok: false, issues: [{ path: section, message: 'needs a key (which code to map)' }] };
  const path = scalar ? section : `${section}.${key}`;
  let out: unknown = value;
  switch (section) {
    case 'journal':
    case 'cashAdvanceAccount':
    case 'accounts':
    case 'employees':
    case 'expenseTypes':
    case 'cardAccounts':
    case 'vendors':
      out = code(value, path, issues);
      break;
    case 'defaults':
      if (!DIMENSION_TARGETS.includes(key as DimensionTarget))
        issues.push({ path, message: `is not a dimension (expected one of ${DIMENSION_TARGETS.join(', ')})` });
      out = code(value, path, issues);
      break;
    case 'counterparties':
      if (!(COUNTERPARTY_CODES as readonly string[]).includes(key!))
        issues.push({ path, message: `is not a payment-type code (expected one of ${COUNTERPARTY_CODES.join(', ')})` });
      out = counterparty(value, path, issues);
      break;
    case 'taxAccounts':
      out = taxAccount(value, path, issues);
      break;
    case 'dimensions': {
      const rule = dimensionRule(value, path, issues);
      if (issues.length === 0 && dimensionKey(rule) !== key) issues.push({ path, message: `key must be "${dimensionKey(rule)}" (source->target of the rule)` });
      // The JSON form: this value goes into a MappingChanged event.
      out = { source: rule.source, target: rule.target, values: Object.fromEntries(rule.values), passThrough: rule.passThrough };
      break;
    }
    case 'options':
      out = optionValue(key!, value, path, issues);
      break;
    case 'targets':
      // "key" in the message: removeMapping keeps key issues (decide.ts) and refuses an unknown key with this text.
      if (!TARGET_CHOICES.has(key!)) return { ok: false, issues: [{ path, message: `is not a targets key (expected one of ${TARGET_KEYS.join(', ')})` }] };
      out = targetValue(key!, value, path, issues);
      break;
  }
  return issues.length === 0 ? { ok: true, value: out } : { ok: false, issues };
}
