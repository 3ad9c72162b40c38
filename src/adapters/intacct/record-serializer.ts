import {
  DIMENSION_TARGETS,
  targetOf,
  type DimensionTarget,
  type IntacctTarget,
  type JournalEntry,
  type JournalLine,
} from '../../domain/journal/journal-entry.js';
import { fitBatchTitle } from '../../domain/posting/text.js';
import {
  formatCents,
  intacctDate,
  LINE_MEMO_MAX,
  serializeGlBatch,
  toCents,
  trimText,
  UnpostableEntryError,
  type GlBatchOptions,
} from './glbatch-serializer.js';
import { el, type XmlFragment } from './xml/xml-builder.js';

/**
 * How each Intacct object is written, read back and reversed (README "Targets" says what is confirmed
 * and from which public source):
 * - GLBATCH: `<create><GLBATCH>`, read back by REFERENCENO, reversed by a mirror GLBATCH.
 * - EEXPENSES: legacy `<create_expensereport>` (Sage's SDK has no object-API create for it), posting
 *   key in `<memo>` (read back as MEMO), reversed by `<reverse_expensereport key=…>`.
 * - APBILL: object API `<create><APBILL>`, posting key in DOCNUMBER, bill number in RECORDID,
 *   reversed by `<reverse_bill key=…>`.
 * - CCTRANSACTION: legacy `<record_cctransaction>`, posting key in `<referenceno>` (read back as
 *   RECORDID), reversed by `<reverse_cctransaction key=…>`.
 */
export const REFERENCE_FIELDS: ReadonlyMap<IntacctTarget, string> = new Map<IntacctTarget, string>([
  ['GLBATCH', 'REFERENCENO'],
  ['EEXPENSES', 'MEMO'],
  ['APBILL', 'DOCNUMBER'],
  ['CCTRANSACTION', 'RECORDID'],
]);

/** The legacy reversal function of each non-GL object. */
export const REVERSAL_FUNCTIONS: ReadonlyMap<IntacctTarget, string> = new Map<IntacctTarget, string>([
  ['EEXPENSES', 'reverse_expensereport'],
  ['APBILL', 'reverse_bill'],
  ['CCTRANSACTION', 'reverse_cctransaction'],
]);

export type RecordOptions = GlBatchOptions;

/** The subledger lines' dimension elements: `…ID` names, not GLENTRY's DEPARTMENT/LOCATION. */
const SUBLEDGER_DIMENSION: ReadonlyMap<DimensionTarget, string> = new Map<DimensionTarget, string>([
  ['DEPARTMENT', 'DEPARTMENTID'],
  ['LOCATION', 'LOCATIONID'],
  ['PROJECTID', 'PROJECTID'],
  ['CUSTOMERID', 'CUSTOMERID'],
  ['CLASSID', 'CLASSID'],
  ['ITEMID', 'ITEMID'],
  ['VENDORID', 'VENDORID'],
  ['EMPLOYEEID', 'EMPLOYEEID'],
]);

/** Element order of the legacy line dimensions in Sage's SDK (ExpenseReportLineCreate / ChargeCardTransactionLineCreate). */
const LEGACY_EE_DIMENSIONS: readonly DimensionTarget[] = ['LOCATION', 'DEPARTMENT', 'PROJECTID', 'CUSTOMERID', 'VENDORID', 'EMPLOYEEID', 'ITEMID', 'CLASSID'];
const LEGACY_CC_DIMENSIONS: readonly DimensionTarget[] = ['DEPARTMENT', 'LOCATION', 'CUSTOMERID', 'VENDORID', 'EMPLOYEEID', 'PROJECTID', 'ITEMID', 'CLASSID'];

const objectDims = (line: JournalLine): XmlFragment[] =>
  DIMENSION_TARGETS.flatMap((d) => (line.dimensions[d] ? [el(SUBLEDGER_DIMENSION.get(d)!, line.dimensions[d]!)] : []));
const legacyDims = (line: JournalLine, order: readonly DimensionTarget[]): XmlFragment[] =>
  order.flatMap((d) => (line.dimensions[d] ? [el(SUBLEDGER_DIMENSION.get(d)!.toLowerCase(), line.dimensions[d]!)] : []));

/** YYYY-MM-DD -> `<year/><month/><day/>` (the legacy functions' split dates, zero-padded as in Sage's SDK tests). */
export function splitDate(name: string, isoDate: string, postingKey: string): XmlFragment {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new UnpostableEntryError(postingKey, `date "${isoDate}" is not YYYY-MM-DD`);
  return el(name, [el('year', m[1]!), el('month', m[2]!), el('day', m[3]!)]);
}

