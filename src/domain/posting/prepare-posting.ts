/**
 * preparePosting: a parsed FIS document + the mapping set -> one balanced JournalEntry, or the exact
 * list of mapping gaps, or a rejection with the difference (docs/posting-rules.md). Pure: the dimension
 * cache is consulted through the `dimensionCheck` callback.
 *
 * Order matters: (1) the document's own figures must balance and match the Concur total, else
 * it is rejected whatever the mappings; (2) lines net per entry, account and Concur dimensions, so
 * a personal expense on a company card cancels before anyone asks for its (empty) account code;
 * (3) only the remaining lines are mapped; (4) equal lines merge when the option is on.
 */
import type { DimensionTarget, IntacctTarget, JournalEntry, JournalLine, JournalLineKind, RecordParty } from '../journal/journal-entry.js';
import { DIMENSION_TARGETS, postingKeyFor, recordKeyFor } from '../journal/journal-entry.js';
import { fieldCode } from '../fis/model.js';
import type { FisDocument } from '../fis/model.js';
import { summarizeFisDocument } from '../fis/summary.js';
import type { MappingSet, PaymentClass } from '../mapping/model.js';
import { formatMinor } from '../money/money.js';
import { expenseDrafts } from './expense-drafts.js';
import { cashAdvanceDrafts, invoiceDrafts } from './other-drafts.js';
import { Resolver } from './resolver.js';
import { batchDate, batchTitle, concurDateNote, mergeMemos } from './text.js';
import type { AccountRef, DimensionCheck, DimensionLevels, DraftLine, PostingOptions, PostingResult } from './types.js';

interface Group {
  scope: string;
  kind: JournalLineKind;
  amount: number;
  account: AccountRef;
  cost: DimensionLevels | null;
  /** Concur dimension codes of a cost line (null for balance-sheet lines). */
  raw: string | null;
  memos: string[];
  sources: string[];
}

interface Resolved {
  kind: JournalLineKind;
  amount: number;
  accountNo: string;
  dimensions: Partial<Record<DimensionTarget, string>>;
  memos: string[];
  sources: string[];
  /** The record's own payable (not sent for subledger objects). */
  offset: boolean;
  /** EEXPENSES: the Intacct expense type instead of an account. */
  expenseType: string | null;
}

/** Which Intacct record a line goes to (README, Posting targets). */
interface Slot {
  target: IntacctTarget;
  /** Expense reports: how the scope's lines were paid. */
  paymentClass: PaymentClass | null;
  /** CCTRANSACTION: the Concur card program (or payment-type code) choosing the card account. */
  cardProgram: string | null;
  /** CCTRANSACTION: the merchant of the scope's entry. */
  merchant: string | null;
}

interface RecordDraft {
  slot: Slot;
  /** Groups records: one GLBATCH, one EEXPENSES / APBILL, one CCTRANSACTION per card account. */
  id: string;
  lines: Resolved[];
  party: RecordParty;
  sources: string[];
}

const CLASS_OF: ReadonlyMap<string, PaymentClass> = new Map<string, PaymentClass>([
  ['EMPL', 'outOfPocket'],
  ['IBIP', 'outOfPocket'],
  ['CBCP', 'companyCard'],
  ['IBCP', 'companyCard'],
]);
/** How a line paid through `party` (the payment-type code of the side that is not the company) was paid. */
export const paymentClassOf = (party: string): PaymentClass => CLASS_OF.get(party) ?? 'companyPaid';
const SUFFIX: ReadonlyMap<IntacctTarget, string> = new Map<IntacctTarget, string>([
  ['EEXPENSES', 'EE'],
  ['APBILL', 'AP'],
  ['CCTRANSACTION', 'CC'],
]);

