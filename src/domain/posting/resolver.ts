/**
 * Turns Concur codes into Intacct values through the mapping set, checking every value against the
 * dimension cache. Whatever cannot be resolved is collected as a `MappingGap` (which Concur code,
 * which mapping field, which document lines); one gap per (kind, code, field), lines accumulated.
 */
import type { MappingGap } from '../document/events.js';
import type { DimensionTarget } from '../journal/journal-entry.js';
import { fieldCode } from '../fis/model.js';
import { dimensionKey, type MappingSet } from '../mapping/model.js';
import type { AccountRef, DimensionCheck, DimensionLevels, ReferenceTarget } from './types.js';

type Dims = Partial<Record<DimensionTarget, string>>;

/** Gap kind of a value missing from the cache; a Map, so no target name can find Object.prototype members. */
const REF_KIND: ReadonlyMap<ReferenceTarget, MappingGap['kind']> = new Map<ReferenceTarget, MappingGap['kind']>([
  ['EMPLOYEEID', 'employee'],
  ['VENDORID', 'vendor'],
]);

export class Resolver {
  private readonly gaps = new Map<string, MappingGap>();
  private readonly checked = new Map<ReferenceTarget, Map<string, ReturnType<DimensionCheck>>>();
  private readonly employeeValue: string;
  private readonly employeeField: string;
  private readonly defaultEntries: [DimensionTarget, string][];

  constructor(
    private readonly set: MappingSet,
    private readonly check: DimensionCheck,
    private readonly employeeId: string | null,
  ) {
    // No `employees` entry: the Intacct EMPLOYEEID is the Concur employeeId (the employee sync
    // creates Intacct employees under that id); the cache check still catches a missing one.
    const mapped = employeeId === null ? undefined : set.employees.get(employeeId);
    this.employeeValue = mapped ?? employeeId ?? '';
    this.employeeField = mapped !== undefined ? `employees.${employeeId}` : 'employees';
    this.defaultEntries = [...set.defaults];
  }

  gapList(): MappingGap[] {
    return [...this.gaps.values()];
  }

  gap(kind: MappingGap['kind'], code: string, field: string, sources: readonly string[], message: string): void {
    const key = `${kind}\u0000${code}\u0000${field}`;
    const found = this.gaps.get(key);
    if (!found) {
      this.gaps.set(key, { kind, code, field, lines: [...sources], message });
      return;
    }
    for (const s of sources) if (!found.lines.includes(s)) found.lines.push(s);
  }

  /** Raw Concur codes of the rules' sources: lines net together only when these agree. */
  rawKey(levels: DimensionLevels): string {
    if (levels.rawKey === undefined) levels.rawKey = this.set.dimensions.map((r) => lookup(levels, r.source) ?? '').join('\u0001');
    return levels.rawKey;
  }

  /** Checks an Intacct value against the cache; records an `unknown-value` (or employee/vendor) gap. */
  private exists(target: ReferenceTarget, value: string, field: string, sources: readonly string[]): boolean {
    let known = this.checked.get(target);
    if (known === undefined) this.checked.set(target, (known = new Map()));
    let status = known.get(value);
    if (status === undefined) {
      status = this.check(target, value);
      known.set(value, status);
    }
    if (status === 'ok') return true;
    const what = target === 'GLACCOUNT' ? 'GL account' : target;
    this.gap(
      REF_KIND.get(target) ?? 'unknown-value',
      value,
      field,
      sources,
      `${what} ${value} (from ${field}) ${status === 'missing' ? 'does not exist in Intacct' : 'is inactive in Intacct'}: map to another value or ${status === 'missing' ? 'create it in Intacct' : 'reactivate it'}, then sync reference data.`,
    );
    return false;
  }

  account(ref: AccountRef, sources: readonly string[]): string | null {
    const s = this.set;
    let account: string | undefined;
    let field: string;
    switch (ref.type) {
      case 'expense': {
        const code = ref.code ?? ref.fallback;
        field = ref.code !== null ? 'accounts' : 'accounts (by expenseTypeCode)';
        account = code === null ? undefined : s.accounts.get(code);
        if (account === undefined) {
          this.gap(
            'account',
            code ?? '',
            field,
            sources,
            code === null
              ? 'The journal line has neither journalAccountCode nor expenseTypeCode: no expense account can be chosen.'
              : `Concur account code ${code} has no Intacct account in accounts.`,
          );
          return null;
        }
        field = `accounts.${code}`;
        break;
      }
      case 'tax': {
        const own = ref.label !== null ? s.taxAccounts.get(ref.label) : undefined;
        const mapping = own ?? s.taxAccounts.get('*');
        account = mapping?.[ref.which];
        if (account === undefined) {
          this.gap(
            'tax-account',
            ref.label ?? '*',
            'taxAccounts',
            sources,
            `Tax authority ${ref.label ?? '(none)'} has no entry in taxAccounts (nor a "*" entry).`,
          );
          return null;
        }
        field = `taxAccounts.${own !== undefined ? ref.label : '*'}.${ref.which}`;
        break;
      }
      case 'counterparty':
      case 'vendor-payable': {
        const party = ref.type === 'counterparty' ? ref.party : 'VENDOR';
        account = s.counterparties.get(party)?.account;
        if (account === undefined) {
          this.gap('counterparty', party, 'counterparties', sources, `Payment type ${party} has no account in counterparties.`);
          return null;
        }
        field = `counterparties.${party}.account`;
        break;
      }
      case 'cash-advance':
        if (s.cashAdvanceAccount === null) {
          this.gap(
            'cash-advance-account',
            ref.id,
            'cashAdvanceAccount',
            sources,
            'The document moves a cash advance but the mapping set has no cashAdvanceAccount.',
          );
          return null;
        }
        account = s.cashAdvanceAccount;
        field = 'cashAdvanceAccount';
        break;
    }
    return this.exists('GLACCOUNT', account, field, sources) ? account : null;
  }

