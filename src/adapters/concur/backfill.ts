import { CONCUR_DOC_TYPES } from '../../domain/concur.js';
import type { EventStore } from '../../domain/eventstore/port.js';
import { documentStreamId } from '../../domain/document/events.js';
import { foldDocument } from '../../domain/document/state.js';
import { parseFisDocument } from '../../domain/fis/index.js';
import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import type { FisClient, FisItem } from './fis-client.js';
import { summarizeFisItem } from './fis-summary.js';
import type { ReceiveDocument } from './received.js';
import type { ConcurApi } from './oauth/concur-api.js';
import { ConcurUnavailableError } from './oauth/errors.js';

/** The document types a backfill covers: every type the FIS queue poller takes. */
export const BACKFILL_DOC_TYPES: readonly ConcurDocType[] = CONCUR_DOC_TYPES;

export interface BackfillProgress {
  /** Documents handled so far. */
  done: number;
  /** Documents in the range; null while Concur is still being listed. */
  total: number | null;
  reportId: string | null;
  /** What the backfill is doing now, e.g. "listing invoice documents on FIS (page 2)". */
  step: string;
}

export interface BackfillOptions {
  /** Inclusive start date, YYYY-MM-DD. */
  from: string;
  /** Inclusive end date, YYYY-MM-DD. */
  to: string;
  dryRun?: boolean;
  /** Default: every type of BACKFILL_DOC_TYPES. */
  docTypes?: readonly ConcurDocType[];
  onProgress?: (progress: BackfillProgress) => void;
}

export type BackfillItemState = 'would-post' | 'recorded' | 'already-known' | 'already-posted-in-concur' | 'recalled' | 'not-on-fis';

export interface BackfillItem {
  docType: ConcurDocType;
  /** Report id (expense), request id (invoice, payment request), cash advance id. */
  reportId: string | null;
  reportName: string | null;
  amount: string | null;
  currency: string | null;
  concurDocumentId: string | null;
  /** The day the document is placed in the range by (YYYY-MM-DD), when known. */
  date: string | null;
  state: BackfillItemState;
  /** The FIS item, for a document found on FIS (a dry run previews its posting from it). */
  item: FisItem | null;
}

/** One document type: how many documents of the range were found, by outcome, or why it could not be read. */
export interface BackfillTypeReport {
  docType: ConcurDocType;
  found: number;
  states: Partial<Record<BackfillItemState, number>>;
  /** On FIS for this type but dated outside the range (not listed, nothing done). */
  outsideRange: number;
  /** On FIS but with no date to place it in a range (listed as nothing done; see the docs). */
  undated: number;
  /** The type could not be read (e.g. not enabled for the company); the other types still ran. */
  error: string | null;
}

export interface BackfillResult {
  dryRun: boolean;
  items: BackfillItem[];
  types: BackfillTypeReport[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const day = (value: unknown): string | null => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);

/**
 * The date a non-expense FIS document is placed in a backfill range by: an invoice or payment request
 * by its invoice date (else its payment date), a cash advance by its issue date. The domain parser
 * reads it; a document it cannot read is placed by the same raw fields.
 */
export function documentDate(docType: ConcurDocType, item: FisItem): string | null {
  try {
    const doc = parseFisDocument(item);
    if (doc.kind === 'invoice') return day(doc.invoiceDate) ?? day(doc.paymentDate);
    if (doc.kind === 'cashadvance') return day(doc.issuedDate);
    return day(doc.report.submitDate);
  } catch {
    const d = isRecord(item.document) ? item.document : {};
    if (docType === 'cashadvance') {
      const ca = isRecord(d.cashAdvanceData) ? d.cashAdvanceData : {};
      return day(ca.issuedDate) ?? day(ca.cashAdvanceIssuedDate) ?? day(ca.requestDate);
    }
    const h = isRecord(d.invoice) ? d.invoice : d;
    return day(h.invoiceDate) ?? day(h.paymentDate);
  }
}

interface Candidate {
  docType: ConcurDocType;
  item: FisItem | undefined;
  fallback: { reportId: string | null; name: string | null; total: string | null; currency: string | null };
  date: string | null;
}

/**
 * Backfill over a date range, for every document type the poller takes. Expense reports: v3 report
 * search finds the approved reports, FIS (queue read with `ignoreDocumentStatus`) supplies their
 * financial documents. Invoices, payment requests and cash advances have no Concur search the
 * connector can use, so their FIS queue is read the same way and each document is placed in the range
 * by its own date (`documentDate`). Each document is recorded as received on the same stream as live
 * traffic, through the same decider, and the document pipeline takes it from there: running beside the
 * webhook or the poller never posts twice. A dry run
 * only reads: nothing is recorded, nothing acknowledged.
 */
export class ConcurBackfill {
  constructor(
    private readonly store: EventStore,
    private readonly api: ConcurApi,
    private readonly fis: FisClient,
    private readonly receive: ReceiveDocument,
  ) {}