export function preparePosting(doc: FisDocument, mappings: MappingSet, dimensionCheck: DimensionCheck, options: PostingOptions): PostingResult {
  const c = doc.currency;
  const { drafts, unbalanced, cost } = doc.kind === 'expense' ? expenseDrafts(doc) : doc.kind === 'invoice' ? invoiceDrafts(doc) : cashAdvanceDrafts(doc);

  let sum = 0;
  for (const d of drafts) sum += d.amount;
  if (sum !== 0 || unbalanced.length > 0) {
    const head =
      sum === 0
        ? `Document ${doc.id} has journal lines whose amounts do not add up`
        : `Document ${doc.id} does not balance: debits ${sum > 0 ? 'exceed' : 'fall short of'} credits by ${formatMinor(Math.abs(sum), c)} ${c}`;
    return {
      ok: false,
      rejected: {
        reason: `${head}. ${unbalanced.slice(0, 5).join('; ')}${unbalanced.length > 5 ? `; and ${unbalanced.length - 5} more` : ''}`.trim(),
        difference: formatMinor(sum, c),
      },
    };
  }
  const expected = doc.kind === 'expense' ? doc.report.totalApprovedAmount : doc.kind === 'invoice' ? doc.totalAmount : null;
  if (expected !== null && cost !== expected) {
    const what = doc.kind === 'expense' ? "the report's totalApprovedAmount" : 'the invoice total';
    return {
      ok: false,
      rejected: {
        reason: `Document ${doc.id}: the journal lines' expense and tax amounts add up to ${formatMinor(cost, c)} ${c} but ${what} is ${formatMinor(expected, c)} ${c}. Check the document in Concur.`,
        difference: formatMinor(cost - expected, c),
      },
    };
  }

  const resolver = new Resolver(mappings, dimensionCheck, doc.kind === 'invoice' ? null : doc.employee.employeeId);
  const groups = net(drafts, resolver);
  const slots = slotsOf(doc, groups, mappings);
  const records = new Map<string, RecordDraft>();
  for (const g of groups) {
    if (g.amount === 0) continue; // cancelled lines need no mapping and are never posted
    const slot = slots.get(g.scope) ?? GL_SLOT;
    const draft = recordFor(records, slot, g, doc, mappings, resolver);
    // The record's own payable: Intacct books it from the record's header, so it needs no account.
    const offset = slot.target !== 'GLBATCH' && isOwnPayable(g, slot);
    const expenseType = slot.target === 'EEXPENSES' && g.kind === 'expense' && g.account.type === 'expense' ? expenseTypeOf(g.account, mappings) : null;
    const accountNo = offset || expenseType !== null ? '' : resolver.account(g.account, g.sources);
    const dimensions: Partial<Record<DimensionTarget, string>> = {};
    if (!offset) {
      if (g.cost) resolver.costDimensions(g.cost, dimensions, g.sources);
      resolver.ownDimensions(g.account, dimensions, g.sources);
      resolver.defaults(dimensions, g.sources);
    }
    if (accountNo !== null)
      draft.lines.push({ kind: g.kind, amount: g.amount, accountNo, dimensions, memos: g.memos, sources: g.sources, offset, expenseType });
    for (const source of g.sources) if (!draft.sources.includes(source)) draft.sources.push(source);
  }
  const gaps = resolver.gapList();
  if (gaps.length > 0) return { ok: false, gaps };

  const summary = summarizeFisDocument(doc);
  const name = doc.kind === 'expense' ? doc.report.reportName : doc.kind === 'invoice' ? (doc.name ?? doc.invoiceNumber) : `Cash advance ${doc.name ?? ''}`;
  const ruleDate = batchDate(doc, mappings.options.batchDatePolicy, options.today);
  const chosenDate = options.batchDate && options.batchDate !== ruleDate ? options.batchDate : null;
  const baseKey = postingKeyFor(doc.docType, doc.id, summary.version);
  const ordered = [...records.values()].sort((a, b) => TARGET_ORDER.indexOf(a.slot.target) - TARGET_ORDER.indexOf(b.slot.target) || compare(a.id, b.id));
  const entries: JournalEntry[] = [];
  let cards = 0;
  for (const record of ordered) {
    const final = (mappings.options.mergeLines ? merge(record.lines) : record.lines).filter((l) => l.amount !== 0);
    if (final.length === 0) continue;
    let debits = 0;
    let credits = 0;
    let payable = 0;
    for (const l of final) {
      if (l.amount > 0) debits += l.amount;
      else credits -= l.amount;
      if (l.offset) payable -= l.amount;
    }
    if (debits !== credits) {
      // Cannot happen when the drafts balanced (netting and merging only add); checked, never patched.
      return {
        ok: false,
        rejected: {
          reason: `Document ${doc.id}: the prepared ${record.slot.target} does not balance (debits ${formatMinor(debits, c)}, credits ${formatMinor(credits, c)}).`,
          difference: formatMinor(debits - credits, c),
        },
      };
    }
    const problem = subledgerProblem(record, payable, c);
    if (problem) return { ok: false, rejected: { reason: `Document ${doc.id}: ${problem}`, difference: null } };
    const suffix = record.slot.target === 'GLBATCH' ? null : record.slot.target === 'CCTRANSACTION' ? `CC${++cards}` : SUFFIX.get(record.slot.target)!;
    entries.push({
      postingKey: recordKeyFor(baseKey, suffix),
      docType: doc.docType,
      concurDocumentId: doc.id,
      reportId: summary.reportId,
      journal: mappings.journal ?? options.defaultJournal ?? 'EXPJ',
      batchDate: chosenDate ?? ruleDate,
      ...(chosenDate ? { originalBatchDate: ruleDate } : {}),
      batchTitle: batchTitle(name, summary.reportId ?? doc.id, chosenDate ? concurDateNote(ruleDate) : null),
      titleName: name,
      currency: c,
      lines: final.map((l) => toJournalLine(l, c)),
      total: formatMinor(debits, c),
      ...(record.slot.target === 'GLBATCH' ? {} : { target: record.slot.target, party: record.party }),
      ...(record.slot.target === 'APBILL' ? billFields(doc) : {}),
    });
  }
  if (entries.length === 0)
    return { ok: false, rejected: { reason: `Document ${doc.id}: every amount nets to zero, there is nothing to post.`, difference: null } };
  return { ok: true, entry: entries[0]!, records: entries };
}

