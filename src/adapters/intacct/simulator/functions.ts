import { randomUUID } from 'node:crypto';
import { el, type XmlFragment } from '../xml/xml-builder.js';
import type { XmlRecord, XmlValue } from '../xml/response-parser.js';
import { parseIntacctTimestamp } from '../timestamp.js';
import { fieldOf, idFieldOf, modifiedNow, type Row, type SimulatedCompany } from './company.js';
import { validateGlBatch, type SimError } from './glbatch-rules.js';
import { SubledgerRunner } from './subledger.js';

export type FunctionOutcome = { ok: true; data: XmlFragment } | { ok: false; errors: SimError[] };

const fail = (description2: string, correction = '', errorno = 'BL01001973'): FunctionOutcome => ({
  ok: false,
  errors: [{ errorno, description: '', description2, correction }],
});

/** Flattens nested elements to dotted names (PERSONALINFO/CONTACTNAME -> PERSONALINFO.CONTACTNAME). */
function flatten(record: XmlRecord, prefix = '', row: Row = {}): Row {
  for (const [k, v] of Object.entries(record)) {
    if (k.startsWith('@_')) continue;
    // defineProperty, not `row[name] = v`: an element named __proto__ is a field, not the prototype.
    if (typeof v === 'string') Object.defineProperty(row, prefix + k, { value: v, writable: true, enumerable: true, configurable: true });
    else if (!Array.isArray(v)) flatten(v, `${prefix}${k}.`, row);
  }
  return row;
}

const asRecord = (v: XmlValue | undefined): XmlRecord => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

/** Server-side open result sets for readMore. */
interface ResultSet {
  object: string;
  rows: Row[];
  fields: string[] | null;
  pageSize: number;
}

export class FunctionRunner {
  private readonly resultSets = new Map<string, ResultSet>();
  private readonly subledger: SubledgerRunner;
  constructor(private readonly company: SimulatedCompany) {
    this.subledger = new SubledgerRunner(company, (object) => this.table(object));
  }

  run(verb: string, body: XmlRecord, controlId: string): FunctionOutcome {
    switch (verb) {
      case 'create':
        return this.create(body, controlId);
      case 'update':
        return this.update(body);
      case 'readByQuery':
        return this.readByQuery(body);
      case 'readMore':
        return this.readMore(body);
      case 'create_expensereport':
        return this.subledger.createExpenseReport(body, controlId);
      case 'record_cctransaction':
        return this.subledger.recordCardTransaction(body, controlId);
      case 'reverse_expensereport':
        return this.subledger.reverse('EEXPENSES', body, controlId);
      case 'reverse_bill':
        return this.subledger.reverse('APBILL', body, controlId);
      case 'reverse_cctransaction':
        return this.subledger.reverse('CCTRANSACTION', body, controlId);
      default:
        return fail(`Unknown function ${verb}.`, 'Use a supported function.', 'XL03000002');
    }
  }

  private create(body: XmlRecord, controlId: string): FunctionOutcome {
    const [object, value] = Object.entries(body)[0] ?? [];
    if (!object) return fail('No object to create.');
    const record = asRecord(value);
    if (object === 'GLBATCH') return this.createGlBatch(record, controlId);
    if (object === 'APBILL') return this.subledger.createApBill(record, controlId);
    const row = flatten(record);
    const table = this.table(object);
    const idField = idFieldOf(object);
    const id = idField === undefined ? undefined : fieldOf(row, idField);
    if (object === 'EMPLOYEE') {
      if (!row['EMPLOYEEID']) return fail('Required field EMPLOYEEID is missing.');
      const contact = row['PERSONALINFO.CONTACTNAME'];
      if (!contact || !this.table('CONTACT').has(contact))
        return fail(`Contact ${contact ?? ''} does not exist; create the CONTACT first.`, 'Create the contact, then the employee.');
    } else if (object === 'VENDOR') {
      if (!row['VENDORID'] || !row['NAME']) return fail('Required fields VENDORID and NAME are needed.');
      if (!row['DISPLAYCONTACT.PRINTAS']) return fail('Required field DISPLAYCONTACT.PRINTAS is missing.');
    } else if (object === 'CONTACT') {
      if (!row['CONTACTNAME'] || !row['PRINTAS']) return fail('Required fields CONTACTNAME and PRINTAS are needed.');
    } else return fail(`Creating ${object} is not supported by the simulator.`, '', 'XL03000002');
    if (!id) return fail(`Required field ${idField} is missing.`);
    if (table.has(id)) return fail(`Another ${object} with the given value(s) ${id} already exists.`, 'Use a unique id or update the record.');
    const recordNo = String(this.company.nextRecordNo++);
    table.set(id, { STATUS: 'active', ...row, RECORDNO: recordNo, WHENMODIFIED: modifiedNow(this.company) });
    return { ok: true, data: el('data', el(object.toLowerCase(), [el('RECORDNO', recordNo), el(idField!, id)]), { listtype: 'objects', count: '1' }) };
  }