  async run(options: BackfillOptions): Promise<BackfillResult> {
    if (!DATE.test(options.from) || !DATE.test(options.to))
      throw new Error(`Backfill dates must be YYYY-MM-DD (got --from ${options.from} --to ${options.to})`);
    if (options.from > options.to) throw new Error(`Backfill --from ${options.from} is after --to ${options.to}`);
    const dryRun = options.dryRun ?? false;
    const say = (step: string, done = 0, total: number | null = null, reportId: string | null = null): void =>
      options.onProgress?.({ done, total, reportId, step });
    const types = new Map<ConcurDocType, BackfillTypeReport>();
    const candidates: Candidate[] = [];

    for (const docType of options.docTypes ?? BACKFILL_DOC_TYPES) {
      const report: BackfillTypeReport = { docType, found: 0, states: {}, outsideRange: 0, undated: 0, error: null };
      types.set(docType, report);
      try {
        const found =
          docType === 'expense'
            ? await this.expenseCandidates(options.from, options.to, say)
            : await this.queueCandidates(docType, options.from, options.to, report, say);
        report.found = found.length;
        candidates.push(...found);
      } catch (error) {
        // Expense reports are the core of every Concur company: without them the backfill is wrong.
        // Another type failing (not enabled for the company) is reported, and the others still run.
        if (docType === 'expense') throw error;
        report.error = (error as Error).message;
      }
    }

    const items: BackfillItem[] = [];
    for (const [i, c] of candidates.entries()) {
      const summary = c.item ? summarizeFisItem(c.docType, c.item) : null;
      const state = await this.process(c.docType, c.item, dryRun);
      const report = types.get(c.docType)!;
      report.states[state] = (report.states[state] ?? 0) + 1;
      const reportId = summary?.reportId ?? c.fallback.reportId;
      items.push({
        docType: c.docType,
        reportId,
        reportName: summary?.reportName ?? c.fallback.name,
        amount: summary?.amount ?? c.fallback.total,
        currency: summary?.currency ?? c.fallback.currency,
        concurDocumentId: c.item?.id ?? null,
        date: c.date,
        state,
        item: c.item ?? null,
      });
      say(`${c.docType} ${reportId ?? c.item?.id ?? ''}: ${state}`, i + 1, candidates.length, reportId);
    }
    return { dryRun, items, types: [...types.values()] };
  }

  private async process(docType: ConcurDocType, item: FisItem | undefined, dryRun: boolean): Promise<BackfillItemState> {
    if (!item) return 'not-on-fis';
    const status = String(item.docStatus ?? '').toUpperCase();
    if (status === 'RECALLED') return 'recalled';
    // The stream the webhook and the poller write to: a document they already took is not taken again.
    const state = foldDocument(await this.store.readStream(documentStreamId(docType, item.id)));
    if (state.fetched) return 'already-known';
    // Posted by another system (or an earlier install): posting again would double the books.
    if (status.startsWith('POSTING_CONFIRMED') || status.startsWith('PAYMENT_CONFIRMED') || status === 'PAID') return 'already-posted-in-concur';
    if (dryRun) return 'would-post';
    // Recorded as received, like a webhook notification: the document pipeline fetches and posts it.
    const reportId = summarizeFisItem(docType, item).reportId;
    return (await this.receive({ docType, docId: item.id, channel: 'backfill', reportId })) === 'recorded' ? 'recorded' : 'already-known';
  }

