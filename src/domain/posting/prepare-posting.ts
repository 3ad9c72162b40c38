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
import type { DimensionTarget, JournalEntry, JournalLine, JournalLineKind } from '../journal/journal-entry.js';
import { DIMENSION_TARGETS, postingKeyFor } from '../journal/journal-entry.js';
import type { FisDocument } from '../fis/model.js';
import { summarizeFisDocument } from '../fis/summary.js';
import type { MappingSet } from '../mapping/model.js';
import { formatMinor } from '../money/money.js';
import { expenseDrafts } from './expense-drafts.js';
import { cashAdvanceDrafts, invoiceDrafts } from './other-drafts.js';
import { Resolver } from './resolver.js';
import { batchDate, batchTitle, concurDateNote, mergeMemos } from './text.js';
import type { AccountRef, DimensionCheck, DimensionLevels, DraftLine, PostingOptions, PostingResult } from './types.js';

interface Group {
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
}

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
  const resolved: Resolved[] = [];
  for (const g of net(drafts, resolver)) {
    if (g.amount === 0) continue; // cancelled lines need no mapping and are never posted
    const accountNo = resolver.account(g.account, g.sources);
    const dimensions: Partial<Record<DimensionTarget, string>> = {};
    if (g.cost) resolver.costDimensions(g.cost, dimensions, g.sources);
    resolver.ownDimensions(g.account, dimensions, g.sources);
    resolver.defaults(dimensions, g.sources);
    if (accountNo !== null) resolved.push({ kind: g.kind, amount: g.amount, accountNo, dimensions, memos: g.memos, sources: g.sources });
  }
  const gaps = resolver.gapList();
  if (gaps.length > 0) return { ok: false, gaps };

  const final = (mappings.options.mergeLines ? merge(resolved) : resolved).filter((l) => l.amount !== 0);
  if (final.length === 0)
    return { ok: false, rejected: { reason: `Document ${doc.id}: every amount nets to zero, there is nothing to post.`, difference: null } };
  let debits = 0;
  let credits = 0;
  for (const l of final) {
    if (l.amount > 0) debits += l.amount;
    else credits -= l.amount;
  }
  if (debits !== credits) {
    // Cannot happen when the drafts balanced (netting and merging only add); checked, never patched.
    return {
      ok: false,
      rejected: {
        reason: `Document ${doc.id}: the prepared entry does not balance (debits ${formatMinor(debits, c)}, credits ${formatMinor(credits, c)}).`,
        difference: formatMinor(debits - credits, c),
      },
    };
  }
  const summary = summarizeFisDocument(doc);
  const name = doc.kind === 'expense' ? doc.report.reportName : doc.kind === 'invoice' ? (doc.name ?? doc.invoiceNumber) : `Cash advance ${doc.name ?? ''}`;
  const ruleDate = batchDate(doc, mappings.options.batchDatePolicy, options.today);
  const chosenDate = options.batchDate && options.batchDate !== ruleDate ? options.batchDate : null;
  const entry: JournalEntry = {
    postingKey: postingKeyFor(doc.docType, doc.id, summary.version),
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
  };
  return { ok: true, entry };
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
      g = { kind: d.kind, amount: d.amount, account: d.account, cost: d.cost, raw, memos: [d.memo], sources: [d.source] };
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
      if (candidate.kind === l.kind && sameDimensions(candidate.dimensions, l.dimensions)) {
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
  };
}