  private createGlBatch(record: XmlRecord, controlId: string): FunctionOutcome {
    const header = flatten({ ...record, ENTRIES: '' });
    delete header['ENTRIES'];
    const glentry = asRecord(record['ENTRIES'])['GLENTRY'];
    const entries = (Array.isArray(glentry) ? glentry : glentry ? [glentry] : []).map((e) => flatten(asRecord(e)));
    const errors = validateGlBatch(this.company, header, entries);
    if (errors.length > 0)
      return { ok: false, errors: [...errors, { errorno: 'BL01001973', description: '', description2: 'Could not create GLBATCH record!', correction: '' }] };
    const recordNo = String(this.company.nextRecordNo++);
    const row: Row = { RECORDNO: recordNo, BATCHNO: recordNo, STATE: 'Posted', ...header };
    this.company.glbatches.push({ recordNo, controlId, header: row, entries });
    this.table('GLBATCH').set(recordNo, row);
    return { ok: true, data: el('data', el('glbatch', el('RECORDNO', recordNo)), { listtype: 'objects', count: '1' }) };
  }

  private update(body: XmlRecord): FunctionOutcome {
    const [object, value] = Object.entries(body)[0] ?? [];
    if (object !== 'EMPLOYEE' && object !== 'VENDOR') return fail(`Updating ${object ?? '?'} is not supported by the simulator.`, '', 'XL03000002');
    const row = flatten(asRecord(value));
    const table = this.table(object);
    const existing = row['RECORDNO'] ? [...table.values()].find((r) => r['RECORDNO'] === row['RECORDNO']) : table.get(fieldOf(row, idFieldOf(object)!) ?? '');
    if (!existing) return fail(`${object} ${row['RECORDNO'] ?? fieldOf(row, idFieldOf(object)!) ?? ''} does not exist.`, 'Create it first.');
    Object.assign(existing, row, { WHENMODIFIED: modifiedNow(this.company) });
    return { ok: true, data: el('data', el(object.toLowerCase(), el('RECORDNO', existing['RECORDNO'] ?? '')), { listtype: 'objects', count: '1' }) };
  }

  private readByQuery(body: XmlRecord): FunctionOutcome {
    const object = typeof body['object'] === 'string' ? body['object'] : '';
    if (idFieldOf(object) === undefined) return fail(`Object ${object} is not readable.`, '', 'DL02000001');
    const query = typeof body['query'] === 'string' ? body['query'] : '';
    const filter = parseQuery(query);
    if (!filter) return fail(`Invalid query: ${query}`, "Use FIELD = 'value' or FIELD IN (...) joined with AND.", 'DL02000001');
    const pageSize = Math.min(1000, Math.max(1, Number(body['pagesize'] ?? '100') || 100));
    const fieldList =
      typeof body['fields'] === 'string' && body['fields'] !== '*' && body['fields'] !== '' ? body['fields'].split(',').map((f) => f.trim()) : null;
    let rows = [...this.table(object).values()];
    // Like Intacct, an employee's PERSONALINFO fields come from its contact record.
    if (object === 'EMPLOYEE') {
      const contacts = this.table('CONTACT');
      rows = rows.map((r) => {
        const contact = contacts.get(r['PERSONALINFO.CONTACTNAME'] ?? '');
        return contact?.['EMAIL1'] ? { 'PERSONALINFO.EMAIL1': contact['EMAIL1'], ...r } : r;
      });
    }
    return this.page({ object, rows: rows.filter(filter), fields: fieldList, pageSize });
  }

