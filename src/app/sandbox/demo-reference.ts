/**
 * The simulated Intacct company's master data in sandbox mode. It is a superset of what
 * `seedDemoCompany` (adapters/intacct/simulator/company.ts) already holds; `seedSandboxIntacctCompany`
 * adds the rest, so the dimension cache (synced from the simulator) and Intacct agree exactly.
 */
import type { DimensionCheck } from '../../domain/posting/index.js';
import { KIND_OF_TARGET, type ReferenceKind, type ReferenceRecord } from '../../domain/reference/index.js';
import { REFERENCE_NAME_FIELD } from '../../adapters/intacct/reference.js';
import { ID_FIELDS, type Row, type SimulatedCompany } from '../../adapters/intacct/simulator/company.js';

export interface DemoReferenceSet {
  kind: ReferenceKind;
  records: ReferenceRecord[];
}

const active = (id: string, name: string): ReferenceRecord => ({ id, name, status: 'active' });
const inactive = (id: string, name: string): ReferenceRecord => ({ id, name, status: 'inactive' });

const DEMO_REFERENCE: readonly DemoReferenceSet[] = [
  {
    kind: 'GLACCOUNT',
    records: [
      active('1000', 'Cash'),
      active('1400', 'VAT receivable'),
      active('1450', 'Employee cash advances'),
      active('2000', 'Accounts payable'),
      active('2070', 'Company-paid expenses clearing'),
      active('2100', 'Employee reimbursements payable'),
      active('2150', 'Corporate card clearing (individual bill)'),
      active('2160', 'Corporate card payable (company bill)'),
      active('6000.10', 'Travel - airfare'),
      active('6100', 'Meals'),
      active('6200', 'Lodging'),
      active('6400', 'Office supplies'),
      active('6500', 'Travel'),
      active('6600', 'Client entertainment'),
      active('6700', 'Professional services'),
      active('6800', 'Training and conferences'),
      active('6900', 'Non-deductible VAT'),
      inactive('9999', 'Retired'),
    ],
  },
  {
    kind: 'DEPARTMENT',
    records: [
      active('0021', 'Bellevue (legacy)'),
      active('D100', 'Sales'),
      active('D200', 'Engineering'),
      active('D300', 'Operations'),
      inactive('D900', 'Marketing (closed)'),
    ],
  },
  { kind: 'LOCATION', records: [active('100', 'Seattle HQ'), active('200', 'Berlin')] },
  { kind: 'PROJECT', records: [active('P-1001', 'ACME rollout'), active('P-1002', 'Platform upgrade')] },
  { kind: 'CUSTOMER', records: [active('C-ACME', 'Acme Corp'), active('C-GLOBEX', 'Globex')] },
  { kind: 'CLASS', records: [active('CL-RND', 'Research and development'), active('CL-SALES', 'Sales')] },
  { kind: 'EMPLOYEE', records: [active('E1017', 'Smith, Chris'), active('E1021', 'Lopez, Ana'), active('E1022', 'Okafor, Ben'), active('E1023', 'Kim, Dana')] },
  { kind: 'VENDOR', records: [active('AMEX', 'American Express'), active('V100', 'Hotel Co'), active('V200', 'Northwind Consulting')] },
];

/** Intacct master data of the sandbox company, one complete list per kind. */
export function demoReferenceData(): DemoReferenceSet[] {
  return DEMO_REFERENCE.map((set) => ({ kind: set.kind, records: set.records.map((r) => ({ ...r })) }));
}

/** A `DimensionCheck` answering from reference lists (what the dimension cache does from its events). */
export function demoDimensionCheck(sets: readonly DemoReferenceSet[]): DimensionCheck {
  const byKind = new Map<ReferenceKind, Map<string, ReferenceRecord['status']>>();
  for (const set of sets) byKind.set(set.kind, new Map(set.records.map((r) => [r.id, r.status])));
  return (target, value) => {
    const kind = KIND_OF_TARGET[target];
    if (kind === null) return 'ok'; // ITEMID is not synced, so not judged
    const status = byKind.get(kind)?.get(value);
    return status === undefined ? 'missing' : status === 'active' ? 'ok' : 'inactive';
  };
}

/** `YYYY-MM` of the month before `now` (UTC): closed in the sandbox company, so one demo report is refused. */
export function demoClosedPeriod(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/**
 * Upserts the demo master data into a simulated Intacct company (`startIntacctSimulator().state`)
 * and closes last month's GL period, as a finance team does after month-end. Idempotent.
 */
export function seedSandboxIntacctCompany(company: SimulatedCompany, now: Date): void {
  const upsert = (object: string, row: Row): void => {
    const table = company.objects.get(object) ?? new Map<string, Row>();
    const id = row[ID_FIELDS[object]!]!;
    const existing = table.get(id);
    table.set(id, { ...existing, ...row, RECORDNO: existing?.['RECORDNO'] ?? String(company.nextRecordNo++) });
    company.objects.set(object, table);
  };
  for (const set of DEMO_REFERENCE) {
    for (const r of set.records) {
      if (set.kind === 'EMPLOYEE' || set.kind === 'VENDOR') {
        // Intacct keeps a person's or vendor's name on a CONTACT record; create it first, as Intacct requires.
        upsert('CONTACT', { CONTACTNAME: r.name, PRINTAS: r.name.split(', ').reverse().join(' ') });
      }
      const row: Row = { [ID_FIELDS[set.kind]!]: r.id, [REFERENCE_NAME_FIELD[set.kind]]: r.name, STATUS: r.status };
      if (set.kind === 'VENDOR') row['DISPLAYCONTACT.PRINTAS'] = r.name;
      upsert(set.kind, row);
    }
  }
  company.closedPeriods.add(demoClosedPeriod(now));
}
