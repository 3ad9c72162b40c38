import type { SyncKind } from '../args.js';
import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';
import { followJob, JOB_FIELDS, type Job } from '../job-poll.js';

/** CLI words to the GraphQL ReferenceKind enum (src/graphql/types/enums.ts). */
const REFERENCE_KIND: Record<SyncKind, string> = { employees: 'EMPLOYEE', vendors: 'VENDOR', dimensions: 'DIMENSIONS' };

const COLUMNS = ['read', 'created', 'updated', 'removed', 'conflicts'] as const;

const DIRECTION: Record<string, string> = { employees: 'Concur -> Intacct', vendors: 'Intacct -> Concur' };
const isStepLine = (item: string): boolean => /^\S+ \([^)]+\): read \d+/.test(item);

/** The job's counts as a table, one row per step, in the order run. */
function countsTable(job: Job): string[] {
  const failed = new Set(job.items.filter((i) => isStepLine(i) && i.includes('(failed')).map((i) => i.split(' ')[0]));
  const rows = Object.entries(job.counts ?? {}).map(([step, counts]) => [
    step,
    DIRECTION[step] ?? 'Intacct -> cache',
    ...COLUMNS.map((c) => String(counts[c] ?? 0)),
    failed.has(step) ? 'FAILED' : '',
  ]);
  if (rows.length === 0) return [];
  const header = ['step', 'direction', ...COLUMNS, ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (r: string[]): string =>
    `  ${r.map((cell, i) => (i < 2 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}

export async function sync(client: GraphqlClient, io: CliIo, kinds: SyncKind[], full = false): Promise<number> {
  const { syncReferenceData: started } = await client.request<{ syncReferenceData: Job }>(
    `mutation($kinds: [ReferenceKind!], $full: Boolean) { syncReferenceData(kinds: $kinds, full: $full) { ${JOB_FIELDS} } }`,
    { kinds: kinds.length ? kinds.map((k) => REFERENCE_KIND[k]) : null, full },
  );
  const what = kinds.length ? kinds.join(', ') : 'employees, vendors, dimensions';
  io.err.write(`sync ${what}: job ${started.id}\n`);
  const job = await followJob(client, io, started, `sync ${what}`, 'steps');
  const conflicts = job.items.filter((i) => i.startsWith('conflict: '));
  const changes = job.items.filter((i) => !i.startsWith('conflict: ') && !isStepLine(i));
  io.out(`Sync of ${what}: ${job.state}`);
  for (const line of countsTable(job)) io.out(line);
  if (changes.length === 0) io.out('  no changes');
  for (const change of changes) io.out(`  ${change}`);
  for (const conflict of conflicts) io.out(`  ${conflict}`);
  io.out(conflicts.length ? `${conflicts.length} conflict(s) above were left as they are: decide them in Concur or Intacct, then sync again` : 'No conflicts');
  if (job.state !== 'succeeded')
    throw new CliError(`sync ${what} failed: ${job.error ?? 'no reason given'}. Changes listed above were applied; run it again after fixing the cause`);
  return 0;
}
