import type { SyncKind } from '../args.js';
import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';
import { followJob, JOB_FIELDS, type Job } from '../job-poll.js';

/** CLI words to the GraphQL ReferenceKind enum (src/graphql/types/enums.ts). */
const REFERENCE_KIND: Record<SyncKind, string> = { employees: 'EMPLOYEE', vendors: 'VENDOR', dimensions: 'DIMENSIONS' };

export async function sync(client: GraphqlClient, io: CliIo, kinds: SyncKind[]): Promise<number> {
  const { syncReferenceData: started } = await client.request<{ syncReferenceData: Job }>(
    `mutation($kinds: [ReferenceKind!]) { syncReferenceData(kinds: $kinds) { ${JOB_FIELDS} } }`,
    { kinds: kinds.length ? kinds.map((k) => REFERENCE_KIND[k]) : null },
  );
  const what = kinds.length ? kinds.join(', ') : 'employees, vendors, dimensions';
  io.err.write(`sync ${what}: job ${started.id}\n`);
  const job = await followJob(client, io, started, `sync ${what}`, 'kinds');
  const conflicts = job.items.filter((i) => i.startsWith('conflict: '));
  io.out(`Sync of ${what}: ${job.state}`);
  const changes = job.items.filter((i) => !i.startsWith('conflict: '));
  if (changes.length === 0) io.out('  no changes');
  for (const change of changes) io.out(`  ${change}`);
  for (const conflict of conflicts) io.out(`  ${conflict}`);
  io.out(conflicts.length ? `${conflicts.length} conflict(s) above were left as they are: decide them in Concur or Intacct, then sync again` : 'No conflicts');
  if (job.state !== 'succeeded') throw new CliError(`sync ${what} failed: ${job.error ?? 'no reason given'}. Changes listed above were applied; run it again after fixing the cause`);
  return 0;
}
