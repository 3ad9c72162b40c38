/**
 * How to fix one mapping gap with `setMapping`: which section and key, which Intacct values to ask
 * for (and of which reference kind, so the form offers only valid, active ones), and the value to
 * send, built from the current mapping set where the entry is more than one value (a dimension rule).
 */
export interface Gap {
  kind: string;
  code: string;
  field: string;
  message: string;
}

export interface FixInput {
  name: string;
  label: string;
  /** GraphQL ReferenceKind whose active values are valid; null = free text. */
  kind: string | null;
}

export interface FixPlan {
  section: string;
  key: string;
  inputs: FixInput[];
  /** What the fix says, e.g. "Concur account 479100 → Intacct account". */
  summary: string;
  value(inputs: Record<string, string>): unknown;
}

type MappingDoc = Record<string, unknown>;

const KIND_OF_TARGET: Record<string, string | null> = {
  DEPARTMENT: 'DEPARTMENT',
  LOCATION: 'LOCATION',
  PROJECTID: 'PROJECT',
  CUSTOMERID: 'CUSTOMER',
  CLASSID: 'CLASS',
  EMPLOYEEID: 'EMPLOYEE',
  VENDORID: 'VENDOR',
  ITEMID: null,
};

interface DimensionRule {
  source: string;
  target: string;
  values: Record<string, string>;
  passThrough: boolean;
}

const rules = (doc: MappingDoc): DimensionRule[] => (Array.isArray(doc['dimensions']) ? (doc['dimensions'] as DimensionRule[]) : []);
const keyed = (doc: MappingDoc, section: string): Record<string, unknown> =>
  doc[section] && typeof doc[section] === 'object' ? (doc[section] as Record<string, unknown>) : {};
const account = (label: string): FixInput => ({ name: 'value', label, kind: 'GLACCOUNT' });

/**
 * The plan for a gap, or a sentence saying why the console cannot fix it in one step.
 * `employeeId`: the Concur employee of the waiting documents (for employee gaps).
 */
export function planFix(gap: Gap, doc: MappingDoc, employeeId: string | null): FixPlan | string {
  const dimension = /^dimensions\[(.+)->([A-Z]+)\]$/.exec(gap.field);
  switch (gap.kind) {
    case 'account':
      if (gap.code === '') return 'The journal line has no account code: fix the expense type in Concur.';
      return {
        section: 'accounts',
        key: gap.code,
        inputs: [account('Intacct GL account')],
        summary: `Concur account ${gap.code} → Intacct GL account`,
        value: (v) => v['value'],
      };
    case 'counterparty':
      return {
        section: 'counterparties',
        key: gap.code,
        inputs: [account('Intacct GL account')],
        summary: `Payment type ${gap.code} → Intacct GL account`,
        value: (v) => ({ account: v['value'], ...(['EMPL', 'IBIP'].includes(gap.code) ? { employeeDimension: true } : {}) }),
      };
    case 'tax-account':
      return {
        section: 'taxAccounts',
        key: gap.code,
        inputs: [
          { name: 'reclaim', label: 'Reclaimable tax account', kind: 'GLACCOUNT' },
          { name: 'nonDeductible', label: 'Non-deductible tax account', kind: 'GLACCOUNT' },
        ],
        summary: `Tax authority ${gap.code} → Intacct tax accounts`,
        value: (v) => ({ reclaim: v['reclaim'], nonDeductible: v['nonDeductible'] }),
      };
    case 'cash-advance-account':
      return {
        section: 'cashAdvanceAccount',
        key: '',
        inputs: [account('Cash advance GL account')],
        summary: 'Cash advances → Intacct GL account',
        value: (v) => v['value'],
      };
    case 'dimension': {
      if (!dimension) return `Cannot tell the dimension rule of ${gap.field}: fix it on the Mappings page.`;
      return dimensionPlan(
        doc,
        `${dimension[1]}->${dimension[2]}`,
        dimension[2]!,
        (rule, value) => ({ ...rule, values: { ...rule.values, [gap.code]: value } }),
        `Concur ${dimension[1]} ${gap.code} → ${dimension[2]}`,
      );
    }
    case 'employee':
      if (!employeeId) return 'The document names no employee: fix it in Concur.';
      return {
        section: 'employees',
        key: employeeId,
        inputs: [{ name: 'value', label: 'Intacct employee', kind: 'EMPLOYEE' }],
        summary: `Concur employee ${employeeId} → Intacct employee`,
        value: (v) => v['value'],
      };
    case 'card-account':
      if (gap.code === '') return 'The company-card line names no card program: fix the card in Concur.';
      return cardAccountPlan(gap.code, `Concur card program ${gap.code} → Intacct credit-card account`);
    case 'vendor':
      // `vendors`: nothing mapped (an employee as AP vendor); `invoice.vendorCode`: the invoice's own code is no Intacct vendor.
      if (gap.field === 'vendors' || gap.field === 'invoice.vendorCode') {
        if (gap.code === '') return 'The document names no vendor: fix it in Concur.';
        return vendorPlan(gap.code, `Concur ${gap.field === 'vendors' ? 'vendor or employee' : 'vendor'} ${gap.code} → Intacct vendor`);
      }
      return unknownValuePlan(gap, doc);
    default:
      return unknownValuePlan(gap, doc);
  }
}