/** A signed amount in cents: debit positive, credit negative. */
const signedText = (cents: bigint): string => (cents < 0n ? `-${formatCents(-cents)}` : formatCents(cents));

interface SentLine {
  line: JournalLine;
  /** trType * amount, in cents. */
  cents: bigint;
}

/**
 * The lines a non-GL record sends (those without `offset`), each with its signed amount. Refuses a
 * record that does not balance against its own payable, a zero line, a bad side, and totals the
 * object cannot take (EEXPENSES/APBILL not positive, CCTRANSACTION zero).
 */
function recordLines(entry: JournalEntry, target: IntacctTarget): { lines: SentLine[]; total: bigint } {
  const key = entry.postingKey;
  let sent = 0n;
  let offset = 0n;
  const lines: SentLine[] = [];
  for (const [i, line] of entry.lines.entries()) {
    if (line.trType !== 1 && line.trType !== -1) throw new UnpostableEntryError(key, `line ${i + 1} has TR_TYPE ${String(line.trType)}`);
    const amount = toCents(line.amount, key);
    if (amount === 0n) throw new UnpostableEntryError(key, `line ${i + 1} (account ${line.accountNo || line.expenseType || '?'}) has a zero amount`);
    const cents = BigInt(line.trType) * amount;
    if (line.offset) {
      offset += cents;
      continue;
    }
    if (target === 'EEXPENSES' ? !line.accountNo && !line.expenseType : !line.accountNo) {
      throw new UnpostableEntryError(key, `line ${i + 1} has no ${target === 'EEXPENSES' ? 'account or expense type' : 'account'}`);
    }
    sent += cents;
    lines.push({ line, cents });
  }
  if (lines.length === 0) throw new UnpostableEntryError(key, `it has no line to send as ${target} (every line is the record's own payable)`);
  if (sent + offset !== 0n) {
    throw new UnpostableEntryError(
      key,
      `its ${target} lines (${signedText(sent)}) and the record's own payable (${signedText(offset)}) do not balance: they differ by ${formatCents(sent + offset < 0n ? -(sent + offset) : sent + offset)}`,
    );
  }
  if ((target === 'EEXPENSES' || target === 'APBILL') && sent <= 0n)
    throw new UnpostableEntryError(key, `its ${target} total ${signedText(sent)} is not positive`);
  if (target === 'CCTRANSACTION' && sent === 0n) throw new UnpostableEntryError(key, 'its CCTRANSACTION total is zero');
  return { lines, total: sent };
}

function requireParty(entry: JournalEntry, field: 'employeeId' | 'vendorId' | 'cardAccount', target: IntacctTarget): string {
  const value = entry.party?.[field];
  if (!value) throw new UnpostableEntryError(entry.postingKey, `a ${target} needs party.${field}, and it has none`);
  return value;
}

const memoOf = (line: JournalLine): string | null => (line.memo ? trimText(line.memo, LINE_MEMO_MAX) : null);
const currencyOf = (entry: JournalEntry, options: RecordOptions): string | null =>
  options.includeCurrency !== false && entry.currency ? entry.currency : null;

/** `<create_expensereport>` (legacy; Sage's intacct-sdk-php ExpenseReportCreate / ExpenseReportLineCreate element order). */
export function serializeExpenseReport(entry: JournalEntry, options: RecordOptions = {}): XmlFragment {
  const key = entry.postingKey;
  const employeeId = requireParty(entry, 'employeeId', 'EEXPENSES');
  const { lines } = recordLines(entry, 'EEXPENSES');
  const currency = currencyOf(entry, options);
  return el('create_expensereport', [
    el('employeeid', employeeId),
    splitDate('datecreated', entry.batchDate, key),
    el('state', options.state === 'Draft' ? 'Draft' : 'Submitted'),
    el('description', fitBatchTitle(entry.batchTitle || key)),
    el('memo', key),
    currency ? el('currency', currency) : null,
    el(
      'expenses',
      lines.map(({ line, cents }) =>
        el('expense', [
          line.expenseType ? el('expensetype', line.expenseType) : el('glaccountno', line.accountNo),
          el('amount', signedText(cents)),
          splitDate('expensedate', entry.batchDate, key),
          memoOf(line) ? el('memo', memoOf(line)!) : null,
          ...legacyDims(line, LEGACY_EE_DIMENSIONS),
        ]),
      ),
    ),
  ]);
}