  /** Approved reports of the range (v3 search), each with its latest FIS document when FIS has one. */
  private async expenseCandidates(from: string, to: string, say: (step: string) => void): Promise<Candidate[]> {
    say('searching Concur for expense reports approved in the range');
    const reports = await this.searchReports(from, to);
    const byReport = await this.fisDocumentsByReport(say);
    return reports.map((r) => ({
      docType: 'expense',
      item: byReport.get(r.reportId),
      fallback: { reportId: r.reportId, name: r.name, total: r.total, currency: r.currency },
      date: r.date,
    }));
  }

  /** The FIS documents of one type dated within the range. */
  private async queueCandidates(
    docType: ConcurDocType,
    from: string,
    to: string,
    report: BackfillTypeReport,
    say: (step: string) => void,
  ): Promise<Candidate[]> {
    const out: Candidate[] = [];
    const seen = new Set<string>();
    for (const item of await this.allOnFis(docType, say)) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      const date = documentDate(docType, item);
      if (date === null) report.undated++;
      else if (date < from || date > to) report.outsideRange++;
      else out.push({ docType, item, fallback: { reportId: null, name: null, total: null, currency: null }, date });
    }
    return out;
  }

  /** Every document of a type FIS lists, whatever its status (all pages). */
  private async allOnFis(docType: ConcurDocType, say: (step: string) => void): Promise<FisItem[]> {
    const items: FisItem[] = [];
    for (let page: number | null = 0, guard = 0; page !== null && guard < 10_000; guard++) {
      say(`listing ${docType} documents on FIS (page ${page + 1})`);
      const result = await this.fis.getQueuePage(docType, page, 100, { ignoreDocumentStatus: true });
      items.push(...result.items);
      page = result.nextPage;
    }
    return items;
  }

  private async searchReports(
    from: string,
    to: string,
  ): Promise<{ reportId: string; name: string | null; total: string | null; currency: string | null; date: string | null }[]> {
    const out: { reportId: string; name: string | null; total: string | null; currency: string | null; date: string | null }[] = [];
    const before = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    for (let offset = 0, guard = 0; guard < 10_000; guard++) {
      const res = await this.api.request('GET', '/api/v3.0/expense/reports', {
        query: { approvalStatusCode: 'A_APPR', modifiedDateAfter: from, modifiedDateBefore: before, user: 'ALL', limit: 100, offset },
      });
      if (res.status >= 400 || !isRecord(res.body)) throw new ConcurUnavailableError(`Concur report search failed (HTTP ${res.status}); retry the backfill`);
      const list = Array.isArray(res.body.Items) ? res.body.Items : [];
      for (const r of list) {
        if (!isRecord(r) || typeof r.ID !== 'string') continue;
        out.push({
          reportId: r.ID,
          name: typeof r.Name === 'string' ? r.Name : null,
          total: r.Total === undefined || r.Total === null ? null : String(r.Total),
          currency: typeof r.CurrencyCode === 'string' ? r.CurrencyCode : null,
          date: day(r.LastModifiedDate) ?? day(r.SubmitDate),
        });
      }
      if (!res.body.NextPage || list.length === 0) break;
      offset += list.length;
    }
    return out;
  }

  /** Latest FIS expense document per report id (a resubmitted report has several). */
  private async fisDocumentsByReport(say: (step: string) => void): Promise<Map<string, FisItem>> {
    const map = new Map<string, FisItem>();
    for (const item of await this.allOnFis('expense', say)) {
      const reportId = summarizeFisItem('expense', item).reportId;
      if (reportId) map.set(reportId, item);
    }
    return map;
  }
}
