import type { BackfillItem, BackfillResult, ConcurBackfill } from '../adapters/concur/backfill.js';
import { DIMENSION_TARGETS, targetOf, type ConcurDocType, type JournalEntry } from '../domain/journal/journal-entry.js';
import type { JobStatus } from './connector-api.js';
import type { JobRunner } from './connector-service.js';
import type { DocumentPreparer } from '../processes/document-pipeline.js';
import type { ReferenceSync, SyncStepReport } from './reference-sync.js';

const DIRECTION: Record<SyncStepReport['direction'], string> = {
  'intacct-to-cache': 'Intacct -> cache',
  'concur-to-intacct': 'Concur -> Intacct',
  'intacct-to-concur': 'Intacct -> Concur',
};

/** "EMPLOYEE (Intacct -> cache): read 4, created 4, updated 0, removed 0, conflicts 0". */
export function describeStep(r: SyncStepReport): string {
  const c = r.counts;
  return `${r.step} (${DIRECTION[r.direction]}): read ${c.read}, created ${c.created}, updated ${c.updated}, removed ${c.removed}, conflicts ${c.conflicts}${r.failed ? ' (failed, see the error)' : ''}`;
}

const TYPE_WORD: Record<ConcurDocType, string> = { expense: 'report', invoice: 'invoice', paymentrequest: 'payment request', cashadvance: 'cash advance' };

/** "would-post: report R1 "Oslo" 62.49 USD" (the document type's word, its id, name and amount). */
function describeItem(i: BackfillItem): string {
  return `${i.state}: ${TYPE_WORD[i.docType]} ${i.reportId ?? i.concurDocumentId ?? '?'}${i.reportName ? ` "${i.reportName}"` : ''}${i.amount ? ` ${i.amount} ${i.currency ?? ''}` : ''}`.trim();
}

/**
 * What posting a document would do, by the same preparer (mappings, dimension cache, posting rules)
 * the pipeline uses: the GLBATCH header and each line (debit or credit, account, amount, currency,
 * dimensions, memo), or the mapping gaps it would wait for, or why it would be rejected.
 */
function preview(prepare: DocumentPreparer, i: BackfillItem): string[] {
  if (!i.item || !i.concurDocumentId) return [];
  let result: ReturnType<DocumentPreparer>;
  try {
    result = prepare(i.item, i.docType, i.concurDocumentId);
  } catch (error) {
    return [`    could not be evaluated: ${(error as Error).message}`];
  }
  if (result.result === 'gaps') return ['    would wait for mappings:', ...result.gaps.map((g) => `      gap: ${g.message}`)];
  if (result.result === 'rejected') return [`    would be rejected: ${result.reason}${result.difference ? ` (difference ${result.difference})` : ''}`];
  const records = result.records ?? [result.entry];
  return records.flatMap((e) => [
    `    ${targetOf(e)} ${e.postingKey} "${e.batchTitle}"${targetOf(e) === 'GLBATCH' ? ` journal ${e.journal}` : ''} on ${e.batchDate}, ${e.total} ${e.currency}${partyText(e)}:`,
    ...e.lines.map((l) => {
      const dims = DIMENSION_TARGETS.filter((d) => l.dimensions[d]).map((d) => `${d}=${l.dimensions[d]}`);
      const account = l.offset ? '(payable booked by Intacct)' : l.accountNo || `(expense type ${l.expenseType ?? ''})`;
      return `      ${l.trType === 1 ? 'debit ' : 'credit'} ${account} ${l.amount} ${e.currency}${dims.length ? ` ${dims.join(' ')}` : ''}${l.memo ? ` "${l.memo}"` : ''}`;
    }),
  ]);
}

/** Who a subledger record is with, for the preview. */
function partyText(e: JournalEntry): string {
  const p = e.party;
  if (!p) return '';
  if (p.employeeId) return ` for employee ${p.employeeId}`;
  if (p.vendorId) return ` to vendor ${p.vendorId}${e.billNumber ? ` (bill ${e.billNumber})` : ''}`;
  if (p.cardAccount) return ` on card account ${p.cardAccount}${p.payee ? ` (${p.payee})` : ''}`;
  return '';
}

const COUNT_NAMES: Record<string, string> = {
  'would-post': 'wouldPost',
  recorded: 'recorded',
  'already-known': 'alreadyKnown',
  'already-posted-in-concur': 'alreadyPostedInConcur',
  recalled: 'recalled',
  'not-on-fis': 'notOnFis',
};

/** Per document type: found, each outcome, outside the range, undated, failed (1 when the type could not be read). */
function backfillCounts(result: BackfillResult): Record<string, Record<string, number>> {
  return Object.fromEntries(
    result.types.map((t) => [
      t.docType,
      {
        found: t.found,
        ...Object.fromEntries(Object.values(COUNT_NAMES).map((n) => [n, 0])),
        ...Object.fromEntries(Object.entries(t.states).map(([state, n]) => [COUNT_NAMES[state] ?? state, n])),
        outsideRange: t.outsideRange,
        undated: t.undated,
        failed: t.error ? 1 : 0,
      },
    ]),
  );
}

/** Backfill and reference sync as jobs with progress, for the API's `backfill` and `syncReferenceData`. */
export function createJobRunner(parts: {
  backfill: ConcurBackfill;
  referenceSync: () => ReferenceSync;
  afterBackfill: () => void;
  preparer: () => DocumentPreparer;
}): JobRunner {
  const base = (kind: JobStatus['kind'], dryRun: boolean): JobStatus => ({
    id: '',
    kind,
    state: 'running',
    dryRun,
    processed: 0,
    total: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    items: [],
    error: null,
  });
  return {
    async backfill(from, to, dryRun, _actor, progress) {
      const job = base('backfill', dryRun);
      const result = await parts.backfill.run({ from, to, dryRun, onProgress: (p) => progress({ ...job, processed: p.done, total: p.total, step: p.step }) });
      // A dry run changes nothing, so there is nothing new for the pipeline.
      if (!dryRun) parts.afterBackfill();
      const prepare = parts.preparer();
      const items = result.items.flatMap((i) => [describeItem(i), ...(i.state === 'would-post' ? preview(prepare, i) : [])]);
      for (const t of result.types) if (t.error) items.push(`${t.docType}: could not be read from Concur, nothing done for this type: ${t.error}`);
      return {
        ...job,
        state: 'succeeded',
        processed: result.items.length,
        total: result.items.length,
        step: null,
        counts: backfillCounts(result),
        items,
        finishedAt: new Date().toISOString(),
      };
    },
    async sync(kinds, actor, progress, options = {}) {
      const job = base('sync', false);
      let steps = 0;
      const run = await parts.referenceSync().run(
        kinds,
        actor,
        (done, total, line) => {
          steps = total;
          progress({ ...job, processed: done, total, step: line });
        },
        options,
      );
      const report = run.report ?? [];
      return {
        ...job,
        state: run.errors.length ? 'failed' : 'succeeded',
        processed: steps || report.length,
        total: steps || report.length,
        step: null,
        counts: Object.fromEntries(report.map((r) => [r.step, { ...r.counts }])),
        items: [...report.map(describeStep), ...run.changes, ...run.conflicts.map((c) => `conflict: ${c}`)],
        error: run.errors.length ? run.errors.join('; ') : null,
        finishedAt: run.finishedAt,
      };
    },
    syncRuns: () => parts.referenceSync().runs(),
  };
}