/** Credit-card accounts are not synced from Intacct (no reference list): the id is typed as it is in Intacct. */
const cardAccountPlan = (program: string, summary: string): FixPlan => ({
  section: 'cardAccounts',
  key: program,
  inputs: [{ name: 'value', label: 'Intacct credit-card account', kind: null }],
  summary,
  value: (v) => v['value'],
});

const vendorPlan = (code: string, summary: string): FixPlan => ({
  section: 'vendors',
  key: code,
  inputs: [{ name: 'value', label: 'Intacct vendor', kind: 'VENDOR' }],
  summary,
  value: (v) => v['value'],
});

function dimensionPlan(
  doc: MappingDoc,
  key: string,
  target: string,
  change: (rule: DimensionRule, value: string) => DimensionRule,
  summary: string,
): FixPlan | string {
  const rule = rules(doc).find((r) => `${r.source}->${r.target}` === key);
  if (!rule) return `The mapping set has no dimension rule ${key} any more: reload the page.`;
  return {
    section: 'dimensions',
    key,
    inputs: [{ name: 'value', label: `Intacct ${target}`, kind: KIND_OF_TARGET[target] ?? null }],
    summary,
    value: (v) => change(rule, v['value']!),
  };
}

/** A mapped value that Intacct does not have (or has inactive): map the same key to another value. */
function unknownValuePlan(gap: Gap, doc: MappingDoc): FixPlan | string {
  const field = gap.field;
  let m = /^accounts\.(.+)$/.exec(field);
  if (m)
    return {
      section: 'accounts',
      key: m[1]!,
      inputs: [account('Intacct GL account')],
      summary: `Concur account ${m[1]} → another Intacct account (not ${gap.code})`,
      value: (v) => v['value'],
    };
  m = /^counterparties\.(.+)\.account$/.exec(field);
  if (m) {
    const current = keyed(doc, 'counterparties')[m[1]!] as Record<string, unknown> | undefined;
    return {
      section: 'counterparties',
      key: m[1]!,
      inputs: [account('Intacct GL account')],
      summary: `Payment type ${m[1]} → another Intacct account (not ${gap.code})`,
      value: (v) => ({ ...current, account: v['value'] }),
    };
  }
  m = /^counterparties\.(.+)\.vendorId$/.exec(field);
  if (m) {
    const parties = keyed(doc, 'counterparties');
    const current = Object.hasOwn(parties, m[1]!) ? (parties[m[1]!] as Record<string, unknown>) : undefined;
    return {
      section: 'counterparties',
      key: m[1]!,
      inputs: [{ name: 'value', label: 'Intacct vendor', kind: 'VENDOR' }],
      summary: `Payment type ${m[1]} → another Intacct vendor (not ${gap.code})`,
      value: (v) => ({ ...current, vendorId: v['value'] }),
    };
  }
  m = /^taxAccounts\.(.+)\.(reclaim|nonDeductible)$/.exec(field);
  if (m) {
    const current = (keyed(doc, 'taxAccounts')[m[1]!] ?? {}) as Record<string, unknown>;
    const which = m[2]!;
    return {
      section: 'taxAccounts',
      key: m[1]!,
      inputs: [account(`${which === 'reclaim' ? 'Reclaimable' : 'Non-deductible'} tax account`)],
      summary: `Tax authority ${m[1]} ${which} → another account`,
      value: (v) => ({ ...current, [which]: v['value'] }),
    };
  }
  if (field === 'cashAdvanceAccount')
    return {
      section: 'cashAdvanceAccount',
      key: '',
      inputs: [account('Cash advance GL account')],
      summary: 'Cash advances → another Intacct account',
      value: (v) => v['value'],
    };
  m = /^defaults\.([A-Z]+)$/.exec(field);
  if (m)
    return {
      section: 'defaults',
      key: m[1]!,
      inputs: [{ name: 'value', label: `Default ${m[1]}`, kind: KIND_OF_TARGET[m[1]!] ?? null }],
      summary: `Default ${m[1]} → another value (not ${gap.code})`,
      value: (v) => v['value'],
    };
  m = /^employees\.(.+)$/.exec(field);
  if (m)
    return {
      section: 'employees',
      key: m[1]!,
      inputs: [{ name: 'value', label: 'Intacct employee', kind: 'EMPLOYEE' }],
      summary: `Concur employee ${m[1]} → another Intacct employee`,
      value: (v) => v['value'],
    };
  m = /^vendors\.(.+)$/.exec(field);
  if (m) return vendorPlan(m[1]!, `Concur vendor or employee ${m[1]} → another Intacct vendor (not ${gap.code})`);
  m = /^cardAccounts\.(.+)$/.exec(field);
  if (m) return cardAccountPlan(m[1]!, `Concur card program ${m[1]} → another Intacct credit-card account (not ${gap.code})`);
  m = /^dimensions\[(.+)->([A-Z]+)\]$/.exec(field);
  if (m) {
    const target = m[2]!;
    return dimensionPlan(
      doc,
      `${m[1]}->${target}`,
      target,
      (rule, value) => ({ ...rule, values: Object.fromEntries(Object.entries(rule.values).map(([k, v]) => [k, v === gap.code ? value : v])) }),
      `${target} ${gap.code} (inactive or unknown) → another ${target} in rule ${m[1]}->${target}`,
    );
  }
  return `The console cannot fix "${field}" in one step: change it on the Mappings page (import) or in Intacct, then sync reference data.`;
}
