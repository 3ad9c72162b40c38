import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';
import { followJob, JOB_FIELDS, type Job } from '../job-poll.js';

/** Columns of the per-type table: the job's count names (src/app/job-runner.ts) and their headers. */
const COLUMNS: Array<[count: string, header: string]> = [
  ['found', 'found'],
  ['wouldPost', 'would-post'],
  ['recorded', 'recorded'],
  ['alreadyKnown', 'already-known'],
  ['alreadyPostedInConcur', 'posted-elsewhere'],
  ['recalled', 'recalled'],
  ['notOnFis', 'not-on-fis'],
  ['outsideRange', 'outside-range'],
  ['undated', 'undated'],
];

function typeTable(job: Job): string[] {
  const entries = Object.entries(job.counts ?? {});
  if (entries.length === 0) return [];
  const columns = COLUMNS.filter(([c]) => (job.dryRun ? c !== 'recorded' : c !== 'wouldPost'));
  const rows = entries.map(([type, counts]) => [type, ...columns.map(([c]) => String(counts[c] ?? 0)), counts['failed'] ? 'FAILED' : '']);
  const header = ['type', ...columns.map(([, h]) => h), ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (r: string[]): string =>
    `  ${r.map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}

export async function backfill(client: GraphqlClient, io: CliIo, args: { from: string; to: string; dryRun: boolean }): Promise<number> {
  const { backfill: started } = await client.request<{ backfill: Job }>(
    `mutation($from: Date!, $to: Date!, $dryRun: Boolean) { backfill(from: $from, to: $to, dryRun: $dryRun) { ${JOB_FIELDS} } }`,
    { from: args.from, to: args.to, dryRun: args.dryRun },
  );
  io.err.write(`backfill ${args.from}..${args.to}${args.dryRun ? ' (dry run)' : ''}: job ${started.id}\n`);
  const job = await followJob(client, io, started, args.dryRun ? 'backfill (dry run)' : 'backfill', 'documents');
  if (job.state !== 'succeeded')
    throw new CliError(
      `backfill ${args.from}..${args.to} failed: ${job.error ?? 'no reason given'}. Documents already recorded stay; run it again to continue`,
    );
  const found = job.total ?? job.processed;
  io.out(
    args.dryRun
      ? `Dry run ${args.from}..${args.to}: nothing was recorded, posted or acknowledged in Concur. ${found} document(s) found:`
      : `Backfill ${args.from}..${args.to}: ${found} document(s) handled; recorded documents are posted by the service:`,
  );
  for (const line of typeTable(job)) io.out(line);
  for (const item of job.items) io.out(`  ${item}`);
  return 0;
}