  private readMore(body: XmlRecord): FunctionOutcome {
    const id = typeof body['resultId'] === 'string' ? body['resultId'] : '';
    const set = this.resultSets.get(id);
    if (!set) return fail(`Result set ${id} does not exist or has expired.`, 'Run readByQuery again.', 'DL02000001');
    this.resultSets.delete(id);
    return this.page(set);
  }

  private page(set: ResultSet): FunctionOutcome {
    const rows = set.rows.slice(0, set.pageSize);
    const rest = set.rows.slice(set.pageSize);
    let resultId = '';
    if (rest.length > 0) {
      resultId = randomUUID();
      this.resultSets.set(resultId, { ...set, rows: rest });
    }
    const render = (row: Row): XmlFragment =>
      el(
        set.object,
        Object.entries(row)
          .filter(([k]) => !set.fields || set.fields.includes(k))
          .map(([k, v]) => el(k, v)),
      );
    return {
      ok: true,
      data: el('data', rows.map(render), {
        listtype: set.object,
        count: String(rows.length),
        totalcount: String(set.rows.length),
        numremaining: String(rest.length),
        resultId,
      }),
    };
  }

  private table(object: string): Map<string, Row> {
    let t = this.company.objects.get(object);
    if (!t) this.company.objects.set(object, (t = new Map()));
    return t;
  }
}

/**
 * The subset of Intacct's query language the connector uses: FIELD = 'v', FIELD IN ('a','b'),
 * WHENMODIFIED/WHENCREATED >, >=, <, <= 'mm/dd/yyyy hh:mm:ss' (compared as times), joined with AND.
 * A row without the timestamp (one a test put into a table directly) counts as modified now.
 */
export function parseQuery(query: string): ((row: Row) => boolean) | null {
  if (query.trim() === '') return () => true;
  const tests: ((row: Row) => boolean)[] = [];
  for (const part of query.split(/\s+AND\s+/i)) {
    const eq = /^\s*([A-Za-z0-9_.]+)\s*(=|!=)\s*'((?:[^']|'')*)'\s*$/.exec(part);
    const cmp = /^\s*(WHENMODIFIED|WHENCREATED)\s*(>=|<=|>|<)\s*'([^']*)'\s*$/i.exec(part);
    if (cmp) {
      const [, rawField, op, literal] = cmp;
      const field = rawField!.toUpperCase();
      const bound = parseIntacctTimestamp(literal);
      if (bound === null) return null;
      const at = (r: Row): number => parseIntacctTimestamp(fieldOf(r, field)) ?? Date.now();
      tests.push(op === '>' ? (r) => at(r) > bound : op === '>=' ? (r) => at(r) >= bound : op === '<' ? (r) => at(r) < bound : (r) => at(r) <= bound);
      continue;
    }
    const inList = /^\s*([A-Za-z0-9_.]+)\s+IN\s*\(((?:\s*'(?:[^']|'')*'\s*,?)+)\)\s*$/i.exec(part);
    if (eq) {
      const [, field, op, raw] = eq;
      const value = raw!.replace(/''/g, "'");
      tests.push(op === '=' ? (r) => fieldOf(r, field!) === value : (r) => fieldOf(r, field!) !== value);
    } else if (inList) {
      const values = new Set([...inList[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")));
      tests.push((r) => values.has(fieldOf(r, inList[1]!) ?? ''));
    } else return null;
  }
  return (row) => tests.every((t) => t(row));
}
