import { randomUUID } from 'node:crypto';
import { IntacctGatewayError } from './errors.js';
import type { GatewayExecutor } from './posting-worker.js';
import { el, fields, type XmlFragment } from './xml/xml-builder.js';
import type { FunctionResult, XmlRecord } from './xml/response-parser.js';

export type ReferenceObject = 'GLACCOUNT' | 'DEPARTMENT' | 'LOCATION' | 'PROJECT' | 'CUSTOMER' | 'CLASS' | 'EMPLOYEE' | 'VENDOR';

/** The fields the connector needs of each object (id, name, status). */
export const REFERENCE_FIELDS: Record<ReferenceObject, string[]> = {
  GLACCOUNT: ['RECORDNO', 'ACCOUNTNO', 'TITLE', 'STATUS'],
  DEPARTMENT: ['RECORDNO', 'DEPARTMENTID', 'TITLE', 'STATUS'],
  LOCATION: ['RECORDNO', 'LOCATIONID', 'NAME', 'STATUS'],
  PROJECT: ['RECORDNO', 'PROJECTID', 'NAME', 'STATUS'],
  CUSTOMER: ['RECORDNO', 'CUSTOMERID', 'NAME', 'STATUS'],
  CLASS: ['RECORDNO', 'CLASSID', 'NAME', 'STATUS'],
  EMPLOYEE: ['RECORDNO', 'EMPLOYEEID', 'PERSONALINFO.CONTACTNAME', 'PERSONALINFO.EMAIL1', 'STATUS'],
  VENDOR: ['RECORDNO', 'VENDORID', 'NAME', 'STATUS'],
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
  status?: 'active' | 'inactive';
}

/** Only the string fields of a row (nested elements are not part of the reference model). */
function flat(record: XmlRecord): ReferenceRow {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function ensureSuccess(result: FunctionResult, what: string): FunctionResult {
  if (result.status !== 'success') throw new IntacctGatewayError(`Intacct refused to ${what}: ${result.errors.map((e) => e.description2 || e.description).join('; ')}`, 'result', result.errors, null);
  return result;
}

/** Reference data reads (all pages) and employee/vendor writes through the gateway client. */
export class IntacctReferenceData {
  constructor(
    private readonly gateway: GatewayExecutor,
    private readonly pageSize = 1000,
  ) {}

  /** Every row of `object` matching `query`: readByQuery, then readMore until nothing remains. */
  async readAll(object: ReferenceObject, query = ''): Promise<ReferenceRow[]> {
    const rows: ReferenceRow[] = [];
    let result = await this.one(
      el('readByQuery', [el('object', object), el('fields', REFERENCE_FIELDS[object].join(',')), el('query', query), el('pagesize', String(this.pageSize))]),
      `read ${object}`,
    );
    for (;;) {
      // A single row may come back as an object; the parser always gives a list.
      for (const row of result.data?.rows ?? []) rows.push(flat(row.fields));
      const remaining = Number(result.data?.numRemaining ?? '0');
      const resultId = result.data?.resultId ?? '';
      if (!(remaining > 0) || !resultId) return rows;
      result = await this.one(el('readMore', el('resultId', resultId)), `read more ${object}`);
    }
  }

  /** Creates the CONTACT, then the EMPLOYEE pointing at it. Returns the employee's RECORDNO. */
  async createEmployee(e: EmployeeInput): Promise<string> {
    await this.write(
      el('create', el('CONTACT', [...fields({ CONTACTNAME: e.contactName, PRINTAS: `${e.firstName} ${e.lastName}`, FIRSTNAME: e.firstName, LASTNAME: e.lastName, EMAIL1: e.email })])),
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
    return [el('VENDORID', v.vendorId), el('NAME', v.name), el('DISPLAYCONTACT', [el('PRINTAS', v.name), ...fields({ EMAIL1: v.email })]), ...fields({ STATUS: v.status })];
  }

  private async write(body: XmlFragment, what: string): Promise<string> {
    const [result] = await this.gateway.execute([{ controlId: `ref-${randomUUID()}`, body }], { uniqueId: true, mayCreate: true });
    const row = ensureSuccess(result!, what).data?.rows[0]?.fields;
    return typeof row?.['RECORDNO'] === 'string' ? row['RECORDNO'] : '';
  }

  private async one(body: XmlFragment, what: string): Promise<FunctionResult> {
    const [result] = await this.gateway.execute([{ controlId: `ref-${randomUUID()}`, body }], { uniqueId: false, mayCreate: false });
    return ensureSuccess(result!, what);
  }
}
