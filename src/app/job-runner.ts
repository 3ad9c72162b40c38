import type { ConcurBackfill } from '../adapters/concur/backfill.js';
import type { JobStatus } from './connector-api.js';
import type { JobRunner } from './connector-service.js';
import type { ReferenceSync, SyncStepReport } from './reference-sync.js';

const DIRECTION: Record<SyncStepReport['direction'], string> = { 'intacct-to-cache': 'Intacct -> cache', 'concur-to-intacct': 'Concur -> Intacct', 'intacct-to-concur': 'Intacct -> Concur' };

/** "EMPLOYEE (Intacct -> cache): read 4, created 4, updated 0, removed 0, conflicts 0". */
export function describeStep(r: SyncStepReport): string {
  const c = r.counts;
  return `${r.step} (${DIRECTION[r.direction]}): read ${c.read}, created ${c.created}, updated ${c.updated}, removed ${c.removed}, conflicts ${c.conflicts}${r.failed ? ' (failed, see the error)' : ''}`;
}

/** Backfill and reference sync as jobs with progress, for the API's `backfill` and `syncReferenceData`. */
export function createJobRunner(parts: { backfill: ConcurBackfill; referenceSync: () => ReferenceSync; afterBackfill: () => void }): JobRunner {
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
      const result = await parts.backfill.run({ from, to, dryRun, onProgress: (p) => progress({ ...job, processed: p.done, total: p.total }) });
      parts.afterBackfill();
      const items = result.items.map((i) => `${i.state}: report ${i.reportId}${i.reportName ? ` "${i.reportName}"` : ''}${i.amount ? ` ${i.amount} ${i.currency ?? ''}` : ''}`.trim());
      return { ...job, state: 'succeeded', processed: result.items.length, total: result.items.length, items, finishedAt: new Date().toISOString() };
    },
    async sync(kinds, actor, progress) {
      const job = base('sync', false);
      let steps = 0;
      const run = await parts.referenceSync().run(kinds, actor, (done, total, line) => {
        steps = total;
        progress({ ...job, processed: done, total, step: line });
      });
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