const GL_SLOT: Slot = { target: 'GLBATCH', paymentClass: null, cardProgram: null, merchant: null };
const TARGET_ORDER: readonly IntacctTarget[] = ['GLBATCH', 'EEXPENSES', 'APBILL', 'CCTRANSACTION'];
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The record of each scope (an expense entry, the report-level items, an invoice). An expense entry
 * goes where its payment class's target says: the class of the party the company pays (the largest
 * credit among its netted counterparty lines; a debit one when the company is paid, as with cash
 * advances applied to the report). Invoices, payment requests and cash advances are one record.
 */
function slotsOf(doc: FisDocument, groups: readonly Group[], mappings: MappingSet): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const t = mappings.targets;
  if (doc.kind !== 'expense') {
    const target = doc.kind === 'cashadvance' ? t.cashAdvance : doc.docType === 'paymentrequest' ? t.paymentRequest : t.invoice;
    for (const g of groups) slots.set(g.scope, { target, paymentClass: null, cardProgram: null, merchant: null });
    return slots;
  }
  const party = new Map<string, Group>();
  for (const g of groups) {
    if (g.account.type !== 'counterparty' || g.amount === 0) continue;
    const current = party.get(g.scope);
    if (!current || rank(g) > rank(current)) party.set(g.scope, g);
  }
  const entries = new Map(doc.entries.map((e) => [e.ref, e]));
  for (const [scope, g] of party) {
    const code = (g.account as { party: string }).party;
    const paymentClass = paymentClassOf(code);
    const target = t.expense[paymentClass];
    const entry = entries.get(scope);
    slots.set(scope, {
      target,
      paymentClass,
      cardProgram: target === 'CCTRANSACTION' ? (entry?.cardProgramTypeCode ?? code) : null,
      merchant: entry?.vendorDescription ?? entry?.vendorCode ?? null,
    });
  }
  return slots;
}

