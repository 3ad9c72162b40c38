import { randomUUID } from 'node:crypto';
import { IntacctGatewayError } from './errors.js';
import type { GatewayExecutor } from './posting-worker.js';
import { el, fields, type XmlFragment } from './xml/xml-builder.js';
import type { FunctionResult, XmlRecord } from './xml/response-parser.js';

export type ReferenceObject = 'GLACCOUNT' | 'DEPARTMENT' | 'LOCATION' | 'PROJECT' | 'CUSTOMER' | 'CLASS' | 'EMPLOYEE' | 'VENDOR';

/** The fields the connector needs of each object (id, name, status, and WHENMODIFIED for incremental reads). */
export const REFERENCE_FIELDS: Record<ReferenceObject, string[]> = {
  GLACCOUNT: ['RECORDNO', 'ACCOUNTNO', 'TITLE', 'STATUS', 'WHENMODIFIED'],
  DEPARTMENT: ['RECORDNO', 'DEPARTMENTID', 'TITLE', 'STATUS', 'WHENMODIFIED'],
  LOCATION: ['RECORDNO', 'LOCATIONID', 'NAME', 'STATUS', 'WHENMODIFIED'],
  PROJECT: ['RECORDNO', 'PROJECTID', 'NAME', 'STATUS', 'WHENMODIFIED'],
  CUSTOMER: ['RECORDNO', 'CUSTOMERID', 'NAME', 'STATUS', 'WHENMODIFIED'],
  CLASS: ['RECORDNO', 'CLASSID', 'NAME', 'STATUS', 'WHENMODIFIED'],
  EMPLOYEE: ['RECORDNO', 'EMPLOYEEID', 'PERSONALINFO.CONTACTNAME', 'PERSONALINFO.EMAIL1', 'STATUS', 'WHENMODIFIED'],
  VENDOR: ['RECORDNO', 'VENDORID', 'NAME', 'TAXID', 'STATUS', 'WHENMODIFIED'],
};

/** The id and the display-name field of each object (TITLE for accounts and departments, NAME elsewhere). */
export const REFERENCE_ID_FIELD: Record<ReferenceObject, string> = {
  GLACCOUNT: 'ACCOUNTNO',
  DEPARTMENT: 'DEPARTMENTID',
  LOCATION: 'LOCATIONID',
  PROJECT: 'PROJECTID',
  CUSTOMER: 'CUSTOMERID',
  CLASS: 'CLASSID',
  EMPLOYEE: 'EMPLOYEEID',
  VENDOR: 'VENDORID',
};
export const REFERENCE_NAME_FIELD: Record<ReferenceObject, string> = {
  GLACCOUNT: 'TITLE',
  DEPARTMENT: 'TITLE',
  LOCATION: 'NAME',
  PROJECT: 'NAME',
  CUSTOMER: 'NAME',
  CLASS: 'NAME',
  EMPLOYEE: 'PERSONALINFO.CONTACTNAME',
  VENDOR: 'NAME',
};

export type ReferenceRow = Record<string, string>;

export interface EmployeeInput {
  employeeId: string;
  /** CONTACTNAME of the contact record, e.g. "Smith, Chris". */
  contactName: string;
  firstName: string;
  lastName: string;
  email?: string;
  departmentId?: string;
  locationId?: string;
  status?: 'active' | 'inactive';
}

export interface VendorInput {
  vendorId: string;
  name: string;
  email?: string;
  /** TAXID (the vendor's tax identification number), when known. */
  taxId?: string;
  status?: 'active' | 'inactive';
}

/**
 * The string fields of a row. A nested element (Intacct answers `PERSONALINFO.CONTACTNAME` as
 * `<PERSONALINFO><CONTACTNAME>…`) becomes its dotted name, the way the field was asked for.
 */
function flat(record: XmlRecord, prefix = '', out: ReferenceRow = {}): ReferenceRow {
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith('@_')) continue;
    const name = key === '#text' ? prefix.slice(0, -1) : `${prefix}${key}`;
    if (typeof value === 'string') {
      if (name && !(name in out)) out[name] = value;
    } else if (!Array.isArray(value) && key !== '#text') flat(value, `${name}.`, out);
  }
  return out;
}

/** Rows read so far, and how many Intacct said there are (`totalcount`, when it says). */
export type ReadProgress = (read: number, total: number | null) => void;