  /** The line's own (non-cost) dimensions: EMPLOYEEID on employee lines, VENDORID on card/AP lines. */
  ownDimensions(ref: AccountRef, dims: Dims, sources: readonly string[]): void {
    if (ref.type === 'vendor-payable') {
      const vendor = this.vendor(ref.vendorCode, 'invoice.vendorCode', sources);
      if (vendor !== null) dims.VENDORID = vendor;
      return;
    }
    const cp = ref.type === 'counterparty' ? this.set.counterparties.get(ref.party) : undefined;
    // The cash advance account is a receivable from the employee: it carries the employee too.
    if (cp?.employeeDimension || ref.type === 'cash-advance') {
      const employee = this.employee(sources);
      if (employee !== null) dims.EMPLOYEEID = employee;
    }
    if (cp?.vendorId !== undefined && ref.type === 'counterparty') {
      if (this.exists('VENDORID', cp.vendorId, `counterparties.${ref.party}.vendorId`, sources)) dims.VENDORID = cp.vendorId;
    }
  }

  /** The document's Intacct EMPLOYEEID (checked against the cache), or null with a gap. */
  employee(sources: readonly string[]): string | null {
    if (this.employeeValue === '') {
      this.gap('employee', '', 'employees', sources, 'The document names no employee, but the line needs EMPLOYEEID.');
      return null;
    }
    return this.exists('EMPLOYEEID', this.employeeValue, this.employeeField, sources) ? this.employeeValue : null;
  }

  /**
   * The Intacct VENDORID of a Concur vendor code (an invoice's vendor) or of a Concur employee id (an
   * out-of-pocket bill): `vendors` first, else the code itself for an invoice's vendor; checked against the cache.
   */
  vendor(concurCode: string | null, field: string, sources: readonly string[]): string | null {
    const mapped = concurCode === null ? undefined : this.set.vendors.get(concurCode);
    const isEmployee = field.startsWith('employee');
    if (mapped === undefined && (isEmployee || concurCode === null)) {
      this.gap(
        'vendor',
        concurCode ?? '',
        'vendors',
        sources,
        isEmployee
          ? `Out-of-pocket lines post as an AP bill to the employee, but Concur employee ${concurCode ?? '(none)'} has no Intacct vendor in vendors.`
          : 'The document names no vendor.',
      );
      return null;
    }
    const value = mapped ?? concurCode!;
    return this.exists('VENDORID', value, mapped !== undefined ? `vendors.${concurCode}` : field, sources) ? value : null;
  }

  /** Cost dimensions per §5: per rule, the most granular level with a value; first rule per target wins. */
  costDimensions(levels: DimensionLevels, dims: Dims, sources: readonly string[]): void {
    for (const rule of this.set.dimensions) {
      if (dims[rule.target] !== undefined) continue;
      const code = lookup(levels, rule.source);
      if (code === null) continue;
      const field = `dimensions[${dimensionKey(rule)}]`;
      const value = rule.values.get(code) ?? (rule.passThrough ? code : undefined);
      if (value === undefined) {
        this.gap(
          'dimension',
          code,
          field,
          sources,
          `Concur code ${code} of ${rule.source} has no ${rule.target} value in the mapping (and passThrough is off).`,
        );
        dims[rule.target] = ''; // blocks later rules for this target: the gap must be fixed, not bypassed
        continue;
      }
      if (this.exists(rule.target, value, field, sources)) dims[rule.target] = value;
      else dims[rule.target] = '';
    }
  }

  /** `defaults` fill every line's empty targets (e.g. LOCATION in a multi-entity company). */
  defaults(dims: Dims, sources: readonly string[]): void {
    for (const [target, value] of this.defaultEntries) {
      if (dims[target] !== undefined) continue;
      if (this.exists(target, value, `defaults.${target}`, sources)) dims[target] = value;
    }
  }
}

/**
 * A prefixed source (`allocationCustom4Code`, `entryOrgUnit2Code`, `reportOrgUnit1Code`) is read at
 * its level; an unprefixed one (`OrgUnit2Code`) is tried at each level, most granular first.
 */
export function lookup(levels: DimensionLevels, source: string): string | null {
  const list = levels.levels;
  for (let i = 0; i < list.length; i++) {
    const level = list[i]!;
    if (isPrefixOf(level.prefix, source)) return fieldCode(level.fields, source);
  }
  const capitalised = source.charAt(0).toUpperCase() + source.slice(1);
  for (let i = 0; i < list.length; i++) {
    const level = list[i]!;
    const value = fieldCode(level.fields, level.prefix + capitalised) ?? fieldCode(level.fields, source);
    if (value !== null) return value;
  }
  return null;
}

/** `entry` is the level prefix of `entryOrgUnit2Code` (next letter upper case), not of `entryway`. */
function isPrefixOf(prefix: string, source: string): boolean {
  if (!source.startsWith(prefix)) return false;
  const next = source.charCodeAt(prefix.length);
  return next >= 65 && next <= 90;
}