/** `<create><APBILL>` (object API, as fylein/fyle-intacct-api's `__construct_bill` sends it). */
export function serializeApBill(entry: JournalEntry, options: RecordOptions = {}): XmlFragment {
  const key = entry.postingKey;
  const vendorId = requireParty(entry, 'vendorId', 'APBILL');
  const { lines } = recordLines(entry, 'APBILL');
  const currency = currencyOf(entry, options);
  return el(
    'create',
    el('APBILL', [
      el('WHENCREATED', intacctDate(entry.batchDate, key)),
      el('VENDORID', vendorId),
      entry.billNumber ? el('RECORDID', entry.billNumber) : null,
      el('DOCNUMBER', key),
      el('WHENDUE', intacctDate(entry.dueDate || entry.batchDate, key)),
      el('DESCRIPTION', fitBatchTitle(entry.batchTitle || key)),
      currency ? el('CURRENCY', currency) : null,
      el(
        'APBILLITEMS',
        lines.map(({ line, cents }) =>
          el('APBILLITEM', [
            el('ACCOUNTNO', line.accountNo),
            el('TRX_AMOUNT', signedText(cents)),
            memoOf(line) ? el('ENTRYDESCRIPTION', memoOf(line)!) : null,
            ...objectDims(line),
          ]),
        ),
      ),
    ]),
  );
}

/** `<record_cctransaction>` (legacy; Sage's intacct-sdk-php ChargeCardTransactionCreate / …LineCreate element order). */
export function serializeCardTransaction(entry: JournalEntry, options: RecordOptions = {}): XmlFragment {
  const key = entry.postingKey;
  const card = requireParty(entry, 'cardAccount', 'CCTRANSACTION');
  const { lines } = recordLines(entry, 'CCTRANSACTION');
  const currency = currencyOf(entry, options);
  return el('record_cctransaction', [
    el('chargecardid', card),
    splitDate('paymentdate', entry.batchDate, key),
    el('referenceno', key),
    entry.party?.payee ? el('payee', trimText(entry.party.payee, LINE_MEMO_MAX)) : null,
    el('description', fitBatchTitle(entry.batchTitle || key)),
    currency ? el('currency', currency) : null,
    el(
      'ccpayitems',
      lines.map(({ line, cents }) =>
        el('ccpayitem', [
          el('glaccountno', line.accountNo),
          memoOf(line) ? el('description', memoOf(line)!) : null,
          el('paymentamount', signedText(cents)),
          ...legacyDims(line, LEGACY_CC_DIMENSIONS),
        ]),
      ),
    ),
  ]);
}

/** The function body that creates the record of `entry` in its target object. Refuses what cannot post. */
export function serializeRecord(entry: JournalEntry, options: RecordOptions = {}): XmlFragment {
  const target = targetOf(entry);
  switch (target) {
    case 'GLBATCH':
      return serializeGlBatch(entry, options);
    case 'EEXPENSES':
      return serializeExpenseReport(entry, options);
    case 'APBILL':
      return serializeApBill(entry, options);
    case 'CCTRANSACTION':
      return serializeCardTransaction(entry, options);
    default:
      throw new UnpostableEntryError(entry.postingKey, `its target ${String(target)} is not an Intacct object the connector posts`);
  }
}

/**
 * The reversal of a posted record. `entry` is the domain's mirror entry (key `…-REV`, its date the
 * reversal date): a GLBATCH is reversed by posting that mirror; the other objects by their own
 * reverse function on the original's RECORDNO, dated by the mirror's date. The mirror's lines are
 * not sent for those: Intacct reverses the whole record.
 */
export function serializeReversal(entry: JournalEntry, reversesRecordNo: string | null, options: RecordOptions = {}): XmlFragment {
  const target = targetOf(entry);
  if (target === 'GLBATCH') return serializeGlBatch(entry, options);
  const fn = REVERSAL_FUNCTIONS.get(target);
  if (!fn) throw new UnpostableEntryError(entry.postingKey, `its target ${String(target)} is not an Intacct object the connector reverses`);
  if (!reversesRecordNo) throw new UnpostableEntryError(entry.postingKey, `the RECORDNO of the ${target} it reverses is not known`);
  const memo = trimText(`Reversal ${entry.postingKey}`, LINE_MEMO_MAX);
  return el(
    fn,
    [
      splitDate('datereversed', entry.batchDate, entry.postingKey),
      // Sage's SDK: `<description>` for bills and expense reports, `<memo>` for card transactions.
      el(target === 'CCTRANSACTION' ? 'memo' : 'description', memo),
    ],
    { key: reversesRecordNo },
  );
}