function ensureSuccess(result: FunctionResult, what: string): FunctionResult {
  if (result.status !== 'success')
    throw new IntacctGatewayError(
      `Intacct refused to ${what}: ${result.errors.map((e) => e.description2 || e.description).join('; ')}`,
      'result',
      result.errors,
      null,
    );
  return result;
}

/** Reference data reads (all pages) and employee/vendor writes through the gateway client. */
export class IntacctReferenceData {
  constructor(
    private readonly gateway: GatewayExecutor,
    private readonly pageSize = 1000,
  ) {}

  /** Every row of `object` matching `query`: readByQuery, then readMore until nothing remains. */
  async readAll(object: ReferenceObject, query = '', onPage: ReadProgress = () => undefined): Promise<ReferenceRow[]> {
    const rows: ReferenceRow[] = [];
    let total: number | null = null;
    let result = await this.one(
      el('readByQuery', [el('object', object), el('fields', REFERENCE_FIELDS[object].join(',')), el('query', query), el('pagesize', String(this.pageSize))]),
      `read ${object}`,
    );
    for (;;) {
      // A single row may come back as an object; the parser always gives a list.
      for (const row of result.data?.rows ?? []) rows.push(flat(row.fields));
      const totalCount = Number(result.data?.totalCount ?? NaN);
      if (total === null && Number.isFinite(totalCount)) total = totalCount;
      onPage(rows.length, total);
      const remaining = Number(result.data?.numRemaining ?? '0');
      const resultId = result.data?.resultId ?? '';
      if (!(remaining > 0) || !resultId) return rows;
      result = await this.one(el('readMore', el('resultId', resultId)), `read more ${object}`);
    }
  }

  /** Creates the CONTACT, then the EMPLOYEE pointing at it. Returns the employee's RECORDNO. */
  async createEmployee(e: EmployeeInput): Promise<string> {
    await this.write(
      el(
        'create',
        el('CONTACT', [
          ...fields({ CONTACTNAME: e.contactName, PRINTAS: `${e.firstName} ${e.lastName}`, FIRSTNAME: e.firstName, LASTNAME: e.lastName, EMAIL1: e.email }),
        ]),
      ),
      `create contact ${e.contactName}`,
    );
    return this.write(el('create', el('EMPLOYEE', this.employeeFields(e))), `create employee ${e.employeeId}`);
  }

  async updateEmployee(e: EmployeeInput): Promise<string> {
    return this.write(el('update', el('EMPLOYEE', this.employeeFields(e))), `update employee ${e.employeeId}`);
  }

  async createVendor(v: VendorInput): Promise<string> {
    return this.write(el('create', el('VENDOR', this.vendorFields(v))), `create vendor ${v.vendorId}`);
  }

  async updateVendor(v: VendorInput): Promise<string> {
    return this.write(el('update', el('VENDOR', this.vendorFields(v))), `update vendor ${v.vendorId}`);
  }

  private employeeFields(e: EmployeeInput): XmlFragment[] {
    return [
      el('EMPLOYEEID', e.employeeId),
      el('PERSONALINFO', el('CONTACTNAME', e.contactName)),
      ...fields({ DEPARTMENTID: e.departmentId, LOCATIONID: e.locationId, STATUS: e.status }),
    ];
  }

  private vendorFields(v: VendorInput): XmlFragment[] {
    return [
      el('VENDORID', v.vendorId),
      el('NAME', v.name),
      el('DISPLAYCONTACT', [el('PRINTAS', v.name), ...fields({ EMAIL1: v.email })]),
      ...fields({ TAXID: v.taxId, STATUS: v.status }),
    ];
  }

  private async write(body: XmlFragment, what: string): Promise<string> {
    const [result] = await this.gateway.execute([{ controlId: `ref-${randomUUID()}`, body }], { uniqueId: true, mayCreate: true, purpose: 'master-data' });
    const row = ensureSuccess(result!, what).data?.rows[0]?.fields;
    return typeof row?.['RECORDNO'] === 'string' ? row['RECORDNO'] : '';
  }

  private async one(body: XmlFragment, what: string): Promise<FunctionResult> {
    const [result] = await this.gateway.execute([{ controlId: `ref-${randomUUID()}`, body }], { uniqueId: false, mayCreate: false, purpose: 'reference-sync' });
    return ensureSuccess(result!, what);
  }
}
