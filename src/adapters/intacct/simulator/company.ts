/**
 * The simulated Intacct company: master data, GL period state and everything posted. Readable
 * objects are flat rows of strings keyed by their id field, exactly as readByQuery returns them.
 * Every master-data row carries `WHENMODIFIED` (`mm/dd/yyyy hh:mm:ss`, UTC), set when it is created
 * or updated (through the API or `modifyRow`).
 */
import { formatIntacctTimestamp } from '../timestamp.js';

export type Row = Record<string, string>;

export const ID_FIELDS: Readonly<Record<string, string>> = {
  GLACCOUNT: 'ACCOUNTNO',
  DEPARTMENT: 'DEPARTMENTID',
  LOCATION: 'LOCATIONID',
  PROJECT: 'PROJECTID',
  CUSTOMER: 'CUSTOMERID',
  CLASS: 'CLASSID',
  ITEM: 'ITEMID',
  EMPLOYEE: 'EMPLOYEEID',
  VENDOR: 'VENDORID',
  CONTACT: 'CONTACTNAME',
  GLBATCH: 'RECORDNO',
  EEXPENSES: 'RECORDNO',
  APBILL: 'RECORDNO',
  CCTRANSACTION: 'RECORDNO',
  /** Credit card accounts a CCTRANSACTION is charged to (`chargecardid`). */
  CHARGECARD: 'CARDID',
  /** Expense types (`expensetype` on an expense report line) and the GL account each posts to. */
  EEACCOUNTLABEL: 'ACCOUNTLABEL',
};

/**
 * The id field of an object named in a request, or undefined: own keys only, so an element such as
 * `<constructor>` or `<toString>` is an unknown object, never a member of Object.prototype.
 */
export const idFieldOf = (object: string): string | undefined => (Object.hasOwn(ID_FIELDS, object) ? ID_FIELDS[object] : undefined);

/** A row's field by a name from a request (a query, an id field): own fields only. */
export const fieldOf = (row: Row, field: string): string | undefined => (Object.hasOwn(row, field) ? row[field] : undefined);

export interface PostedGlBatch {
  recordNo: string;
  controlId: string;
  header: Row;
  entries: Row[];
}

/** An EEXPENSES, APBILL or CCTRANSACTION created (or a reversal of one), with its lines. */
export interface PostedRecord {
  object: string;
  recordNo: string;
  controlId: string;
  header: Row;
  lines: Row[];
}

export interface SimulatedCompany {
  senderId: string;
  senderPassword: string;
  companyId: string;
  /** userId -> password */
  users: Map<string, string>;
  journals: Set<string>;
  objects: Map<string, Map<string, Row>>;
  /** Account -> dimension objects every line on it must carry (e.g. 6500 -> DEPARTMENT). */
  accountRequires: Map<string, string[]>;
  /** Account -> departments that may NOT be used on it ("Department … is restricted by GL account …"). */
  restrictedDepartments: Map<string, Set<string>>;
  /** Month keys `YYYY-MM` whose GL period is closed. */
  closedPeriods: Set<string>;
  glbatches: PostedGlBatch[];
  /** Subledger records in the order they were created (reversals included): `objects.get('APBILL')` holds the rows. */
  records: PostedRecord[];
  nextRecordNo: number;
  /** The simulator's clock for WHENMODIFIED (default: the real time); tests may move it. */
  now?: () => Date;
}

/** `WHENMODIFIED` of a row changed now, by the company's clock. */
export const modifiedNow = (company: SimulatedCompany): string => formatIntacctTimestamp(company.now?.() ?? new Date());

/**
 * Changes a master-data row as a user in Intacct would (tests, benchmarks): merges `changes` and sets
 * WHENMODIFIED to `at` (default: now by the company's clock). Returns the row; throws when it does not exist.
 */
export function modifyRow(company: SimulatedCompany, object: string, id: string, changes: Row, at?: Date): Row {
  const row = company.objects.get(object)?.get(id);
  if (!row) throw new Error(`simulator: no ${object} ${id}`);
  Object.assign(row, changes, { WHENMODIFIED: at ? formatIntacctTimestamp(at) : modifiedNow(company) });
  return row;
}

/** Sets a row's STATUS to inactive (and its WHENMODIFIED), as deactivating it in Intacct does. */
export const deactivateRow = (company: SimulatedCompany, object: string, id: string, at?: Date): Row =>
  modifyRow(company, object, id, { STATUS: 'inactive' }, at);

/** Deletes a row: Intacct keeps no trace of it that a WHENMODIFIED query could return. */
export function deleteRow(company: SimulatedCompany, object: string, id: string): void {
  if (!company.objects.get(object)?.delete(id)) throw new Error(`simulator: no ${object} ${id}`);
}

/** WHENMODIFIED of the demo company's rows: 1 January 2020, ten minutes apart in the order seeded. */
const SEED_MODIFIED_FROM = Date.UTC(2020, 0, 1);

/** How many rows an object's table holds (0 when none): tests assert "exactly once" with it. */
export const countOf = (company: SimulatedCompany, object: string): number => company.objects.get(object)?.size ?? 0;

