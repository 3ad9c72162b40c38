import type { EventStore } from '../../domain/eventstore/port.js';
import { documentStreamId } from '../../domain/document/events.js';
import { foldDocument } from '../../domain/document/state.js';
import type { FisClient, FisItem } from './fis-client.js';
import { summarizeFisItem } from './fis-summary.js';
import type { ConcurDocumentIntake } from './intake.js';
import type { ConcurApi } from './oauth/concur-api.js';
import { ConcurUnavailableError } from './oauth/errors.js';

export interface BackfillOptions {
  /** Inclusive start date, YYYY-MM-DD. */
  from: string;
  /** Inclusive end date, YYYY-MM-DD. */
  to: string;
  dryRun?: boolean;
  onProgress?: (progress: { done: number; total: number; reportId: string }) => void;
}

export type BackfillItemState = 'would-post' | 'recorded' | 'already-known' | 'already-posted-in-concur' | 'recalled' | 'not-on-fis';

export interface BackfillItem {
  reportId: string;
  reportName: string | null;
  amount: string | null;
  currency: string | null;
  concurDocumentId: string | null;
  state: BackfillItemState;
}

export interface BackfillResult {
  dryRun: boolean;
  items: BackfillItem[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Backfill over a date range: v3 report search finds the approved reports, FIS (queue read with
 * `ignoreDocumentStatus`) supplies their financial documents, and each is recorded through the same
 * idempotent intake as live traffic, so running beside the webhook or the poller never posts twice.
 */
export class ConcurBackfill {
  constructor(
    private readonly store: EventStore,
    private readonly api: ConcurApi,
    private readonly fis: FisClient,
    private readonly intake: ConcurDocumentIntake,
  ) {}

  async run(options: BackfillOptions): Promise<BackfillResult> {
    if (!DATE.test(options.from) || !DATE.test(options.to)) throw new Error(`Backfill dates must be YYYY-MM-DD (got --from ${options.from} --to ${options.to})`);
    if (options.from > options.to) throw new Error(`Backfill --from ${options.from} is after --to ${options.to}`);
    const reports = await this.searchReports(options.from, options.to);
    const byReport = await this.fisDocumentsByReport();
    const items: BackfillItem[] = [];
    let done = 0;
    for (const report of reports) {
      const item = byReport.get(report.reportId);
      const summary = item ? summarizeFisItem('expense', item) : null;
      const base = { reportId: report.reportId, reportName: summary?.reportName ?? report.name, amount: summary?.amount ?? report.total, currency: summary?.currency ?? report.currency, concurDocumentId: item?.id ?? null };
      items.push({ ...base, state: await this.process(item, options.dryRun ?? false) });
      options.onProgress?.({ done: ++done, total: reports.length, reportId: report.reportId });
    }
    return { dryRun: options.dryRun ?? false, items };
  }

  private async process(item: FisItem | undefined, dryRun: boolean): Promise<BackfillItemState> {
    if (!item) return 'not-on-fis';
    const status = String(item.docStatus ?? '').toUpperCase();
    if (status === 'RECALLED') return 'recalled';
    const state = foldDocument(await this.store.readStream(documentStreamId('expense', item.id)));
    if (state.fetched) return 'already-known';
    // Posted by another system (or an earlier install): posting again would double the books.
    if (status.startsWith('POSTING_CONFIRMED') || status.startsWith('PAYMENT_CONFIRMED') || status === 'PAID') return 'already-posted-in-concur';
    if (dryRun) return 'would-post';
    const outcome = await this.intake.recordItem('expense', item, 'backfill');
    return outcome === 'recorded' ? 'recorded' : outcome === 'recalled' ? 'recalled' : 'not-on-fis';
  }

  private async searchReports(from: string, to: string): Promise<{ reportId: string; name: string | null; total: string | null; currency: string | null }[]> {
    const out: { reportId: string; name: string | null; total: string | null; currency: string | null }[] = [];
    const before = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    for (let offset = 0, guard = 0; guard < 10_000; guard++) {
      const res = await this.api.request('GET', '/api/v3.0/expense/reports', {
        query: { approvalStatusCode: 'A_APPR', modifiedDateAfter: from, modifiedDateBefore: before, user: 'ALL', limit: 100, offset },
      });
      if (res.status >= 400 || !isRecord(res.body)) throw new ConcurUnavailableError(`Concur report search failed (HTTP ${res.status}); retry the backfill`);
      const list = Array.isArray(res.body.Items) ? res.body.Items : [];
      for (const r of list) {
        if (!isRecord(r) || typeof r.ID !== 'string') continue;
        out.push({ reportId: r.ID, name: typeof r.Name === 'string' ? r.Name : null, total: r.Total === undefined || r.Total === null ? null : String(r.Total), currency: typeof r.CurrencyCode === 'string' ? r.CurrencyCode : null });
      }
      if (!res.body.NextPage || list.length === 0) break;
      offset += list.length;
    }
    return out;
  }

  /** Latest FIS expense document per report id (a resubmitted report has several). */
  private async fisDocumentsByReport(): Promise<Map<string, FisItem>> {
    const map = new Map<string, FisItem>();
    for (let page: number | null = 0, guard = 0; page !== null && guard < 10_000; guard++) {
      const result = await this.fis.getQueuePage('expense', page, 100, { ignoreDocumentStatus: true });
      for (const item of result.items) {
        const reportId = summarizeFisItem('expense', item).reportId;
        if (reportId) map.set(reportId, item);
      }
      page = result.nextPage;
    }
    return map;
  }
}
