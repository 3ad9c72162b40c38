import type { Row, SimulatedCompany } from './company.js';

/** An Intacct-shaped error: BL01001973 wraps the specific text in description2. */
export interface SimError {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

export const bl = (description2: string, correction: string): SimError => ({ errorno: 'BL01001973', description: '', description2, correction });

const LINE_DIMENSIONS: [field: string, object: string, label: string][] = [
  ['DEPARTMENT', 'DEPARTMENT', 'Department'],
  ['LOCATION', 'LOCATION', 'Location'],
  ['PROJECTID', 'PROJECT', 'Project'],
  ['CUSTOMERID', 'CUSTOMER', 'Customer'],
  ['VENDORID', 'VENDOR', 'Vendor'],
  ['EMPLOYEEID', 'EMPLOYEE', 'Employee'],
  ['CLASSID', 'CLASS', 'Class'],
  ['ITEMID', 'ITEM', 'Item'],
];

export function isActive(company: SimulatedCompany, object: string, id: string): boolean {
  return company.objects.get(object)?.get(id)?.['STATUS'] === 'active';
}

function cents(amount: string): bigint | null {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  return m ? BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) : null;
}

/**
 * The checks Intacct makes on a GLBATCH create, in roughly its order. Returns the errors (empty when
 * the batch may be posted); the texts follow the shapes Intacct uses so the connector's classifier
 * is tested against them.
 */
export function validateGlBatch(company: SimulatedCompany, header: Row, entries: Row[]): SimError[] {
  for (const field of ['JOURNAL', 'BATCH_DATE', 'BATCH_TITLE']) {
    if (!header[field]) return [bl(`Required field ${field} is missing.`, `Provide a value for ${field}.`)];
  }
  if (!company.journals.has(header['JOURNAL']!)) return [bl(`Journal ${header['JOURNAL']} is not valid.`, 'Use an existing journal symbol.')];
  const date = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(header['BATCH_DATE']!);
  if (!date) return [bl(`Invalid date ${header['BATCH_DATE']}; dates must be mm/dd/yyyy.`, 'Send the date as mm/dd/yyyy.')];
  const closed = closedPeriodError(company, header['BATCH_DATE']!);
  if (closed) return [closed];
  if (entries.length < 2) return [bl('A journal entry needs at least two lines.', 'Add a debit and a credit line.')];
  let debit = 0n;
  let credit = 0n;
  for (const [i, line] of entries.entries()) {
    const account = line['ACCOUNTNO'] ?? '';
    if (!account) return [bl(`Line ${i + 1}: Required field ACCOUNTNO is missing.`, 'Provide an account number.')];
    const coding = lineCodingError(company, line);
    if (coding) return [coding];
    const amount = cents(line['TRX_AMOUNT'] ?? '');
    if (amount === null || amount === 0n)
      return [bl(`Line ${i + 1}: TRX_AMOUNT ${line['TRX_AMOUNT'] ?? ''} is not a valid positive amount.`, 'Send a positive amount with 2 decimals.')];
    if (line['TR_TYPE'] === '1') debit += amount;
    else if (line['TR_TYPE'] === '-1') credit += amount;
    else return [bl(`Line ${i + 1}: TR_TYPE must be 1 or -1.`, 'Send 1 for a debit, -1 for a credit.')];
  }
  if (debit !== credit) return [bl(`The entry is not balanced: debits ${debit} and credits ${credit} (in cents) differ.`, 'Make debits equal credits.')];
  return [];
}

/** The closed-period refusal of a `mm/dd/yyyy` date (the same text for every object), or null. */
export function closedPeriodError(company: SimulatedCompany, date: string): SimError | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date);
  if (!m || !company.closedPeriods.has(`${m[3]}-${m[1]}`)) return null;
  const open = [...company.closedPeriods].sort().at(-1)!;
  const [y, mo] = open.split('-').map(Number) as [number, number];
  const firstOpen = mo === 12 ? `01/01/${y + 1}` : `${String(mo + 1).padStart(2, '0')}/01/${y}`;
  return bl(`The period for ${date} is closed. Date must be on or after ${firstOpen}.`, 'Reopen the period or post with a later date.');
}

/**
 * A line's account and dimensions, with GLENTRY's names (DEPARTMENT, LOCATION, PROJECTID…): the
 * account active, each dimension active, the dimensions the account requires present, no department
 * the account restricts. Subledger lines are checked by the same rules after renaming their
 * DEPARTMENTID/LOCATIONID.
 */
export function lineCodingError(company: SimulatedCompany, line: Row): SimError | null {
  const account = line['ACCOUNTNO'] ?? '';
  if (!isActive(company, 'GLACCOUNT', account)) return bl(`Account ${account} is not valid.`, 'Use an active GL account.');
  for (const [field, object, label] of LINE_DIMENSIONS) {
    const value = line[field];
    if (value && !isActive(company, object, value)) return bl(`${label} ${value} is not valid.`, `Use an active ${label.toLowerCase()}.`);
  }
  for (const required of company.accountRequires.get(account) ?? []) {
    const label = LINE_DIMENSIONS.find(([, o]) => o === required)?.[2] ?? required;
    const field = LINE_DIMENSIONS.find(([, o]) => o === required)?.[0] ?? required;
    if (!line[field]) return bl(`The transaction is missing the ${label} dimension for the Account ${account}.`, `Provide a ${label.toLowerCase()}.`);
  }
  const dept = line['DEPARTMENT'];
  if (dept && company.restrictedDepartments.get(account)?.has(dept)) {
    return bl(`Department ${dept} is restricted by GL account ${account}.`, 'Use a department allowed for this account.');
  }
  return null;
}