/** A credit (the company pays) ranks above any debit; within a side, the larger amount. */
const rank = (g: Group): number => (g.amount < 0 ? 1e18 - g.amount : Math.abs(g.amount));

function isOwnPayable(g: Group, slot: Slot): boolean {
  if (g.account.type === 'vendor-payable') return slot.target === 'APBILL';
  if (g.account.type !== 'counterparty') return false;
  return slot.paymentClass !== null && paymentClassOf(g.account.party) === slot.paymentClass;
}

function expenseTypeOf(ref: Extract<AccountRef, { type: 'expense' }>, mappings: MappingSet): string | null {
  return ref.fallback === null ? null : (mappings.expenseTypes.get(ref.fallback) ?? null);
}

/** The record a line of `slot` belongs to, created with its party (employee, vendor, card account) on first use. */
function recordFor(records: Map<string, RecordDraft>, slot: Slot, g: Group, doc: FisDocument, mappings: MappingSet, resolver: Resolver): RecordDraft {
  let party: RecordParty = {};
  let id: string = slot.target;
  if (slot.target === 'CCTRANSACTION') {
    const program = slot.cardProgram ?? '';
    const account = mappings.cardAccounts.get(program);
    if (account === undefined) {
      resolver.gap(
        'card-account',
        program,
        'cardAccounts',
        g.sources,
        `Concur card program ${program} has no Intacct credit-card account in cardAccounts (company-card lines post as CCTRANSACTION).`,
      );
    }
    id = `CCTRANSACTION\u0000${account ?? program}`;
    party = { cardAccount: account ?? '', payee: slot.merchant ?? '' };
  }
  let record = records.get(id);
  if (record) {
    // One card transaction for several merchants names none of them.
    if (slot.target === 'CCTRANSACTION' && record.party.payee !== (slot.merchant ?? '')) record.party = { ...record.party, payee: '' };
    return record;
  }
  if (slot.target === 'EEXPENSES') party = { employeeId: resolver.employee(g.sources) ?? '' };
  if (slot.target === 'APBILL') {
    const concurVendor = doc.kind === 'invoice' ? doc.vendorCode : doc.kind === 'expense' ? doc.employee.employeeId : null;
    party = { vendorId: resolver.vendor(concurVendor, doc.kind === 'invoice' ? 'invoice.vendorCode' : 'employee (out of pocket as APBILL)', g.sources) ?? '' };
  }
  record = { slot, id, lines: [], party, sources: [] };
  records.set(id, record);
  return record;
}

/** What Intacct refuses of a subledger record: an employee expense report or bill must be owed something. */
function subledgerProblem(record: RecordDraft, payable: number, currency: string): string | null {
  const amount = `${formatMinor(payable, currency)} ${currency}`;
  switch (record.slot.target) {
    case 'EEXPENSES':
      return payable > 0
        ? null
        : `the out-of-pocket part comes to ${amount}, so the employee owes the company; Intacct takes an employee expense report only with a positive total. Post out-of-pocket lines as GLBATCH (targets.expense.outOfPocket) or correct the report in Concur.`;
    case 'APBILL':
      return payable > 0
        ? null
        : `the bill would come to ${amount}; Intacct takes a bill only with a positive total (a credit is an adjustment). Post it as GLBATCH (targets) or correct the document in Concur.`;
    case 'CCTRANSACTION':
      return payable !== 0 ? null : `the card lines of ${record.party.cardAccount} net to zero; there is no card transaction to post.`;
    default:
      return null;
  }
}

/** APBILL header: the bill number and due date from the Concur invoice or request (the report for out-of-pocket bills). */
function billFields(doc: FisDocument): Pick<JournalEntry, 'billNumber' | 'dueDate'> {
  if (doc.kind === 'invoice') {
    const due = doc.paymentDate ?? fieldCode(doc.fields, 'dueDate') ?? fieldCode(doc.fields, 'paymentDueDate');
    return { billNumber: doc.invoiceNumber ?? doc.requestId, dueDate: due && /^\d{4}-\d{2}-\d{2}/.test(due) ? due.slice(0, 10) : null };
  }
  return { billNumber: doc.kind === 'expense' ? (doc.report.reportId ?? doc.id) : doc.id, dueDate: null };
}

