import { CliError, type GraphqlClient } from './graphql-client.js';
import { sleep, type CliIo } from './io.js';
import { ProgressLine } from './progress.js';

/** The service's Job type (src/graphql/types/operations.ts). */
export interface Job {
  id: string;
  kind: string;
  state: string;
  dryRun: boolean;
  processed: number;
  total: number | null;
  items: string[];
  error: string | null;
  /** What the job is doing now (null once finished). */
  step: string | null;
  /** Counts per sync step or per backfill document type. */
  counts: Record<string, Record<string, number>> | null;
}

export const JOB_FIELDS = 'id kind state dryRun processed total items error step counts';

/** Follows a job until it is no longer running, showing its progress. */
export async function followJob(client: GraphqlClient, io: CliIo, started: Job, label: string, unit: string): Promise<Job> {
  const progress = new ProgressLine(io.err, { label, unit });
  let job = started;
  while (job.state === 'running') {
    progress.update(job.processed, job.total, job.step);
    await sleep(io.pollMs);
    const { job: next } = await client.request<{ job: Job | null }>(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: job.id });
    // Jobs live in the service's memory: a restart forgets them (the work already recorded stays).
    if (!next) throw new CliError(`The service no longer knows job ${job.id} (was it restarted?). What it recorded stays; run the command again to finish`);
    job = next;
  }
  progress.finish(job.processed, job.total);
  return job;
}
