import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';
import { followJob, JOB_FIELDS, type Job } from '../job-poll.js';

export async function backfill(client: GraphqlClient, io: CliIo, args: { from: string; to: string; dryRun: boolean }): Promise<number> {
  const { backfill: started } = await client.request<{ backfill: Job }>(
    `mutation($from: Date!, $to: Date!, $dryRun: Boolean) { backfill(from: $from, to: $to, dryRun: $dryRun) { ${JOB_FIELDS} } }`,
    { from: args.from, to: args.to, dryRun: args.dryRun },
  );
  io.err.write(`backfill ${args.from}..${args.to}${args.dryRun ? ' (dry run)' : ''}: job ${started.id}\n`);
  const job = await followJob(client, io, started, args.dryRun ? 'backfill (dry run)' : 'backfill', 'reports');
  if (job.state !== 'succeeded') throw new CliError(`backfill ${args.from}..${args.to} failed: ${job.error ?? 'no reason given'}. Documents already recorded stay; run it again to continue`);
  io.out(
    args.dryRun
      ? `Dry run ${args.from}..${args.to}: nothing was recorded or posted. ${job.items.length} report(s) found:`
      : `Backfill ${args.from}..${args.to}: ${job.items.length} report(s) handled; recorded documents are posted by the service:`,
  );
  for (const item of job.items) io.out(`  ${item}`);
  return 0;
}