function sameAccountRef(a: AccountRef, b: AccountRef): boolean {
  switch (a.type) {
    case 'expense':
      return b.type === 'expense' && a.code === b.code && (a.code !== null || a.fallback === b.fallback);
    case 'tax':
      return b.type === 'tax' && a.which === b.which && a.label === b.label;
    case 'counterparty':
      return b.type === 'counterparty' && a.party === b.party;
    case 'cash-advance':
      return b.type === 'cash-advance'; // one account for every advance
    case 'vendor-payable':
      return b.type === 'vendor-payable' && a.vendorCode === b.vendorCode;
  }
}

/**
 * Nets drafts per scope (entry), kind, Concur account and Concur dimension codes. Groups are few per
 * entry, so a scan per scope beats building composite string keys (this is the hot path).
 */
function net(drafts: readonly DraftLine[], resolver: Resolver): Group[] {
  const byScope = new Map<string, Group[]>();
  const all: Group[] = [];
  for (const d of drafts) {
    let groups = byScope.get(d.scope);
    if (groups === undefined) byScope.set(d.scope, (groups = []));
    const raw = d.cost ? resolver.rawKey(d.cost) : null;
    let g: Group | undefined;
    for (const candidate of groups) {
      if (candidate.kind === d.kind && candidate.raw === raw && sameAccountRef(candidate.account, d.account)) {
        g = candidate;
        break;
      }
    }
    if (g) {
      g.amount += d.amount;
      g.memos.push(d.memo);
      if (!g.sources.includes(d.source)) g.sources.push(d.source);
    } else {
      g = { scope: d.scope, kind: d.kind, amount: d.amount, account: d.account, cost: d.cost, raw, memos: [d.memo], sources: [d.source] };
      groups.push(g);
      all.push(g);
    }
  }
  return all;
}

// Read once: under tsx/CJS interop every access to an imported binding is a getter call.
const TARGETS: readonly DimensionTarget[] = DIMENSION_TARGETS;

function sameDimensions(a: Partial<Record<DimensionTarget, string>>, b: Partial<Record<DimensionTarget, string>>): boolean {
  for (let i = 0; i < TARGETS.length; i++) {
    const target = TARGETS[i]!;
    if (a[target] !== b[target]) return false;
  }
  return true;
}

/**
 * Merges lines with the same kind, Intacct account and dimensions; a debit and a credit net.
 * Consumes its input: the first line of each merge is reused and grown in place (no copies on the
 * hot path); the caller built these lines for this call only.
 */
function merge(lines: Resolved[]): Resolved[] {
  const byAccount = new Map<string, Resolved[]>();
  const out: Resolved[] = [];
  for (const l of lines) {
    let bucket = byAccount.get(l.accountNo);
    if (bucket === undefined) byAccount.set(l.accountNo, (bucket = []));
    let m: Resolved | undefined;
    for (const candidate of bucket) {
      if (
        candidate.kind === l.kind &&
        candidate.offset === l.offset &&
        candidate.expenseType === l.expenseType &&
        sameDimensions(candidate.dimensions, l.dimensions)
      ) {
        m = candidate;
        break;
      }
    }
    if (m) {
      m.amount += l.amount;
      for (const memo of l.memos) m.memos.push(memo);
      for (const s of l.sources) if (!m.sources.includes(s)) m.sources.push(s);
    } else {
      bucket.push(l);
      out.push(l);
    }
  }
  return out;
}

function toJournalLine(l: Resolved, currency: string): JournalLine {
  return {
    accountNo: l.accountNo,
    trType: l.amount > 0 ? 1 : -1,
    amount: formatMinor(Math.abs(l.amount), currency),
    memo: mergeMemos(l.memos),
    dimensions: l.dimensions,
    kind: l.kind,
    sources: l.sources,
    ...(l.offset ? { offset: true } : {}),
    ...(l.expenseType !== null ? { expenseType: l.expenseType } : {}),
  };
}
