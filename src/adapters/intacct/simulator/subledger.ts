import { el, type XmlFragment } from '../xml/xml-builder.js';
import type { XmlRecord, XmlValue } from '../xml/response-parser.js';
import type { Row, SimulatedCompany } from './company.js';
import { bl, closedPeriodError, isActive, lineCodingError, type SimError } from './glbatch-rules.js';

/**
 * The simulated subledger objects: EEXPENSES (legacy `create_expensereport`), APBILL (object API
 * `<create><APBILL>`), CCTRANSACTION (legacy `record_cctransaction`) and their legacy reversals
 * (`reverse_expensereport`, `reverse_bill`, `reverse_cctransaction`). Checks as strict as Intacct's
 * where known: required fields, the employee / vendor / card account active, each line's account
 * and dimensions by the GLBATCH rules (after renaming DEPARTMENTID/LOCATIONID), closed periods with
 * the GLBATCH text, totals the object cannot take.
 */
export type SubledgerOutcome = { ok: true; data: XmlFragment } | { ok: false; errors: SimError[] };

type Obj = 'EEXPENSES' | 'APBILL' | 'CCTRANSACTION';

const refuse = (object: Obj | string, ...errors: SimError[]): SubledgerOutcome => ({
  ok: false,
  errors: [...errors, bl(`Could not create ${object} record!`, '')],
});

const rec = (v: XmlValue | undefined): XmlRecord => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: XmlValue | undefined): string => (typeof v === 'string' ? v : '');
const list = (v: XmlValue | undefined): XmlRecord[] => (Array.isArray(v) ? v.map(rec) : v && typeof v === 'object' ? [v] : []);

/** `<year/><month/><day/>` -> mm/dd/yyyy, or null. */
function splitDate(v: XmlValue | undefined): string | null {
  const r = rec(v);
  const [y, m, d] = [str(r['year']), str(r['month']), str(r['day'])];
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return null;
  return `${m.padStart(2, '0')}/${d.padStart(2, '0')}/${y}`;
}

/** m/d/yyyy or mm/dd/yyyy (the object API) -> mm/dd/yyyy, or null. */
function slashDate(v: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  return m ? `${m[1]!.padStart(2, '0')}/${m[2]!.padStart(2, '0')}/${m[3]}` : null;
}

/** mm/dd/yyyy -> yyyymmdd, for comparing. */
const sortable = (d: string): string => `${d.slice(6)}${d.slice(0, 2)}${d.slice(3, 5)}`;

/** A signed decimal with at most 2 decimals, in cents. */
function signedCents(amount: string): bigint | null {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!m) return null;
  const v = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