export interface CompanySeed {
  senderId?: string;
  senderPassword?: string;
  companyId?: string;
  users?: Record<string, string>;
  closedPeriods?: string[];
  /** Credit card accounts (CHARGECARD CARDID) besides the demo ones; `active: false` seeds an inactive one. */
  chargeCards?: { cardId: string; active?: boolean }[];
}

export function seedDemoCompany(seed: CompanySeed = {}): SimulatedCompany {
  const objects = new Map<string, Map<string, Row>>();
  let seeded = 0;
  const add = (object: string, row: Row): void => {
    const table = objects.get(object) ?? new Map<string, Row>();
    const modified = formatIntacctTimestamp(SEED_MODIFIED_FROM + seeded++ * 600_000);
    table.set(row[ID_FIELDS[object]!]!, { STATUS: 'active', ...row, WHENMODIFIED: modified });
    objects.set(object, table);
  };
  for (const [no, title] of [
    ['1000', 'Cash'],
    ['1400', 'VAT receivable'],
    ['1450', 'Cash advances'],
    ['2000', 'Accounts payable'],
    ['2100', 'Employee reimbursements payable'],
    ['2150', 'Corporate card clearing'],
    ['6000.10', 'Travel - airfare'],
    ['6100', 'Meals'],
    ['6200', 'Lodging'],
    ['6500', 'Travel'],
    ['6900', 'Non-deductible VAT'],
  ] as const)
    add('GLACCOUNT', { ACCOUNTNO: no, TITLE: title });
  add('GLACCOUNT', { ACCOUNTNO: '9999', TITLE: 'Retired', STATUS: 'inactive' });
  for (const d of ['D100', 'D200', 'D300', '0021']) add('DEPARTMENT', { DEPARTMENTID: d, TITLE: `Department ${d}` });
  add('DEPARTMENT', { DEPARTMENTID: 'D900', TITLE: 'Closed department', STATUS: 'inactive' });
  for (const l of ['100', '200']) add('LOCATION', { LOCATIONID: l, NAME: `Location ${l}` });
  for (const p of ['P-1001', 'P-1002']) add('PROJECT', { PROJECTID: p, NAME: `Project ${p}` });
  for (const c of ['C-ACME', 'C-GLOBEX']) add('CUSTOMER', { CUSTOMERID: c, NAME: `Customer ${c}` });
  for (const c of ['CL-SALES', 'CL-RND']) add('CLASS', { CLASSID: c, NAME: `Class ${c}` });
  add('ITEM', { ITEMID: 'I-1', NAME: 'Item 1' });
  add('CONTACT', { CONTACTNAME: 'Smith, Chris', PRINTAS: 'Chris Smith' });
  add('EMPLOYEE', { RECORDNO: '1', EMPLOYEEID: 'E1017', 'PERSONALINFO.CONTACTNAME': 'Smith, Chris' });
  add('CONTACT', { CONTACTNAME: 'Hotel Co', PRINTAS: 'Hotel Co' });
  add('VENDOR', { RECORDNO: '1', VENDORID: 'V100', NAME: 'Hotel Co', 'DISPLAYCONTACT.PRINTAS': 'Hotel Co' });
  add('VENDOR', { RECORDNO: '2', VENDORID: 'AMEX', NAME: 'American Express', 'DISPLAYCONTACT.PRINTAS': 'American Express' });
  add('CHARGECARD', { CARDID: 'AMEX-CORP', LIABILITYTYPE: 'Credit', LIABACCTKEY: '2150' });
  add('CHARGECARD', { CARDID: 'VISA-OLD', LIABILITYTYPE: 'Credit', LIABACCTKEY: '2150', STATUS: 'inactive' });
  for (const card of seed.chargeCards ?? [])
    add('CHARGECARD', { CARDID: card.cardId, LIABILITYTYPE: 'Credit', STATUS: card.active === false ? 'inactive' : 'active' });
  for (const [label, account] of [
    ['Airfare', '6000.10'],
    ['Meals', '6100'],
    ['Lodging', '6200'],
  ] as const)
    add('EEACCOUNTLABEL', { ACCOUNTLABEL: label, GLACCOUNTNO: account });
  add('EEACCOUNTLABEL', { ACCOUNTLABEL: 'Retired type', GLACCOUNTNO: '6200', STATUS: 'inactive' });

  return {
    senderId: seed.senderId ?? 'ml-sender',
    senderPassword: seed.senderPassword ?? 'sender-secret',
    companyId: seed.companyId ?? 'ml-demo',
    users: new Map(Object.entries(seed.users ?? { 'ml-api': 'user-secret' })),
    journals: new Set(['EXPJ', 'GJ', 'APJ']),
    objects,
    accountRequires: new Map([
      ['6500', ['DEPARTMENT']],
      ['6100', ['DEPARTMENT']],
    ]),
    restrictedDepartments: new Map([['6500', new Set(['D300'])]]),
    closedPeriods: new Set(seed.closedPeriods ?? ['2025-11', '2025-12']),
    glbatches: [],
    records: [],
    nextRecordNo: 1001,
  };
}