const money = (c: bigint): string => {
  const a = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** Subledger dimension element (either case) -> GLENTRY name, for the shared line rules. */
const DIMENSION_NAMES: ReadonlyMap<string, string> = new Map([
  ['DEPARTMENTID', 'DEPARTMENT'],
  ['LOCATIONID', 'LOCATION'],
  ['PROJECTID', 'PROJECTID'],
  ['CUSTOMERID', 'CUSTOMERID'],
  ['VENDORID', 'VENDORID'],
  ['EMPLOYEEID', 'EMPLOYEEID'],
  ['CLASSID', 'CLASSID'],
  ['ITEMID', 'ITEMID'],
]);

function coding(account: string, line: XmlRecord): Row {
  const row: Row = { ACCOUNTNO: account };
  for (const [k, v] of Object.entries(line)) {
    const name = DIMENSION_NAMES.get(k.toUpperCase());
    if (name && typeof v === 'string' && v !== '') row[name] = v;
  }
  return row;
}

interface Parsed {
  header: Row;
  /** mm/dd/yyyy of the record (closed-period check). */
  date: string;
  lines: Row[];
  total: bigint;
}

export class SubledgerRunner {
  constructor(
    private readonly company: SimulatedCompany,
    private readonly table: (object: string) => Map<string, Row>,
  ) {}

  /** Legacy `create_expensereport`. Answers `<key>` = RECORDNO, like Intacct's legacy functions. */
  createExpenseReport(body: XmlRecord, controlId: string): SubledgerOutcome {
    const O = 'EEXPENSES';
    const employeeId = str(body['employeeid']);
    if (!employeeId) return refuse(O, bl('Required field employeeid is missing.', 'Provide the employee.'));
    const date = splitDate(body['datecreated']);
    if (!date) return refuse(O, bl('Required field datecreated is missing or not a date (year, month, day).', 'Provide datecreated.'));
    if (!isActive(this.company, 'EMPLOYEE', employeeId)) return refuse(O, bl(`The employee '${employeeId}' is invalid.`, 'Use an active employee.'));
    const expenses = list(rec(body['expenses'])['expense']);
    if (expenses.length === 0) return refuse(O, bl('An expense report must have at least 1 line.', 'Add an expense line.'));
    const lines: Row[] = [];
    let total = 0n;
    for (const [i, line] of expenses.entries()) {
      const type = str(line['expensetype']);
      let account = str(line['glaccountno']);
      if (type) {
        const row = this.table('EEACCOUNTLABEL').get(type);
        if (row?.['STATUS'] !== 'active') return refuse(O, bl(`Line ${i + 1}: Expense type ${type} is not valid.`, 'Use an active expense type.'));
        account = row['GLACCOUNTNO'] ?? '';
      } else if (!account)
        return refuse(O, bl(`Line ${i + 1}: Required field glaccountno or expensetype is missing.`, 'Provide an account or an expense type.'));
      const amount = signedCents(str(line['amount']));
      if (amount === null || amount === 0n)
        return refuse(O, bl(`Line ${i + 1}: amount ${str(line['amount'])} is not a valid non-zero amount.`, 'Send an amount with 2 decimals.'));
      const error = lineCodingError(this.company, coding(account, line));
      if (error) return refuse(O, error);
      if (!splitDate(line['expensedate'])) return refuse(O, bl(`Line ${i + 1}: Required field expensedate is missing.`, 'Provide the expense date.'));
      total += amount;
      lines.push({ ...coding(account, line), ...(type ? { ACCOUNTLABEL: type } : {}), AMOUNT: money(amount), MEMO: str(line['memo']) });
    }
    const closed = closedPeriodError(this.company, date);
    if (closed) return refuse(O, closed);
    if (total <= 0n)
      return refuse(O, bl(`The total of the expense report (${money(total)}) must be greater than zero.`, 'Send a report with a positive total.'));
    const header: Row = {
      RECORDID: str(body['expensereportno']),
      EMPLOYEEID: employeeId,
      WHENCREATED: date,
      STATE: str(body['state']) === 'Draft' ? 'Draft' : 'Submitted',
      DESCRIPTION: str(body['description']),
      MEMO: str(body['memo']),
      CURRENCY: str(body['currency']),
      TOTALENTERED: money(total),
    };
    const recordNo = this.store(O, controlId, { header, date, lines, total });
    return { ok: true, data: el('key', recordNo) };
  }

  /** Object API `<create><APBILL>`. Answers `<data><apbill><RECORDNO>` like every object-API create. */
  createApBill(record: XmlRecord, controlId: string): SubledgerOutcome {
    const O = 'APBILL';
    for (const field of ['VENDORID', 'WHENCREATED']) {
      if (!str(record[field])) return refuse(O, bl(`Required field ${field} is missing.`, `Provide a value for ${field}.`));
    }
    if (!str(record['WHENDUE']) && !str(record['TERMNAME']))
      return refuse(O, bl('Either WHENDUE or TERMNAME is required.', 'Provide a due date or a payment term.'));
    const date = slashDate(str(record['WHENCREATED']));
    const due = str(record['WHENDUE']) ? slashDate(str(record['WHENDUE'])) : date;
    if (!date || !due) return refuse(O, bl('Invalid date; dates must be mm/dd/yyyy.', 'Send the date as mm/dd/yyyy.'));
    if (sortable(due) < sortable(date))
      return refuse(O, bl(`The due date ${due} is before the bill date ${date}.`, 'Send a due date on or after the bill date.'));
    const vendorId = str(record['VENDORID']);
    if (!isActive(this.company, 'VENDOR', vendorId)) return refuse(O, bl(`Vendor '${vendorId}' specified is not valid.`, 'Use an active vendor.'));
    const items = list(rec(record['APBILLITEMS'])['APBILLITEM']);
    if (items.length === 0) return refuse(O, bl('An AP bill must have at least 1 line.', 'Add a bill line.'));
    const lines: Row[] = [];
    let total = 0n;
    for (const [i, line] of items.entries()) {
      const account = str(line['ACCOUNTNO']);
      if (!account) return refuse(O, bl(`Line ${i + 1}: Required field ACCOUNTNO is missing.`, 'Provide an account number.'));
      const amount = signedCents(str(line['TRX_AMOUNT']));
      if (amount === null || amount === 0n)
        return refuse(O, bl(`Line ${i + 1}: TRX_AMOUNT ${str(line['TRX_AMOUNT'])} is not a valid non-zero amount.`, 'Send an amount with 2 decimals.'));
      const error = lineCodingError(this.company, coding(account, line));
      if (error) return refuse(O, error);
      total += amount;
      lines.push({ ...coding(account, line), TRX_AMOUNT: money(amount), ENTRYDESCRIPTION: str(line['ENTRYDESCRIPTION']) });
    }
    const closed = closedPeriodError(this.company, date);
    if (closed) return refuse(O, closed);
    if (total <= 0n) return refuse(O, bl(`The total of the bill (${money(total)}) must be greater than zero.`, 'Send a bill with a positive total.'));
    const header: Row = {
      RECORDID: str(record['RECORDID']),
      DOCNUMBER: str(record['DOCNUMBER']),
      VENDORID: vendorId,
      WHENCREATED: date,
      WHENDUE: due,
      STATE: 'Posted',
      DESCRIPTION: str(record['DESCRIPTION']),
      CURRENCY: str(record['CURRENCY']),
      TOTALENTERED: money(total),
    };
    const recordNo = this.store(O, controlId, { header, date, lines, total });
    return { ok: true, data: el('data', el('apbill', el('RECORDNO', recordNo)), { listtype: 'objects', count: '1' }) };
  }

  /** Legacy `record_cctransaction`. Answers `<key>` = RECORDNO. */
  recordCardTransaction(body: XmlRecord, controlId: string): SubledgerOutcome {
    const O = 'CCTRANSACTION';
    const card = str(body['chargecardid']);
    if (!card) return refuse(O, bl('Required field chargecardid is missing.', 'Provide the credit card account.'));
    const date = splitDate(body['paymentdate']);
    if (!date) return refuse(O, bl('Required field paymentdate is missing or not a date (year, month, day).', 'Provide paymentdate.'));
    if (!isActive(this.company, 'CHARGECARD', card)) return refuse(O, bl(`Charge card account '${card}' is not valid.`, 'Use an active credit card account.'));
    const items = list(rec(body['ccpayitems'])['ccpayitem']);
    if (items.length === 0) return refuse(O, bl('A charge card transaction must have at least 1 line.', 'Add a line.'));
    const lines: Row[] = [];
    let total = 0n;
    for (const [i, line] of items.entries()) {
      const account = str(line['glaccountno']);
      if (!account) return refuse(O, bl(`Line ${i + 1}: Required field glaccountno is missing.`, 'Provide an account number.'));
      const amount = signedCents(str(line['paymentamount']));
      if (amount === null || amount === 0n)
        return refuse(O, bl(`Line ${i + 1}: paymentamount ${str(line['paymentamount'])} is not a valid non-zero amount.`, 'Send an amount with 2 decimals.'));
      const error = lineCodingError(this.company, coding(account, line));
      if (error) return refuse(O, error);
      total += amount;
      lines.push({ ...coding(account, line), TRX_AMOUNT: money(amount), DESCRIPTION: str(line['description']) });
    }
    const closed = closedPeriodError(this.company, date);
    if (closed) return refuse(O, closed);
    if (total === 0n) return refuse(O, bl('The total of the charge card transaction is zero.', 'Send a non-zero transaction.'));
    const header: Row = {
      RECORDID: str(body['referenceno']),
      FINANCIALENTITY: card,
      WHENCREATED: date,
      PAYEE: str(body['payee']),
      STATE: 'Posted',
      DESCRIPTION: str(body['description']),
      CURRENCY: str(body['currency']),
      TOTALENTERED: money(total),
    };
    const recordNo = this.store(O, controlId, { header, date, lines, total });
    return { ok: true, data: el('key', recordNo) };
  }

  /**
   * `reverse_bill` / `reverse_expensereport` / `reverse_cctransaction key=RECORDNO` with
   * `datereversed`: the original becomes STATE Reversed, a reversing record (STATE Reversal) is
   * added and its RECORDNO answered as `<key>`. Refuses an unknown key, a second reversal, a
   * reversal record, a date before the original's and a closed period.
   */
  reverse(object: Obj, body: XmlRecord, controlId: string): SubledgerOutcome {
    const key = str(body['@_key']);
    if (!key) return refuse(object, bl('Required attribute key is missing.', 'Send the RECORDNO to reverse as key.'));
    const original = this.table(object).get(key);
    if (!original) return refuse(object, bl(`${object} ${key} does not exist.`, 'Send the RECORDNO of an existing record.'));
    if (original['STATE'] === 'Reversed') return refuse(object, bl(`${object} ${key} has already been reversed.`, 'Nothing to do.'));
    if (original['STATE'] === 'Reversal') return refuse(object, bl(`${object} ${key} is a reversal and cannot be reversed.`, ''));
    const date = splitDate(body['datereversed']);
    if (!date) return refuse(object, bl('Required field datereversed is missing or not a date (year, month, day).', 'Provide datereversed.'));
    if (sortable(date) < sortable(original['WHENCREATED'] ?? '')) {
      return refuse(
        object,
        bl(`The reversal date ${date} is before the date of ${object} ${key} (${original['WHENCREATED']}).`, 'Reverse on or after the original date.'),
      );
    }
    const closed = closedPeriodError(this.company, date);
    if (closed) return refuse(object, closed);
    const lines = (this.company.records.find((r) => r.object === object && r.recordNo === key)?.lines ?? []).map((l) => ({ ...l }));
    const total = -(signedCents(original['TOTALENTERED'] ?? '0') ?? 0n);
    const header: Row = {
      ...original,
      WHENCREATED: date,
      STATE: 'Reversal',
      DESCRIPTION: str(body['description']) || str(body['memo']) || `Reversal of ${key}`,
      TOTALENTERED: money(total),
      REVERSEDKEY: key,
    };
    delete header['RECORDNO'];
    const recordNo = this.store(object, controlId, { header, date, lines, total });
    original['STATE'] = 'Reversed';
    original['REVERSALKEY'] = recordNo;
    return { ok: true, data: el('key', recordNo) };
  }

  private store(object: Obj, controlId: string, parsed: Parsed): string {
    const recordNo = String(this.company.nextRecordNo++);
    const header: Row = { RECORDNO: recordNo, ...parsed.header };
    this.table(object).set(recordNo, header);
    this.company.records.push({ object, recordNo, controlId, header, lines: parsed.lines });
    return recordNo;
  }
}
